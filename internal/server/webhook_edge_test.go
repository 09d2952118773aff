package server_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// webhookEdge drives one world's webhooks on its clock.
type webhookEdge struct {
	w *world
	t *testing.T
}

func (e webhookEdge) endpoint(id string) endpointOut {
	e.t.Helper()
	var out endpointOut
	if r := e.w.as("admin").Do("GET", "/api/v1/webhook-endpoints/"+id, nil); r.Status != http.StatusOK {
		e.t.Fatalf("endpoint %s: %d %s", id, r.Status, r.Body)
	} else {
		r.Decode(e.t, &out)
	}
	return out
}

// delivery is the endpoint's only delivery of a case.placed.
func (e webhookEdge) delivery(epID string) deliveryOut {
	e.t.Helper()
	var placed []deliveryOut
	for _, d := range e.w.deliveries("admin", epID) {
		if d.Type == "case.placed" {
			placed = append(placed, d)
		}
	}
	if len(placed) != 1 {
		e.t.Fatalf("deliveries of %s: %+v", epID, placed)
	}
	return placed[0]
}

// at moves the clock to t (never back) and runs a round of deliveries.
func (e webhookEdge) at(t time.Time) {
	e.t.Helper()
	if d := t.Sub(e.w.clock.Now()); d > 0 {
		e.w.clock.Advance(d)
	}
	e.w.relogin()
	if _, err := e.w.svc.DeliverWebhooks(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// notices counts what the creditor was told of its endpoints disabled: in
// the bell, and e-mails queued (one per person per disabling).
func (e webhookEdge) notices() (bell, mails int) {
	e.t.Helper()
	items, _ := e.w.bell("creditor")
	var n int
	if err := e.w.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM mail_messages WHERE kind = 'webhook_disabled'").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return len(webhookNotices(items)), n
}

// failUntil retries the endpoint's delivery at each time it is due before
// end, every attempt failing: it stays pending, due again no later than
// deadline, and the endpoint stays enabled with nothing told (the creditor
// was told of told disablings before). It returns the delivery after the
// last attempt before end.
func (e webhookEdge) failUntil(epID string, end, deadline time.Time, told int) deliveryOut {
	e.t.Helper()
	d := e.delivery(epID)
	for d.NextAttemptAt != nil && d.NextAttemptAt.Before(end) {
		tries := len(d.Tries)
		e.at(*d.NextAttemptAt)
		waitFor(e.t, func() bool { d = e.delivery(epID); return len(d.Tries) > tries })
		if d.State != "pending" || d.NextAttemptAt == nil || d.NextAttemptAt.After(deadline) {
			e.t.Fatalf("attempt %d, %v before the deadline, was not retried within the three days: state %s, next %v (deadline %v)",
				len(d.Tries), deadline.Sub(e.w.clock.Now()), d.State, d.NextAttemptAt, deadline)
		}
		if ep := e.endpoint(epID); !ep.Enabled {
			e.t.Fatalf("disabled %v before three days of failures", deadline.Sub(e.w.clock.Now()))
		}
	}
	if bell, mails := e.notices(); bell != told || mails != told {
		e.t.Fatalf("told of a disabling before three days: %d in the bell, %d e-mails (%d before)", bell, mails, told)
	}
	return d
}

// TestWebhookDisabledAtTheEdgeOfThreeDays walks issue 17's rule on the
// controlled clock: a delivery failing since it was queued is retried
// (exponential backoff, then every 8 hours) right up to three days, its
// last try falling on the deadline itself, and the endpoint stays enabled;
// a millisecond before the three days, nothing changes; at three days the
// last try fails, the delivery is given up and the endpoint disabled —
// once: one notification in the bell and one e-mail, however often the
// deliveries run after. A success in between (a ping the endpoint answers)
// starts the three days again: the delivery is still given up three days
// after it was queued, but the endpoint is disabled only three days after
// the first failure that followed the success.
func TestWebhookDisabledAtTheEdgeOfThreeDays(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil, func(c *config.Config) { c.WebhookAllowPrivate = true })
	e := webhookEdge{w: w, t: t}
	var up atomic.Bool // the receiver answers 204 when up, 503 otherwise
	rec := newReceiver(t, func(int) int {
		if up.Load() {
			return http.StatusNoContent
		}
		return http.StatusServiceUnavailable
	})

	// On a whole second, so times read back from the database (kept to
	// the microsecond) compare equal to the test's.
	w.clock.Advance(w.clock.Now().Truncate(time.Second).Add(time.Second).Sub(w.clock.Now()))
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	queued := w.clock.Now()
	w.newCase(w.credA.ID, "Charpentes Leroy SARL", "")
	rec.waitMessages(1)
	deadline := queued.Add(recouvra.WebhookRetryFor)
	waitFor(t, func() bool { return len(e.delivery(ep.ID).Tries) == 1 })

	// Failing for (almost) three days: retried, the last time on the deadline.
	d := e.failUntil(ep.ID, deadline, deadline, 0)
	if !d.NextAttemptAt.Equal(deadline) {
		t.Fatalf("the last try is due at %v, %v before the three days are up: it should fall on the deadline", d.NextAttemptAt, deadline.Sub(*d.NextAttemptAt))
	}
	// Just before the three days are up: nothing is given up, nothing disabled.
	e.at(deadline.Add(-time.Millisecond))
	if d := e.delivery(ep.ID); d.State != "pending" || !e.endpoint(ep.ID).Enabled {
		t.Fatalf("a millisecond before three days: delivery %s, endpoint enabled %v", d.State, e.endpoint(ep.ID).Enabled)
	}
	if bell, mails := e.notices(); bell != 0 || mails != 0 {
		t.Fatalf("a millisecond before three days: %d in the bell, %d e-mails", bell, mails)
	}
	// Three days: the last try is made, fails, and that is the end.
	tries := len(e.delivery(ep.ID).Tries)
	e.at(deadline)
	waitFor(t, func() bool { d = e.delivery(ep.ID); return d.State != "pending" && len(d.Tries) > tries })
	if d.State != "failed" || len(d.Tries) != tries+1 {
		t.Fatalf("at three days: delivery %s after %d tries (had %d): the last try on the deadline was not made", d.State, len(d.Tries), tries)
	}
	if got := e.endpoint(ep.ID); got.Enabled || got.DisabledReason == nil || *got.DisabledReason != "failing" {
		t.Fatalf("at three days the endpoint is %+v", got)
	}
	for _, later := range []time.Duration{time.Second, time.Hour, 24 * time.Hour} {
		e.at(deadline.Add(later))
		if bell, mails := e.notices(); bell != 1 || mails != 1 {
			t.Fatalf("%v after the disabling: %d notifications, %d e-mails, want one of each", later, bell, mails)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := catcher.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}

	// A second endpoint: failing for two days, then a success, then failing again.
	rec2 := newReceiver(t, func(int) int {
		if up.Load() {
			return http.StatusNoContent
		}
		return http.StatusServiceUnavailable
	})
	ep2 := w.register("creditor", rec2.srv.URL, "case.placed")
	queued = w.clock.Now()
	deadline = queued.Add(recouvra.WebhookRetryFor)
	w.newCase(w.credA.ID, "Scierie Vuillermoz SAS", "")
	rec2.waitMessages(1)
	waitFor(t, func() bool { return len(e.delivery(ep2.ID).Tries) == 1 })
	e.failUntil(ep2.ID, queued.Add(48*time.Hour), deadline, 1)
	up.Store(true)
	if r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints/"+ep2.ID+"/ping", nil); r.Status != http.StatusOK {
		t.Fatalf("ping: %d %s", r.Status, r.Body)
	}
	up.Store(false)
	// The next failure starts the count again.
	d = e.delivery(ep2.ID)
	again := *d.NextAttemptAt
	e.failUntil(ep2.ID, deadline, deadline, 1)
	tries = len(e.delivery(ep2.ID).Tries)
	e.at(deadline)
	waitFor(t, func() bool { d = e.delivery(ep2.ID); return d.State != "pending" && len(d.Tries) > tries })
	if d.State != "failed" {
		t.Fatalf("the delivery three days after it was queued: %s", d.State)
	}
	if !e.endpoint(ep2.ID).Enabled {
		t.Fatalf("disabled three days after the first failure, though it succeeded %v ago", deadline.Sub(queued.Add(48*time.Hour)))
	}
	e.at(again.Add(recouvra.WebhookDisableAfter - time.Millisecond))
	if !e.endpoint(ep2.ID).Enabled {
		t.Fatal("disabled a millisecond before three days of failures since the success")
	}
	e.at(again.Add(recouvra.WebhookDisableAfter))
	if got := e.endpoint(ep2.ID); got.Enabled || got.DisabledReason == nil || *got.DisabledReason != "failing" {
		t.Fatalf("three days after the failures began again the endpoint is %+v", got)
	}
	e.at(again.Add(recouvra.WebhookDisableAfter + time.Hour))
	if bell, mails := e.notices(); bell != 2 || mails != 2 {
		t.Fatalf("after the second endpoint's disabling: %d notifications, %d e-mails, want two of each", bell, mails)
	}
}

// TestWebhookNotDisabledUnderATryInFlight: an endpoint failing for more
// than three days whose delivery is being tried right now — leased by
// another instance, its request on the wire — is not disabled by this
// instance's sweep: that try decides (it would otherwise fail a delivery
// the endpoint may be about to accept). Once the lease has run out with no
// answer recorded (the other instance died), the sweep disables it, once.
func TestWebhookNotDisabledUnderATryInFlight(t *testing.T) {
	t.Parallel()
	w, _ := mailWorld(t, nil, func(c *config.Config) { c.WebhookAllowPrivate = true })
	e := webhookEdge{w: w, t: t}
	rec := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	w.newCase(w.credA.ID, "Menuiserie Bailly SARL", "")
	rec.waitMessages(1)
	waitFor(t, func() bool { return len(e.delivery(ep.ID).Tries) == 1 })

	now := w.clock.Now()
	w.exec(t, `UPDATE webhook_endpoints SET failing_since = '`+now.Add(-recouvra.WebhookDisableAfter-time.Hour).Format(time.RFC3339Nano)+`' WHERE id = '`+ep.ID+`'`)
	w.exec(t, `UPDATE webhook_deliveries SET lease_until = '`+now.Add(2*time.Minute).Format(time.RFC3339Nano)+`', next_attempt_at = '`+
		now.Add(time.Hour).Format(time.RFC3339Nano)+`' WHERE endpoint_id = '`+ep.ID+`'`)
	e.at(now.Add(time.Second))
	if d := e.delivery(ep.ID); d.State != "pending" || !e.endpoint(ep.ID).Enabled {
		t.Fatalf("under a try in flight: delivery %s, endpoint enabled %v", d.State, e.endpoint(ep.ID).Enabled)
	}
	if bell, mails := e.notices(); bell != 0 || mails != 0 {
		t.Fatalf("told of a disabling under a try in flight: %d, %d", bell, mails)
	}
	// The lease runs out, nothing recorded: the sweep disables it.
	e.at(now.Add(3 * time.Minute))
	if got := e.endpoint(ep.ID); got.Enabled || e.delivery(ep.ID).State != "failed" {
		t.Fatalf("after the lease: endpoint %+v, delivery %s", got, e.delivery(ep.ID).State)
	}
	if bell, mails := e.notices(); bell != 1 || mails != 1 {
		t.Fatalf("after the lease: %d notifications, %d e-mails", bell, mails)
	}
}
