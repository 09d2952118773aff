package documents

import (
	"fmt"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Digest is one person's daily e-mail of its notifications.
type Digest struct {
	AgencyName string
	Day        recouvra.Date
	Items      []recouvra.Notification // oldest first
	More       int                     // left out: the portal holds them
	// PaymentsByCreditor: the creditor chose to be told of payments by
	// e-mail (R124-5), so they come whether the reader asked or not.
	PaymentsByCreditor bool
}

// DigestEmail writes d in lang ("fr" or "en"): a line per notification
// with its date, case and words, in a text part and the same as HTML.
func DigestEmail(d Digest, lang string) Email {
	var b mailBody
	n := len(d.Items) + d.More
	var subject string
	lines := make([]string, len(d.Items))
	for i, it := range d.Items {
		lines[i] = digestLine(it, lang)
	}
	if lang == "en" {
		subject = fmt.Sprintf("%s — your notifications of %s (%d)", d.AgencyName, d.Day.String(), n)
		b.para("Hello,")
		b.para(fmt.Sprintf("Here are your %d notifications not yet read since the last digest:", n))
		b.list(lines)
		if d.More > 0 {
			b.para(fmt.Sprintf("And %d more: open Recouvra to read them all.", d.More))
		}
		if d.PaymentsByCreditor {
			b.para("Your company chose to be told of every payment by this daily e-mail (article R124-5 of the Code des procédures civiles d'exécution): payments are included even if you did not ask for the digest.")
		}
		b.para("Notifications you read in Recouvra before the digest are not repeated here. You can turn the digest on or off under Notifications › E-mail digest.")
	} else {
		subject = fmt.Sprintf("%s — vos notifications du %s (%d)", d.AgencyName, recouvra.FrenchDate(d.Day), n)
		b.para("Bonjour,")
		b.para(fmt.Sprintf("Voici vos %d notifications non lues depuis le dernier récapitulatif :", n))
		b.list(lines)
		if d.More > 0 {
			b.para(fmt.Sprintf("Et %d autres : ouvrez Recouvra pour toutes les lire.", d.More))
		}
		if d.PaymentsByCreditor {
			b.para("Votre société a choisi d'être informée de chaque paiement par ce courriel quotidien (article R124-5 du code des procédures civiles d'exécution) : les paiements y figurent même si vous n'avez pas demandé le récapitulatif.")
		}
		b.para("Les notifications déjà lues dans Recouvra ne sont pas répétées ici. Le récapitulatif s'active ou se coupe dans Notifications › Récapitulatif par e-mail.")
	}
	b.para(d.AgencyName)
	return b.email(subject)
}

// digestLine is one notification: when, which case, what.
func digestLine(n recouvra.Notification, lang string) string {
	day := recouvra.DateOf(n.At())
	if lang != "en" {
		return recouvra.FrenchDate(day) + " — " + n.Text()
	}
	amount := ""
	if cents, ok := n.AmountCents(); ok {
		amount = " of " + englishMoney(cents, n.Currency())
	}
	ref := n.CaseReference
	var s string
	switch n.Kind() {
	case recouvra.NotifyPayment:
		s = fmt.Sprintf("Payment%s received on case %s.", amount, ref)
	case recouvra.NotifyPaymentReversed:
		s = fmt.Sprintf("Payment%s reversed on case %s.", amount, ref)
	case recouvra.NotifyDirectPayment:
		s = fmt.Sprintf("Direct payment%s reported by the creditor on case %s.", amount, ref)
	case recouvra.NotifyStageChanged:
		to, _ := n.Event.Data["to"].(string)
		s = fmt.Sprintf("Case %s moved to stage %s.", ref, strings.ReplaceAll(to, "_", " "))
	case recouvra.NotifyApprovalRequested:
		s = fmt.Sprintf("Your approval is requested on case %s.", ref)
	case recouvra.NotifyWebhookDisabled:
		url, _ := n.Event.Data["url"].(string)
		s = fmt.Sprintf("Webhook endpoint %s disabled: its deliveries failed for three days. Fix it, then enable it again under Webhooks.", url)
	default:
		s = fmt.Sprintf("Case %s: %s.", ref, n.Event.Type)
	}
	return day.String() + " — " + s
}

// englishMoney writes cents as "EUR 1,234.56".
func englishMoney(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	digits := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s %s.%02d", sign, currency, b.String(), cents%100)
}
