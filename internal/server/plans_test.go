package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// newPlan asks, as the agent, for a plan on a case: a generated monthly
// schedule of count instalments from in days (14 or more goes past the
// mandate's default twelve months, so it needs the creditor's approval).
func (w *world) newPlan(c *apitest.Client, caseID uuid.UUID, count, in int, approval bool) *apitest.Response {
	w.t.Helper()
	return c.Do("POST", "/api/v1/cases/"+caseID.String()+"/plans", map[string]any{
		"schedule":         map[string]any{"frequency": "monthly", "count": count, "first_on": w.today().AddDays(in).String()},
		"request_approval": approval,
	}, "Idempotency-Key", "plan-key-"+w.unique())
}

// plan creates a plan (as the agent) and fails unless it is recorded.
func (w *world) plan(caseID uuid.UUID, count int, approval bool) oapi.Plan {
	w.t.Helper()
	r := w.newPlan(w.as("agent"), caseID, count, 10, approval)
	var p oapi.Plan
	r.Decode(w.t, &p)
	if r.Status != 201 {
		w.t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	return p
}

// eventsOf lists the case's events of the given types as c sees them.
func (w *world) eventsOf(c *apitest.Client, id uuid.UUID, kinds ...string) []oapi.Event {
	w.t.Helper()
	r := c.Do("GET", "/api/v1/cases/"+id.String()+"/events?limit=200", nil)
	var page oapi.EventPage
	r.Decode(w.t, &page)
	if r.Status != 200 {
		w.t.Fatalf("events: %d %s", r.Status, r.Body)
	}
	var out []oapi.Event
	for _, e := range page.Items {
		for _, k := range kinds {
			if e.Type == k {
				out = append(out, e)
			}
		}
	}
	return out
}

func problemFields(t *testing.T, r *apitest.Response) map[string]string {
	t.Helper()
	if r.Status != 422 {
		t.Fatalf("want 422, got %d %s", r.Status, r.Body)
	}
	out := map[string]string{}
	for _, e := range r.Problem(t).Errors {
		out[e.Field] = e.Code
	}
	return out
}

// TestPlanCreateAndValidate: bad instalments are refused naming each one;
// a plan outside the mandate's rules is refused unless sent for approval;
// one within them runs at once, pauses the formal notice, and is recorded
// once whatever the retries of its Idempotency-Key.
func TestPlanCreateAndValidate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID
	agent := w.as("agent")
	path := "/api/v1/cases/" + id.String() + "/plans"
	day := func(n int) string { return w.today().AddDays(n).String() }

	got := problemFields(t, agent.Do("POST", path, map[string]any{"instalments": []map[string]any{
		{"due_on": day(-1), "amount_cents": 1000}, {"due_on": day(20), "amount_cents": 1000}, {"due_on": day(10), "amount_cents": 1000}}},
		"Idempotency-Key", "plan-bad-1"))
	if got["instalments[0].due_on"] != "past" || got["instalments[2].due_on"] != "not_increasing" || got["instalments[2].amount_cents"] != "sum_mismatch" {
		t.Fatalf("errors %v", got)
	}
	// Outside the mandate's twelve months: refused naming the last instalment.
	if got = problemFields(t, w.newPlan(agent, id, 14, 10, false)); got["instalments[13].due_on"] != "too_long" {
		t.Fatalf("outside the rules: %v", got)
	}

	key := "plan-ok-" + w.unique()
	body := map[string]any{"schedule": map[string]any{"frequency": "monthly", "count": 3, "first_on": day(10),
		"down_payment_cents": 10000, "down_payment_on": day(2)}}
	r := agent.Do("POST", path, body, "Idempotency-Key", key)
	var p oapi.Plan
	r.Decode(t, &p)
	if r.Status != 201 || p.Status != "kept" || p.Origin != "agent" || len(p.Instalments) != 4 || p.Instalments[0].AmountCents != 10000 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var sum int64
	for _, in := range p.Instalments {
		sum += in.AmountCents
	}
	if sum != p.TotalCents || p.TotalCents <= 120000 {
		t.Fatalf("instalments sum %d, plan total %d (the principal of 1 200 € with interest and indemnity)", sum, p.TotalCents)
	}
	again := agent.Do("POST", path, body, "Idempotency-Key", key)
	if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(r.Body) {
		t.Fatalf("retry: %d %q %s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	if evs := w.eventsOf(w.as("creditor"), id, "plan_accepted"); len(evs) != 1 || evs[0].Visibility != "shared" {
		t.Fatalf("plan_accepted events seen by the creditor: %+v", evs)
	}
	// One open plan per case.
	if got = problemFields(t, w.newPlan(agent, id, 2, 10, false)); got["plan"] != "plan_open" {
		t.Fatalf("second plan: %v", got)
	}
	// The formal notice waits while the plan is kept.
	notice := func() *apitest.Response {
		return agent.Do("POST", "/api/v1/cases/"+id.String()+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(id.String()))
	}
	if got = problemFields(t, notice()); got["to"] != "guard.plan_running" {
		t.Fatalf("formal notice during a plan: %v", got)
	}
	// The creditor reads it; another creditor does not.
	if r := w.as("creditor").Do("GET", "/api/v1/plans/"+p.Id.String(), nil); r.Status != 200 {
		t.Fatalf("creditor reads its plan: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor_b").Do("GET", "/api/v1/plans/"+p.Id.String(), nil); r.Status != 404 {
		t.Fatalf("another creditor: %d %s", r.Status, r.Body)
	}
	// Cancelled, escalation may resume.
	if r := agent.Do("POST", "/api/v1/plans/"+p.Id.String()+"/cancel", map[string]any{"reason": "Le débiteur a changé d'avis"}); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if got = problemFields(t, notice()); got["to"] == "guard.plan_running" {
		t.Fatalf("the cancelled plan still stops the formal notice: %v", got)
	}
}

// TestPlanApprovedOrRefusedByCreditor: outside the rules a plan waits for
// the creditor, who is told (approval_requested); it approves one, refuses
// another with its reason; the agent cannot decide.
func TestPlanApprovedOrRefusedByCreditor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.plan(w.caseA.Case.ID, 14, true)
	if p.Status != "pending_approval" || len(p.Deviations) == 0 || *p.Deviations[0].Field != "instalments[13].due_on" {
		t.Fatalf("pending plan: %+v", p)
	}
	if evs := w.eventsOf(w.as("creditor"), w.caseA.Case.ID, "plan_proposed", "approval_requested"); len(evs) != 2 {
		t.Fatalf("creditor's events: %v", types(evs))
	}
	if r := w.as("agent").Do("POST", "/api/v1/plans/"+p.Id.String()+"/approve", map[string]any{}); r.Status != 403 {
		t.Fatalf("agent approves: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor_b").Do("POST", "/api/v1/plans/"+p.Id.String()+"/approve", map[string]any{}); r.Status != 404 {
		t.Fatalf("another creditor approves: %d %s", r.Status, r.Body)
	}
	r := w.as("creditor").Do("POST", "/api/v1/plans/"+p.Id.String()+"/approve", map[string]any{"reason": "D'accord"})
	var got oapi.Plan
	r.Decode(t, &got)
	if r.Status != 200 || got.Status != "kept" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if evs := w.eventsOf(w.as("agent"), w.caseA.Case.ID, "plan_approved"); len(evs) != 1 {
		t.Fatalf("agent sees the approval: %v", types(evs))
	}
	if r := w.as("creditor").Do("POST", "/api/v1/plans/"+p.Id.String()+"/approve", map[string]any{}); r.Status != 422 {
		t.Fatalf("approved twice: %d %s", r.Status, r.Body)
	}

	other := w.newCase(w.credA.ID, "Bois et Scieries SAS", "552100554")
	q := w.plan(other.Case.ID, 14, true)
	if r := w.as("creditor").Do("POST", "/api/v1/plans/"+q.Id.String()+"/refuse", map[string]any{"reason": ""}); r.Status != 422 {
		t.Fatalf("refusal without reason: %d %s", r.Status, r.Body)
	}
	r = w.as("creditor").Do("POST", "/api/v1/plans/"+q.Id.String()+"/refuse", map[string]any{"reason": "Trop long : six mois au plus"})
	r.Decode(t, &got)
	if r.Status != 200 || got.Status != "refused" || got.DecisionReason != "Trop long : six mois au plus" {
		t.Fatalf("refuse: %d %s", r.Status, r.Body)
	}
	if evs := w.eventsOf(w.as("agent"), other.Case.ID, "plan_refused"); len(evs) != 1 || evs[0].Data["reason"] != "Trop long : six mois au plus" {
		t.Fatalf("agent sees the refusal: %+v", evs)
	}
}

// TestPlanFollowsPaymentsAndSweep: payments are matched to instalments in
// order; the forecast counts what is still due; the sweep misses the
// second instalment after its grace and breaks the plan; a new plan
// resumes it. Signing the agreement restarts the time bar.
func TestPlanFollowsPaymentsAndSweep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	id := w.caseA.Case.ID
	p := w.plan(id, 2, false)
	first, second := p.Instalments[0], p.Instalments[1]

	// The forecast counts both instalments (no promise judged: 50 %).
	r := w.as("creditor").Do("GET", "/api/v1/portfolio/forecast", nil)
	var f oapi.PortfolioForecast
	r.Decode(t, &f)
	var promised int64
	for _, wk := range f.Weeks {
		promised += wk.PromisedCents
	}
	if r.Status != 200 || promised != first.AmountCents+second.AmountCents {
		t.Fatalf("forecast promised %d, want %d: %s", promised, first.AmountCents+second.AmountCents, r.Body)
	}

	// Signed today: an acknowledgement, the time bar runs again from today.
	r = w.as("agent").Do("POST", "/api/v1/plans/"+p.Id.String()+"/sign", map[string]any{})
	if r.Status != 200 {
		t.Fatalf("sign: %d %s", r.Status, r.Body)
	}
	var st oapi.Statement
	w.as("agent").Do("GET", "/api/v1/cases/"+id.String()+"/statement", nil).Decode(t, &st)
	if want := w.today().AddYears(5).String(); st.Claims[0].TimeBarOn.String() != want {
		t.Fatalf("time bar %s, want %s after the acknowledgement", st.Claims[0].TimeBarOn, want)
	}

	w.days(10)
	w.payToday(id, first.AmountCents)
	w.as("agent").Do("GET", "/api/v1/plans/"+p.Id.String(), nil).Decode(t, &p)
	if p.Instalments[0].Status != "paid" || p.Instalments[1].Status != "due" || p.Status != "kept" {
		t.Fatalf("after the first payment: %+v", p.Instalments)
	}
	// The second falls due a month later; five grace days; the sweep then.
	graceEnd := recouvra.MustDate(second.DueOn.String()).AddDays(5)
	w.days(w.today().DaysUntil(graceEnd))
	if n, err := w.svc.SweepPlans(ctx); err != nil || n != 0 {
		t.Fatalf("sweep within grace: %d %v", n, err)
	}
	w.days(1)
	if n, err := w.svc.SweepPlans(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after grace: %d %v", n, err)
	}
	if n, err := w.svc.SweepPlans(ctx); err != nil || n != 0 {
		t.Fatalf("sweep again: %d %v", n, err)
	}
	evs := w.eventsOf(w.as("creditor"), id, "instalment_missed", "plan_broken")
	if len(evs) != 2 || evs[0].Type != "instalment_missed" || evs[1].Type != "plan_broken" || !evs[1].ActorUserId.IsNull() {
		t.Fatalf("events: %v", types(evs))
	}
	w.as("agent").Do("GET", "/api/v1/plans/"+p.Id.String(), nil).Decode(t, &p)
	if p.Status != "broken" || p.Instalments[1].Status != "missed" {
		t.Fatalf("broken plan: %+v", p)
	}
	// Broken, escalation resumes: the case is in the queue (its next
	// action due by today) and the formal notice is no longer held by the
	// plan.
	var cv oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+id.String(), nil).Decode(t, &cv)
	if !cv.NextActionOn.IsSpecified() || recouvra.MustDate(cv.NextActionOn.MustGet().String()).After(w.today()) {
		t.Fatalf("next action on %v after the break, want by today %s", cv.NextActionOn, w.today())
	}
	notice := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(id.String()))
	if notice.Status == 422 && problemFields(t, notice)["to"] == "guard.plan_running" {
		t.Fatalf("the broken plan still holds the formal notice: %s", notice.Body)
	}
	// A new plan follows the broken one.
	q := w.plan(id, 2, false)
	if q.Status != "kept" || q.ResumesPlanId.MustGet() != p.Id {
		t.Fatalf("resumed: %+v", q)
	}
}

// newPlanOn records a plan directly (the world's System principal) on a
// case: kept within the mandate's rules (two instalments), or waiting for
// the creditor's approval (fourteen months).
func (w *world) newPlanOn(caseID uuid.UUID, pending bool) uuid.UUID {
	w.t.Helper()
	count := 2
	if pending {
		count = 14
	}
	v, err := w.svc.CreatePlan(context.Background(), app.System, caseID, app.PlanProposal{RequestApproval: pending,
		Schedule: &recouvra.Schedule{Frequency: recouvra.Monthly, Count: count, FirstOn: w.today().AddDays(10)}})
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Plan.ID
}

// freshPlan is a plan of its own on a new case of creditor (one open plan
// per case): for the routes that change it.
func (w *world) freshPlan(creditor uuid.UUID, pending bool) uuid.UUID {
	w.t.Helper()
	return w.newPlanOn(w.newCase(creditor, "Échelonné SAS "+w.unique(), "552100554").Case.ID, pending)
}

// planOf is a fresh plan of the target (creditor A's own, creditor B's
// other, or a missing id), for the access matrix.
func (w *world) planOf(t target, pending bool) string {
	w.t.Helper()
	switch t {
	case own:
		return w.freshPlan(w.credA.ID, pending).String()
	case other:
		return w.freshPlan(w.credB.ID, pending).String()
	}
	return uuid.Must(uuid.NewV7()).String()
}

// TestPlanFreezesInterest: under a mandate that freezes interest while a
// plan runs, the statement the agent and the creditor read stops counting
// interest the day after the plan is made, stays at the plan's total while
// it is kept, counts again from the day it breaks (before and after the
// sweep records it), and a plan that follows freezes it again.
func TestPlanFreezesInterest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID
	if r := w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"plan_interest_frozen": true}}); r.Status != 200 {
		t.Fatalf("mandate: %d %s", r.Status, r.Body)
	}
	statement := func(who string) oapi.Statement {
		t.Helper()
		var st oapi.Statement
		if r := w.as(who).Do("GET", "/api/v1/cases/"+id.String()+"/statement", nil); r.Status != 200 {
			t.Fatalf("statement: %d %s", r.Status, r.Body)
		} else {
			r.Decode(t, &st)
		}
		return st
	}
	lastLine := func(st oapi.Statement) oapi.InterestLine {
		ls := st.Claims[0].InterestLines
		return ls[len(ls)-1]
	}
	made := w.today()
	p := w.plan(id, 3, false)
	if !p.InterestFrozen || p.Status != "kept" {
		t.Fatalf("plan: %+v", p)
	}
	st := statement("agent")
	if st.Totals.TotalDueCents != p.TotalCents || lastLine(st).To.String() != made.String() {
		t.Fatalf("the day it is made: due %d, plan %d, last line %+v", st.Totals.TotalDueCents, p.TotalCents, lastLine(st))
	}
	w.days(8)
	for _, who := range []string{"agent", "creditor"} {
		st = statement(who)
		if st.Totals.TotalDueCents != p.TotalCents || lastLine(st).To.String() != made.String() || !strings.Contains(st.Claims[0].RateNote, "Intérêts gelés") {
			t.Fatalf("%s, 8 days into the plan: due %d, want %d; last line %+v; note %q", who, st.Totals.TotalDueCents, p.TotalCents, lastLine(st), st.Claims[0].RateNote)
		}
	}
	// Nothing paid: the first instalment's grace ends, the plan breaks the
	// next day and interest runs again from that day.
	breakOn := recouvra.MustDate(p.Instalments[0].DueOn.String()).AddDays(6)
	w.days(w.today().DaysUntil(breakOn))
	st = statement("agent")
	if l := lastLine(st); l.From.String() != breakOn.String() || l.Days != 1 || st.Totals.TotalDueCents != p.TotalCents+l.AmountCents {
		t.Fatalf("day of break, before the sweep: due %d (plan %d), last line %+v", st.Totals.TotalDueCents, p.TotalCents, l)
	}
	if n, err := w.svc.SweepPlans(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if again := statement("creditor"); again.Totals != st.Totals {
		t.Fatalf("after the sweep: %+v, before %+v", again.Totals, st.Totals)
	}
	// A new plan freezes interest again from the day after it is made.
	w.days(3)
	q := w.plan(id, 2, false)
	w.days(4)
	st = statement("agent")
	if l := lastLine(st); st.Totals.TotalDueCents != q.TotalCents || l.From.String() != breakOn.String() || l.To.String() != breakOn.AddDays(3).String() {
		t.Fatalf("second plan: due %d, plan %d, last line %+v", st.Totals.TotalDueCents, q.TotalCents, l)
	}
}
