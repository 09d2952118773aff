package recouvra_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// frozenPlan is a plan made on made, running at once, freezing interest,
// one miss breaking it, 5 grace days, its instalments (date, cents).
func frozenPlan(caseID uuid.UUID, made string, ins ...any) recouvra.Plan {
	p := recouvra.Plan{ID: uuid.New(), CaseID: caseID, Origin: recouvra.PlanByAgent, Status: recouvra.PlanKept, Currency: "EUR",
		InterestFrozen: true, GraceDays: 5, MissesBeforeBroken: 1, MadeOn: recouvra.MustDate(made), RunningFrom: recouvra.MustDate(made)}
	for i := 0; i < len(ins); i += 2 {
		cents := ins[i+1].(int64)
		p.Instalments = append(p.Instalments, recouvra.Instalment{Seq: i / 2, DueOn: recouvra.MustDate(ins[i].(string)), AmountCents: cents, Status: recouvra.InstalmentDue})
		p.TotalCents += cents
	}
	return p
}

// frozenStatement is the b2b claim's statement at asOf with the freezes of
// plans, judged on pays.
func frozenStatement(asOf string, plans []recouvra.Plan, pays ...recouvra.Payment) recouvra.Statement {
	in := b2bInput(asOf, pays...)
	in.Freezes = recouvra.PlanFreezes(plans, pays, in.AsOf)
	return recouvra.ComputeStatement(in)
}

func lastLine(t *testing.T, st recouvra.Statement) recouvra.InterestLine {
	t.Helper()
	ls := st.Claims[0].Lines
	if len(ls) == 0 {
		t.Fatal("no interest line")
	}
	return ls[len(ls)-1]
}

// TestInterestFrozenWhileAPlanRuns: the 10 000 € invoice due 15 June 2025
// (12,15 % from July) under a plan made on 14 August 2025 that freezes
// interest. The day it is made still carries interest (the plan spreads
// that day's statement); from the next day none runs while it is kept; the
// plan breaks the day after the grace of its missed instalment, and
// interest runs again from that very day, on what is left, without
// reaching back over the frozen days; a new plan freezes it again.
func TestInterestFrozenWhileAPlanRuns(t *testing.T) {
	caseID := uuid.New()
	pay := func(on string, cents int64) recouvra.Payment {
		return recouvra.Payment{ID: uuid.New(), CaseID: caseID, AmountCents: cents, ReceivedOn: recouvra.MustDate(on), Method: recouvra.MethodTransfer, Currency: "EUR"}
	}
	madeDay := recouvra.ComputeStatement(b2bInput("2025-08-14")).Totals.TotalDueCents // 1 024 383
	p := frozenPlan(caseID, "2025-08-14", "2025-08-24", int64(400_000), "2025-09-24", int64(400_000), "2025-10-24", madeDay-800_000)
	plans := []recouvra.Plan{p}

	// First day of the plan: that day's interest is in its total.
	if got := frozenStatement("2025-08-14", plans).Totals.TotalDueCents; got != madeDay {
		t.Fatalf("the day the plan is made: %d, want %d", got, madeDay)
	}
	// The next day: frozen (without the plan, one more day of interest).
	if got, free := frozenStatement("2025-08-15", plans).Totals.TotalDueCents, recouvra.ComputeStatement(b2bInput("2025-08-15")).Totals.TotalDueCents; got != madeDay || free <= madeDay {
		t.Fatalf("first frozen day: %d (without the plan %d), want %d", got, free, madeDay)
	}
	// A plan never run (waiting for the creditor) or a mandate that does
	// not freeze: interest runs.
	waiting, running := p, p
	waiting.Status, waiting.RunningFrom = recouvra.PlanPendingApproval, recouvra.Date{}
	running.InterestFrozen = false
	for _, q := range []recouvra.Plan{waiting, running} {
		if got := frozenStatement("2025-08-15", []recouvra.Plan{q}).Totals.TotalDueCents; got == madeDay {
			t.Fatalf("plan %s, frozen %v: interest should run", q.Status, q.InterestFrozen)
		}
	}

	// The first instalment paid: the statement goes down by it, no more.
	pays := []recouvra.Payment{pay("2025-08-24", 400_000)}
	for _, day := range []string{"2025-08-24", "2025-09-24", "2025-09-29"} { // 29 September: the last day of the second's grace
		if got := frozenStatement(day, plans, pays...).Totals.TotalDueCents; got != madeDay-400_000 {
			t.Fatalf("%s, plan kept: %d, want %d", day, got, madeDay-400_000)
		}
	}
	// Day of break (30 September, the sweep not yet run: the clock judges
	// the plan): one day of interest on the principal left.
	broken := frozenStatement("2025-09-30", plans, pays...)
	l := lastLine(t, broken)
	if l.From.String() != "2025-09-30" || l.To.String() != "2025-09-30" || l.Days != 1 || l.RateBps != 1215 {
		t.Fatalf("day of break: last line %+v", l)
	}
	if want := madeDay - 400_000 + l.AmountCents; broken.Totals.TotalDueCents != want || l.AmountCents == 0 {
		t.Fatalf("day of break: %d, want %d", broken.Totals.TotalDueCents, want)
	}
	// The plan as the sweep records it (broken on 30 September) reads the same.
	p.Judge(pays, recouvra.MustDate("2025-09-30"))
	if p.Status != recouvra.PlanBroken || p.DecidedOn.String() != "2025-09-30" {
		t.Fatalf("judged %s on %s", p.Status, p.DecidedOn)
	}
	recorded := frozenStatement("2025-09-30", []recouvra.Plan{p}, pays...)
	if recorded.Totals != broken.Totals {
		t.Fatalf("recorded broken plan: %+v, by the clock %+v", recorded.Totals, broken.Totals)
	}
	// Broken, interest runs on: 5 days by 4 October.
	if l := lastLine(t, frozenStatement("2025-10-04", []recouvra.Plan{p}, pays...)); l.From.String() != "2025-09-30" || l.Days != 5 {
		t.Fatalf("after the break: %+v", l)
	}

	// Resumed: a new plan made on 5 October freezes interest again from the 6th.
	due := frozenStatement("2025-10-05", []recouvra.Plan{p}, pays...).Totals.TotalDueCents
	q := frozenPlan(caseID, "2025-10-05", "2025-10-15", due/2, "2025-11-15", due-due/2)
	q.ResumesPlanID = &p.ID
	both := []recouvra.Plan{q, p}
	pays = append(pays, pay("2025-10-15", due/2))
	st := frozenStatement("2025-11-01", both, pays...)
	if st.Totals.TotalDueCents != due-due/2 {
		t.Fatalf("second plan kept: %d, want %d", st.Totals.TotalDueCents, due-due/2)
	}
	if l := lastLine(t, st); l.From.String() != "2025-09-30" || l.To.String() != "2025-10-05" || l.Days != 6 {
		t.Fatalf("lines between the two plans: %+v", st.Claims[0].Lines)
	}
	// Its first instalment unpaid, it would have broken on 21 October: interest from then.
	if l := lastLine(t, frozenStatement("2025-11-01", both, pays[:1]...)); l.From.String() != "2025-10-21" || l.To.String() != "2025-11-01" {
		t.Fatalf("second plan broken by the clock: %+v", l)
	}
	// Kept to the end: nothing left, on its last day and after.
	pays = append(pays, pay("2025-11-15", due-due/2))
	if got := frozenStatement("2025-11-15", both, pays...).Totals.TotalDueCents; got != 0 {
		t.Fatalf("completed plan, its last day: %d due", got)
	}
	q.Judge(pays, recouvra.MustDate("2025-11-15"))
	if q.Status != recouvra.PlanCompleted {
		t.Fatalf("second plan %s", q.Status)
	}
	if got := frozenStatement("2026-02-01", []recouvra.Plan{q, p}, pays...).Totals.TotalDueCents; got != 0 {
		t.Fatalf("after the plan completed: %d due", got)
	}
}

// TestInterestFreezeOfEachPlanStatus: which plans freeze which days.
func TestInterestFreezeOfEachPlanStatus(t *testing.T) {
	p := frozenPlan(uuid.New(), "2026-03-01", "2026-03-10", int64(10_000), "2026-04-10", int64(10_000))
	asOf := recouvra.MustDate("2026-03-20")
	for _, tc := range []struct {
		status  recouvra.PlanStatus
		ran     bool
		decided string
		want    string // After–Through, "" for none
	}{
		{recouvra.PlanKept, true, "", "2026-03-01–"},
		{recouvra.PlanPendingApproval, false, "", ""},
		{recouvra.PlanRefused, false, "2026-03-05", ""},
		{recouvra.PlanCancelled, false, "2026-03-05", ""}, // withdrawn while it waited: never ran
		{recouvra.PlanCancelled, true, "2026-03-05", "2026-03-01–2026-03-04"},
		{recouvra.PlanBroken, true, "2026-03-16", "2026-03-01–2026-03-15"},
		{recouvra.PlanBroken, true, "2026-03-01", ""}, // broken the day it was made: nothing frozen
		{recouvra.PlanCompleted, true, "2026-04-10", "2026-03-01–2026-04-10"},
	} {
		q := p
		q.Status, q.DecidedOn = tc.status, recouvra.Date{}
		if tc.decided != "" {
			q.DecidedOn = recouvra.MustDate(tc.decided)
		}
		if !tc.ran {
			q.RunningFrom = recouvra.Date{}
		}
		// Kept, judged on 20 March with its first instalment paid: still kept.
		f, ok := q.InterestFreeze([]recouvra.Payment{{CaseID: q.CaseID, AmountCents: 10_000, ReceivedOn: recouvra.MustDate("2026-03-10")}}, asOf)
		got := ""
		if ok {
			got = f.After.String() + "–"
			if !f.Through.IsZero() {
				got += f.Through.String()
			}
		}
		if got != tc.want {
			t.Errorf("%s (ran %v, decided %s): %q, want %q", tc.status, tc.ran, tc.decided, got, tc.want)
		}
	}
}
