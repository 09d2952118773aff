package server_test

import (
	"context"
	"mime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/mail"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// digestPay records, as the system (so that every person following the
// case is told), a payment of cents on case id.
func (w *world) digestPay(id uuid.UUID, cents int64) {
	w.t.Helper()
	if _, err := w.svc.RecordPayment(context.Background(), app.System, id, app.NewPayment{AmountCents: cents,
		ReceivedOn: recouvra.DateOf(w.clock.Now()), Method: recouvra.MethodTransfer}); err != nil {
		w.t.Fatal(err)
	}
}

// digestSettings sets as's digest choice through the API.
func (w *world) digestSettings(as string, on bool, lang string) oapi.NotificationSettings {
	w.t.Helper()
	r := w.as(as).Do("PUT", "/api/v1/notifications/settings", map[string]any{"email_digest": on, "language": lang})
	if r.Status != 200 {
		w.t.Fatalf("settings as %s: %d %s", as, r.Status, r.Body)
	}
	var s oapi.NotificationSettings
	r.Decode(w.t, &s)
	return s
}

// sendDigests runs the day's digests and waits until the catcher holds
// every digest written so far (the mail queue delivers them).
func (w *world) sendDigests(c *mail.Catcher) []parsedMail {
	w.t.Helper()
	// A digest takes the events below its fence (the oldest transaction
	// still open): under load another transaction (a job, a mail being
	// sent) may still be open when the test's events are committed, and
	// they would go to the next digest. Wait until the fence has passed
	// them, as the next periodic run would.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var passed bool
		if err := w.db.Pool.QueryRow(context.Background(), `SELECT coalesce(max(tx) < pg_snapshot_xmin(pg_current_snapshot()), true) FROM events`).Scan(&passed); err != nil {
			w.t.Fatal(err)
		}
		if passed {
			break
		}
		if time.Now().After(deadline) {
			w.t.Fatal("a transaction stays open: the digest's fence never passes the test's events")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := w.svc.SendDigests(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	n := w.countRows(w.t.(*testing.T), "SELECT count(*) FROM mail_messages WHERE kind = 'notification_digest'")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := c.Wait(ctx, n)
	if err != nil {
		w.t.Fatal(err)
	}
	out := make([]parsedMail, len(msgs))
	for i, m := range msgs {
		out[i] = readMIME(w.t.(*testing.T), m.Raw)
	}
	return out
}

// digestTo is the one caught digest to addr among msgs (fails on two).
func digestTo(t *testing.T, msgs []parsedMail, addr string) (parsedMail, bool) {
	t.Helper()
	var found []parsedMail
	for _, m := range msgs {
		if strings.Contains(m.header.Get("To"), addr) {
			found = append(found, m)
		}
	}
	if len(found) > 1 {
		t.Fatalf("%d digests to %s", len(found), addr)
	}
	if len(found) == 0 {
		return parsedMail{}, false
	}
	return found[0], true
}

// TestNotificationDigest: the daily digest of a creditor's person who
// asked for it holds its unread payments and only them (not one it read
// in the app, not creditor B's), in French, text and HTML, with the
// Message-ID recorded; an agent's is in English and holds its case's
// payment only; creditor B's person, who did not ask, gets none. Three
// runs at once write one digest each; a day with nothing new sends
// nothing; the next day's digest holds only what is new.
func TestNotificationDigest(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil)
	// Noon UTC: past 07:00 in Paris. On Paris's date, which is a day ahead
	// of UTC's between 23:00 and midnight UTC: the clock may then move 13
	// hours on, past the sessions' life, so they sign in again.
	w.setClock(w.today().String())
	w.signInAgain()
	ctx := context.Background()
	agent := w.users["agent"].ID
	if _, err := w.svc.UpdateCase(ctx, app.System, w.caseA.Case.ID, w.caseA.Case.Version, app.CasePatch{AssignedAgentID: &agent}); err != nil {
		t.Fatal(err)
	}
	if s := w.digestSettings("creditor", true, "fr"); !s.EmailDigest || s.Email != "creditor@recouvra.test" || s.DigestTime != "07:00" ||
		!s.MailConfigured || s.PaymentsByCreditor {
		t.Fatalf("creditor's settings: %+v", s)
	}
	w.digestSettings("agent", true, "en")

	// A payment creditor A's person reads in the app before the digest…
	w.digestPay(w.caseA.Case.ID, 10_000)
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil); r.Status != 200 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	// …then one it does not read, and one of creditor B.
	w.digestPay(w.caseA.Case.ID, 123_456)
	w.digestPay(w.caseB.Case.ID, 77_700)

	msgs := w.sendDigests(catcher)
	if len(msgs) != 2 {
		t.Fatalf("%d digests, want creditor A's and the agent's", len(msgs))
	}
	a, ok := digestTo(t, msgs, "creditor@recouvra.test")
	if !ok {
		t.Fatal("no digest to creditor A's person")
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(a.header.Get("Subject"))
	if !strings.Contains(subject, "vos notifications du "+recouvra.FrenchDate(w.today())+" (1)") {
		t.Fatalf("subject %q", subject)
	}
	for name, part := range map[string]string{"text": a.text, "html": htmlText(a.html)} {
		if !strings.Contains(part, "Paiement de 1\u202f234,56\u00a0€ reçu sur le dossier "+w.caseA.Case.Reference) {
			t.Fatalf("%s part misses the unread payment:\n%s", name, part)
		}
		for _, never := range []string{"100,00", "777,00", w.caseB.Case.Reference} {
			if strings.Contains(part, never) {
				t.Fatalf("%s part holds %q (read in the app, or creditor B's):\n%s", name, never, part)
			}
		}
	}
	// Recorded in the outbox: creditor A's row (row security), its
	// Message-ID, sent (the sender's transaction commits just after the
	// SMTP server accepted).
	var messageID string
	if err := w.db.Pool.QueryRow(ctx, `SELECT message_id FROM mail_messages WHERE kind = 'notification_digest' AND user_id = $1
		AND creditor_id = $2 AND source_key = $3`, w.users["creditor"].ID, w.credA.ID, recouvra.DigestSourceKey(w.users["creditor"].ID, w.today())).Scan(&messageID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		return w.countRows(t, "SELECT count(*) FROM mail_messages WHERE kind = 'notification_digest' AND state = 'sent' AND attempts = 1") == 2
	})
	if a.header.Get("Message-Id") != "<"+messageID+">" {
		t.Fatalf("Message-ID %q, recorded %q", a.header.Get("Message-Id"), messageID)
	}
	ag, ok := digestTo(t, msgs, "agent@recouvra.test")
	if !ok || !strings.Contains(ag.text, "Payment of EUR 1,234.56 received on case "+w.caseA.Case.Reference) ||
		!strings.Contains(ag.text, "Payment of EUR 100.00 received") || strings.Contains(ag.text, w.caseB.Case.Reference) ||
		ag.header.Get("Content-Language") != "en" {
		t.Fatalf("agent's digest (%v):\n%s", ag.header, ag.text)
	}
	if _, ok := digestTo(t, msgs, "creditor_b@recouvra.test"); ok {
		t.Fatal("creditor B's person got a digest it did not ask for")
	}

	// Again, three at once: nothing more.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.svc.SendDigests(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := w.countRows(t, "SELECT count(*) FROM mail_messages WHERE kind = 'notification_digest'"); n != 2 {
		t.Fatalf("%d digests after reruns", n)
	}

	// The next day with nothing new: nothing.
	w.clock.Advance(24 * time.Hour)
	if n, err := w.svc.SendDigests(ctx); err != nil || n != 0 {
		t.Fatalf("a day without news wrote %d digests (%v)", n, err)
	}
	// Something new: only it (the 1 234,56 € payment, still unread, was
	// in yesterday's digest).
	w.digestPay(w.caseA.Case.ID, 4_200)
	msgs = w.sendDigests(catcher)
	if len(msgs) != 4 {
		t.Fatalf("%d digests in all after the second day, want 4", len(msgs))
	}
	var second parsedMail
	for _, m := range msgs[2:] {
		if strings.Contains(m.header.Get("To"), "creditor@recouvra.test") {
			second = m
		}
	}
	if !strings.Contains(second.text, "Paiement de 42,00\u00a0€") || strings.Contains(second.text, "1\u202f234,56") {
		t.Fatalf("second day's digest:\n%s", second.text)
	}
}

// TestPaymentReportsByDigest: a creditor that chooses payments by e-mail
// (CPCE R124-5) has them in the daily digest of its people who did not
// ask for it — payments only, not its stage changes — while a person of
// another creditor who turned the digest off gets none. A creditor sets
// its own choice (another's: 404), an admin any creditor's; bad values 422.
func TestPaymentReportsByDigest(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil)
	w.setClock(w.today().String())
	w.signInAgain() // see TestNotificationDigest
	ctx := context.Background()
	path := func(c uuid.UUID) string { return "/api/v1/creditors/" + c.String() + "/payment-reports" }

	if r := w.as("creditor_b").Do("GET", path(w.credB.ID), nil); r.Status != 200 || !strings.Contains(string(r.Body), `"portal"`) {
		t.Fatalf("default: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor_b").Do("PUT", path(w.credA.ID), map[string]any{"payment_reports": "digest"}); r.Status != 404 {
		t.Fatalf("creditor B on A's choice: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor_b").Do("PUT", path(w.credB.ID), map[string]any{"payment_reports": "e-mail"}); r.Status != 422 {
		t.Fatalf("bad value: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor_b").Do("PUT", path(w.credB.ID), map[string]any{"payment_reports": "digest"}); r.Status != 200 {
		t.Fatalf("creditor B's choice: %d %s", r.Status, r.Body)
	}
	if r := w.as("admin").Do("GET", path(w.credB.ID), nil); r.Status != 200 || !strings.Contains(string(r.Body), `"digest"`) {
		t.Fatalf("admin reads: %d %s", r.Status, r.Body)
	}
	if s := w.digestSettings("creditor_b", false, "fr"); s.EmailDigest || !s.PaymentsByCreditor {
		t.Fatalf("creditor B's person: %+v", s)
	}
	// Creditor A's person asks, then turns it off.
	w.digestSettings("creditor", true, "fr")
	w.digestSettings("creditor", false, "fr")

	w.digestPay(w.caseB.Case.ID, 31_400)
	w.digestPay(w.caseA.Case.ID, 99_900)
	if _, err := w.svc.LogEvent(ctx, app.System, w.caseB.Case.ID, recouvra.EventCall, "", map[string]any{"outcome": "reached"}); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.GetCase(ctx, app.System, w.caseB.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Transition(ctx, app.System, w.caseB.Case.ID, v.Case.Version, recouvra.Move{To: recouvra.StageFormalNotice}); err != nil {
		t.Fatal(err)
	}

	msgs := w.sendDigests(catcher)
	if len(msgs) != 1 {
		t.Fatalf("%d digests, want creditor B's person's only", len(msgs))
	}
	b, ok := digestTo(t, msgs, "creditor_b@recouvra.test")
	if !ok || !strings.Contains(b.text, "Paiement de 314,00\u00a0€ reçu sur le dossier "+w.caseB.Case.Reference) ||
		strings.Contains(b.text, "mise en demeure") || strings.Contains(b.text, "999,00") || !strings.Contains(b.text, "R124-5") ||
		!strings.Contains(htmlText(b.html), "Paiement de 314,00\u00a0€") {
		t.Fatalf("creditor B's digest:\n%s", b.text)
	}

	// An admin sets it back for creditor B: the next day, nothing.
	if r := w.as("admin").Do("PUT", path(w.credB.ID), map[string]any{"payment_reports": "portal"}); r.Status != 200 {
		t.Fatalf("admin's choice: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(24 * time.Hour)
	w.digestPay(w.caseB.Case.ID, 1_000)
	if n, err := w.svc.SendDigests(ctx); err != nil || n != 0 {
		t.Fatalf("portal only again: %d digests (%v)", n, err)
	}
}
