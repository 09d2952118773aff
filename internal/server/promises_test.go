package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// today is the test world's calendar day.
func (w *world) today() recouvra.Date { return recouvra.DateOf(w.clock.Now()) }

// days moves the world's clock n days on, and signs the people in again
// (their sessions last hours).
func (w *world) days(n int) {
	w.t.Helper()
	w.clock.Advance(time.Duration(n) * 24 * time.Hour)
	w.signInAgain()
}

// signInAgain signs the world's people in again at the clock's time: a
// clock moved hours on finds their sessions expired.
func (w *world) signInAgain() {
	w.t.Helper()
	for name, u := range w.users {
		w.tokens[name] = w.login(u.Email)
	}
}

// promise logs, as the agent, a promise of cents due in dueIn days.
func (w *world) promise(id uuid.UUID, cents int64, dueIn int) {
	w.t.Helper()
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/events", map[string]any{"type": "promise",
		"data": map[string]any{"amount_cents": cents, "due_on": w.today().AddDays(dueIn).String()}})
	if r.Status != 201 {
		w.t.Fatalf("promise: %d %s", r.Status, r.Body)
	}
}

// payToday records, as the agent, cents received today; it returns the payment.
func (w *world) payToday(id uuid.UUID, cents int64) string {
	w.t.Helper()
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/payments",
		map[string]any{"amount_cents": cents, "received_on": w.today().String(), "method": "transfer"}, "Idempotency-Key", "promise-pay-"+w.unique())
	var p oapi.Payment
	r.Decode(w.t, &p)
	if r.Status != 201 {
		w.t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	return p.Id.String()
}

func (w *world) reverse(payment string) {
	w.t.Helper()
	if r := w.as("agent").Do("POST", "/api/v1/payments/"+payment+"/reverse", map[string]any{"reason": "Chèque impayé"}); r.Status != 200 {
		w.t.Fatalf("reverse: %d %s", r.Status, r.Body)
	}
}

// promiseEvents lists the case's promise_kept and promise_broken events as
// c sees them.
func (w *world) promiseEvents(c *apitest.Client, id uuid.UUID) []oapi.Event {
	w.t.Helper()
	r := c.Do("GET", "/api/v1/cases/"+id.String()+"/events?limit=200", nil)
	var page oapi.EventPage
	r.Decode(w.t, &page)
	if r.Status != 200 {
		w.t.Fatalf("events: %d %s", r.Status, r.Body)
	}
	var out []oapi.Event
	for _, e := range page.Items {
		if e.Type == "promise_kept" || e.Type == "promise_broken" {
			out = append(out, e)
		}
	}
	return out
}

// caseOf reads a case as the admin.
func (w *world) caseOf(id uuid.UUID) oapi.Case {
	w.t.Helper()
	r := w.as("admin").Do("GET", "/api/v1/cases/"+id.String(), nil)
	var c oapi.Case
	r.Decode(w.t, &c)
	if r.Status != 200 {
		w.t.Fatalf("case: %d %s", r.Status, r.Body)
	}
	return c
}

func types(evs []oapi.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestPromiseKeptByTwoPayments: 500 € promised in ten days, paid 200 € two
// days later and 300 € on the second grace day; the system marks it kept
// (no actor, shared: the creditor sees it), once; a person may not.
func TestPromiseKeptByTwoPayments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID
	w.promise(id, 50000, 10)
	if c := w.caseOf(id); c.Promise.IsNull() {
		t.Fatal("no pending promise on the case")
	}
	w.days(2)
	w.payToday(id, 20000)
	if evs := w.promiseEvents(w.as("admin"), id); len(evs) != 0 {
		t.Fatalf("200 € of 500 €: %v", types(evs))
	}
	w.days(10) // due + 2: within the 3 grace days
	w.payToday(id, 30000)
	evs := w.promiseEvents(w.as("creditor"), id)
	if len(evs) != 1 || evs[0].Type != "promise_kept" || evs[0].Visibility != "shared" || !evs[0].ActorUserId.IsNull() || evs[0].Data["paid_cents"] != float64(50000) || evs[0].Data["automatic"] != true {
		t.Fatalf("events: %+v", evs)
	}
	c := w.caseOf(id)
	if !c.Promise.IsNull() || c.BrokenPromises != 0 {
		t.Fatalf("case after: promise %v, broken %d", c.Promise, c.BrokenPromises)
	}
	// More money and the sweep change nothing.
	w.days(5)
	w.payToday(id, 1000)
	if _, err := w.svc.SweepPromises(context.Background()); err != nil {
		t.Fatal(err)
	}
	if evs := w.promiseEvents(w.as("admin"), id); len(evs) != 1 {
		t.Fatalf("events after: %v", types(evs))
	}
	// "Kept" is the payments' to say: a person's is refused.
	w.promise(id, 10000, 5)
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/events", map[string]any{"type": "promise_kept", "data": map[string]any{}})
	if r.Status != 422 || fieldCodes(r.Problem(t))["type"] != "judged_by_payments" {
		t.Fatalf("hand-logged kept: %d %s", r.Status, r.Body)
	}
}

// TestPromiseBrokenBySweep: the job breaks a promise the day after its
// last grace day, on the world's clock, once — even with two sweeps at
// once; the case counts it for the queue.
func TestPromiseBrokenBySweep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	id := w.caseA.Case.ID
	w.promise(id, 30000, 5)
	w.days(1)
	w.payToday(id, 10000) // a part only
	w.days(7)             // due + 3: the last grace day
	if _, err := w.svc.SweepPromises(ctx); err != nil {
		t.Fatal(err)
	}
	if evs := w.promiseEvents(w.as("admin"), id); len(evs) != 0 {
		t.Fatalf("last grace day: %v", types(evs))
	}
	w.days(1)
	var wg sync.WaitGroup
	broken := make([]int, 2)
	for i := range broken {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.svc.SweepPromises(ctx)
			if err != nil {
				t.Error(err)
			}
			broken[i] = n
		}()
	}
	wg.Wait()
	if n, err := w.svc.SweepPromises(ctx); err != nil || n != 0 {
		t.Fatalf("a third sweep: %d, %v", n, err)
	}
	evs := w.promiseEvents(w.as("creditor"), id)
	if len(evs) != 1 || evs[0].Type != "promise_broken" || evs[0].Data["paid_cents"] != float64(10000) || !evs[0].ActorUserId.IsNull() {
		t.Fatalf("events: %+v", evs)
	}
	if broken[0]+broken[1] > 1 {
		t.Fatalf("two sweeps broke %v", broken)
	}
	c := w.caseOf(id)
	if c.BrokenPromises != 1 || !c.Promise.IsNull() {
		t.Fatalf("case: broken %d, promise %v", c.BrokenPromises, c.Promise)
	}
	// The queue shows it.
	r := w.as("agent").Do("GET", "/api/v1/queue", nil)
	if r.Status != 200 {
		t.Fatalf("queue: %d", r.Status)
	}
}

// TestPromiseReversalAfterKept: a kept promise whose payment bounces is
// pending again within its grace, broken after it.
func TestPromiseReversalAfterKept(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID
	w.promise(id, 40000, 5)
	first := w.payToday(id, 40000) // the day it was made: it counts
	if evs := w.promiseEvents(w.as("admin"), id); len(types(evs)) != 1 || evs[0].Type != "promise_kept" {
		t.Fatalf("after paying: %v", types(evs))
	}
	w.days(3)
	w.reverse(first)
	c := w.caseOf(id)
	if c.Promise.IsNull() || c.BrokenPromises != 0 {
		t.Fatalf("reversed within grace: promise %v, broken %d", c.Promise, c.BrokenPromises)
	}
	if evs := w.promiseEvents(w.as("admin"), id); len(evs) != 1 {
		t.Fatalf("reversed within grace: %v", types(evs))
	}
	w.days(1)
	second := w.payToday(id, 40000)
	w.days(10) // grace over
	w.reverse(second)
	evs := w.promiseEvents(w.as("creditor"), id)
	if got := types(evs); len(got) != 3 || got[1] != "promise_kept" || got[2] != "promise_broken" {
		t.Fatalf("after the second reversal: %v", got)
	}
	if c := w.caseOf(id); c.BrokenPromises != 1 || !c.Promise.IsNull() {
		t.Fatalf("case: broken %d, promise %v", c.BrokenPromises, c.Promise)
	}
	// A payment before a promise was made does not keep it.
	w.payToday(id, 5000)
	w.days(1)
	w.promise(id, 5000, 2)
	if c := w.caseOf(id); c.Promise.IsNull() {
		t.Fatal("a payment of the day before kept the new promise")
	}
}

// TestForecast counts by hand: creditor A has 2 promises kept and 1 broken
// (rate 6666 bps); pending, 900 € of which 300 € paid due tomorrow, 200 €
// in 20 days, and one beyond the 13 weeks; creditor B one of 700 €.
func TestForecast(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	a2 := w.newCase(w.credA.ID, "Charpentes Roux SARL", "")
	a3 := w.newCase(w.credA.ID, "Tuilerie Blanc SAS", "")
	a4 := w.newCase(w.credA.ID, "Vitrerie Noël SA", "")
	t0 := w.today()
	for _, c := range []uuid.UUID{a2.Case.ID, a3.Case.ID} {
		w.promise(c, 10000, 2)
		w.payToday(c, 10000)
	}
	w.promise(a4.Case.ID, 5000, 2)
	w.payToday(w.caseB.Case.ID, 7770) // B's money is not A's
	w.days(6)
	if _, err := w.svc.SweepPromises(ctx); err != nil {
		t.Fatal(err)
	}
	t1 := w.today()
	w.promise(w.caseA.Case.ID, 90000, 1)
	w.payToday(w.caseA.Case.ID, 30000)
	w.promise(a2.Case.ID, 20000, 20)
	w.promise(a3.Case.ID, 15000, 200)
	w.promise(w.caseB.Case.ID, 70000, 3)

	monday := t1.AddDays(-((int(t1.Weekday()) + 6) % 7))
	week := func(d recouvra.Date) int { return monday.DaysUntil(d) / 7 }
	wantPromised := make([]int64, 13)
	wantPromised[week(t1.AddDays(1))] += 60000
	wantPromised[week(t1.AddDays(20))] += 20000
	wantReceived := int64(0)
	if t0.Before(monday) {
		wantReceived = 20000 // the two kept promises' payments, last week
	}

	check := func(who, query string, promised []int64, rate int, neutral bool, received int64) oapi.PortfolioForecast {
		t.Helper()
		r := w.as(who).Do("GET", "/api/v1/portfolio/forecast"+query, nil)
		var f oapi.PortfolioForecast
		r.Decode(t, &f)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", who, r.Status, r.Body)
		}
		if f.Weighting.KeptRateBps != rate || f.Weighting.Neutral != neutral || len(f.Weeks) != 13 || len(f.Received) != 13 || f.GraceDays != 3 {
			t.Fatalf("%s: %+v", who, f)
		}
		var sumP, sumE int64
		for i, wk := range f.Weeks {
			want := promised[i] * int64(rate) / 10000 // exact here: no half cent
			if wk.PromisedCents != promised[i] || wk.ExpectedCents != want || wk.StartsOn.Time != monday.AddDays(7*i).Time() {
				t.Errorf("%s week %d (%s): promised %d expected %d, want %d and %d", who, i, wk.Week, wk.PromisedCents, wk.ExpectedCents, promised[i], want)
			}
			sumP, sumE = sumP+promised[i], sumE+want
		}
		if f.PromisedCents != sumP || f.ExpectedCents != sumE || f.ReceivedCents != received {
			t.Errorf("%s totals: %d %d %d, want %d %d %d", who, f.PromisedCents, f.ExpectedCents, f.ReceivedCents, sumP, sumE, received)
		}
		return f
	}
	fa := check("creditor", "", wantPromised, 6666, false, wantReceived)
	if fa.Weighting.Kept != 2 || fa.Weighting.Broken != 1 || fa.CreditorId != w.credA.ID {
		t.Fatalf("A's weighting: %+v", fa.Weighting)
	}
	check("api_key", "", wantPromised, 6666, false, wantReceived)
	check("admin", "?creditor_id="+w.credA.ID.String(), wantPromised, 6666, false, wantReceived)

	// B: its own promise only, at the neutral rate; never A's.
	wantB := make([]int64, 13)
	wantB[week(t1.AddDays(3))] = 70000
	receivedB := int64(0)
	if t0.Before(monday) {
		receivedB = 7770
	}
	fb := check("creditor_b", "", wantB, 5000, true, receivedB)
	if fb.CreditorId != w.credB.ID {
		t.Fatalf("B's forecast names %s", fb.CreditorId)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/portfolio/forecast?creditor_id="+w.credB.ID.String(), nil); r.Status != 404 {
		t.Fatalf("A asking B's: %d %s", r.Status, r.Body)
	}
	if r := w.as("admin").Do("GET", "/api/v1/portfolio/forecast", nil); r.Status != 422 || fieldCodes(r.Problem(t))["query.creditor_id"] != "required" {
		t.Fatalf("admin without a creditor: %d %s", r.Status, r.Body)
	}
}

// startSweepDone waits until the server's start-up run of the hourly
// promise sweep has completed (River runs it once when the server starts,
// on the world's clock). A test that then moves the clock past a promise's
// grace and expects it not yet swept is safe for the next hour; without
// this, a start-up run delayed under load swept it on the moved clock.
func (w *world) startSweepDone() {
	w.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind = 'periodic' AND args->>'name' = 'promise_sweep' AND state = 'completed'`).Scan(&n); err != nil {
			w.t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatal("the server's start-up promise sweep has not run within a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
