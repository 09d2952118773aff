package server_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// bellItem is a notification as the bell API gives it.
type bellItem struct {
	ID            string  `json:"id"`
	CaseID        *string `json:"case_id"`
	CaseReference string  `json:"case_reference"`
	Kind          string  `json:"kind"`
	EventType     string  `json:"event_type"`
	Text          string  `json:"text"`
	Read          bool    `json:"read"`
}

func (w *world) bell(as string) (items []bellItem, unread int64) {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/notifications", nil)
	if r.Status != 200 {
		w.t.Fatalf("notifications as %s: %d %s", as, r.Status, r.Body)
	}
	var page struct {
		Items       []bellItem `json:"items"`
		UnreadCount int64      `json:"unread_count"`
	}
	r.Decode(w.t, &page)
	return page.Items, page.UnreadCount
}

func webhookNotices(items []bellItem) []bellItem {
	var out []bellItem
	for _, it := range items {
		if it.Kind == "webhook_disabled" {
			out = append(out, it)
		}
	}
	return out
}

// failForThreeDays runs the deliveries once a day of the world's clock
// (a delivery's backoff is at most 8 hours: each round retries it) until
// the endpoint is disabled, and fails if that takes less than
// WebhookDisableAfter or much more.
func (w *world) failForThreeDays(epID string) {
	w.t.Helper()
	start := w.clock.Now()
	for {
		var ep endpointOut
		w.as("admin").Do("GET", "/api/v1/webhook-endpoints/"+epID, nil).Decode(w.t, &ep)
		if !ep.Enabled {
			if d := w.clock.Now().Sub(start); d < recouvra.WebhookDisableAfter-time.Hour {
				w.t.Fatalf("disabled after %v", d)
			}
			return
		}
		if w.clock.Now().Sub(start) > recouvra.WebhookDisableAfter+24*time.Hour {
			w.t.Fatal("still enabled four days after the first failure")
		}
		w.clock.Advance(24 * time.Hour)
		w.relogin()
		if _, err := w.svc.DeliverWebhooks(context.Background()); err != nil {
			w.t.Fatal(err)
		}
	}
}

// TestWebhookDisabledToldInTheBellAndByMail: when an endpoint failing for
// three days is disabled, each of its creditor's people gets one
// notification in the bell (about no case, naming the URL, the day the
// failures began and how to re-enable it) and one e-mail in the language
// each reads in, read back from a real SMTP server; creditor B gets
// neither. Running the deliveries again tells nothing twice; enabled again
// from the portal's API and disabled again, it is told a second time.
func TestWebhookDisabledToldInTheBellAndByMail(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil, func(c *config.Config) { c.WebhookAllowPrivate = true })
	en := w.createUser("compta@dupont.test", recouvra.RoleCreditor, &w.credA.ID)
	w.users["creditor_en"], w.tokens["creditor_en"] = en, w.login(en.Email)
	w.digestSettings("creditor_en", false, "en")

	rec := newReceiver(t, func(int) int { return 503 })
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	w.newCase(w.credA.ID, "Charpentes Leroy SARL", "")
	rec.waitMessages(1)
	began := recouvra.DateOf(w.clock.Now())
	w.failForThreeDays(ep.ID)

	// The e-mails, one to each of creditor A's people.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	caught, err := catcher.Wait(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	byTo := map[string]parsedMail{}
	for _, c := range caught {
		m := readMIME(t, c.Raw)
		byTo[m.header.Get("To")] = m
	}
	if len(byTo) != 2 {
		t.Fatalf("mails to %v", byTo)
	}
	var fr, english parsedMail
	for to, m := range byTo {
		switch {
		case strings.Contains(to, "creditor@recouvra.test"):
			fr = m
		case strings.Contains(to, "compta@dupont.test"):
			english = m
		default:
			t.Fatalf("a mail to %s", to)
		}
	}
	subject, _ := dec.DecodeHeader(fr.header.Get("Subject"))
	if !strings.Contains(subject, "point de réception de webhooks désactivé : "+rec.srv.URL) {
		t.Fatalf("French subject %q", subject)
	}
	for name, part := range map[string]string{"text": fr.text, "html": htmlText(fr.html)} {
		for _, want := range []string{rec.srv.URL, "Menuiserie Dupont SARL", "échouent depuis le " + recouvra.FrenchDate(began), "« Réactiver »", "ouvrez Webhooks"} {
			if !strings.Contains(part, want) {
				t.Fatalf("French %s part misses %q:\n%s", name, want, part)
			}
		}
	}
	subject, _ = dec.DecodeHeader(english.header.Get("Subject"))
	if !strings.Contains(subject, "webhook endpoint disabled: "+rec.srv.URL) ||
		!strings.Contains(english.text, "has failed since "+began.String()) || !strings.Contains(english.text, "press Enable") {
		t.Fatalf("English mail %q:\n%s", subject, english.text)
	}

	// The bell: one notice for each of creditor A's people, none for B.
	items, unread := w.bell("creditor")
	notes := webhookNotices(items)
	if len(notes) != 1 || unread < 1 {
		t.Fatalf("creditor A's bell: %+v (unread %d)", items, unread)
	}
	n := notes[0]
	if n.CaseID != nil || n.CaseReference != "" || n.EventType != "webhook_endpoint_disabled" || n.Read ||
		!strings.Contains(n.Text, rec.srv.URL) || !strings.Contains(n.Text, "échoué depuis le "+recouvra.FrenchDate(began)) ||
		!strings.Contains(n.Text, "réactivez-le dans Webhooks") {
		t.Fatalf("notice: %+v", n)
	}
	if items, _ := w.bell("creditor_en"); len(webhookNotices(items)) != 1 {
		t.Fatalf("the other person of creditor A: %+v", items)
	}
	if items, _ := w.bell("creditor_b"); len(webhookNotices(items)) != 0 {
		t.Fatalf("creditor B is told of A's endpoint: %+v", items)
	}
	if r := w.as("creditor_b").Do("POST", "/api/v1/notifications/"+n.ID+"/read", nil); r.Status != 404 {
		t.Fatalf("creditor B marks A's notice read: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/"+n.ID+"/read", nil); r.Status != 200 {
		t.Fatalf("mark read: %d %s", r.Status, r.Body)
	}
	if items, after := w.bell("creditor"); after != unread-1 || !webhookNotices(items)[0].Read {
		t.Fatalf("after reading: unread %d (was %d), %+v", after, unread, webhookNotices(items))
	}

	// Once per disabling: more rounds tell nothing again.
	w.clock.Advance(8 * time.Hour)
	w.relogin()
	if _, err := w.svc.DeliverWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := w.countRows(t, "SELECT count(*) FROM events WHERE type = 'webhook_endpoint_disabled'"); got != 1 {
		t.Fatalf("%d notices for one disabling", got)
	}
	if got := w.countRows(t, "SELECT count(*) FROM mail_messages WHERE kind = 'webhook_disabled'"); got != 2 {
		t.Fatalf("%d mails for one disabling to two people", got)
	}

	// Enabled again (the portal's Réactiver), still failing: told again.
	if r := w.as("creditor").Do("PATCH", "/api/v1/webhook-endpoints/"+ep.ID, map[string]any{"enabled": true}); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	w.newCase(w.credA.ID, "Scierie Vuillermoz SAS", "")
	rec.waitMessages(2)
	w.failForThreeDays(ep.ID)
	if _, err := catcher.Wait(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if items, _ := w.bell("creditor"); len(webhookNotices(items)) != 2 {
		t.Fatalf("second disabling: %+v", webhookNotices(items))
	}
}
