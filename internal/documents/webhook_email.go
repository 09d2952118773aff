package documents

import (
	"fmt"
	"time"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// WebhookDisabled is the news that a creditor's webhook endpoint, failing
// for recouvra.WebhookDisableAfter, was disabled.
type WebhookDisabled struct {
	AgencyName   string
	CreditorName string
	URL          string
	Description  string
	FailingSince time.Time
	DisabledAt   time.Time
}

// WebhookDisabledEmail writes d in lang ("fr" or "en"): what was disabled,
// since when it failed, and how to turn it back on.
func WebhookDisabledEmail(d WebhookDisabled, lang string) Email {
	var b mailBody
	var subject string
	since, off := recouvra.DateOf(d.FailingSince), recouvra.DateOf(d.DisabledAt)
	if lang == "en" {
		subject = fmt.Sprintf("%s — webhook endpoint disabled: %s", d.AgencyName, d.URL)
		b.para("Hello,")
		b.para(fmt.Sprintf("Every delivery to the webhook endpoint %s of %s has failed since %s (UTC %s). It was disabled on %s (UTC %s): nothing is sent to it any more.",
			d.URL, d.CreditorName, since.String(), d.FailingSince.UTC().Format("15:04"), off.String(), d.DisabledAt.UTC().Format("15:04")))
		if d.Description != "" {
			b.para("Its description: " + d.Description)
		}
		b.para("To turn it back on: fix the address or your server, then in Recouvra open Webhooks and press Enable next to the endpoint. A test ping tells whether it answers; failed deliveries can be replayed one by one from its deliveries list.")
	} else {
		subject = fmt.Sprintf("%s — point de réception de webhooks désactivé : %s", d.AgencyName, d.URL)
		b.para("Bonjour,")
		b.para(fmt.Sprintf("Tous les envois au point de réception de webhooks %s de %s échouent depuis le %s (%s UTC). Il a été désactivé le %s (%s UTC) : rien ne lui est plus envoyé.",
			d.URL, d.CreditorName, recouvra.FrenchDate(since), d.FailingSince.UTC().Format("15:04"), recouvra.FrenchDate(off), d.DisabledAt.UTC().Format("15:04")))
		if d.Description != "" {
			b.para("Sa description : " + d.Description)
		}
		b.para("Pour le réactiver : corrigez l'adresse ou votre serveur, puis dans Recouvra ouvrez Webhooks et appuyez sur « Réactiver » en face du point de réception. Un test (ping) dit s'il répond ; les envois échoués se rejouent un par un depuis sa liste d'envois.")
	}
	b.para(d.AgencyName)
	return b.email(subject)
}
