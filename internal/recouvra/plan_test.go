package recouvra

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func planFixture(t *testing.T, made string, misses int, amounts ...int64) (Plan, []Instalment) {
	t.Helper()
	caseID := uuid.New()
	p := Plan{ID: uuid.New(), CaseID: caseID, Origin: PlanByAgent, Status: PlanKept, Currency: "EUR", GraceDays: 5,
		MissesBeforeBroken: misses, MadeOn: MustDate(made)}
	var total int64
	for _, a := range amounts {
		total += a
	}
	ins, err := GenerateSchedule(total, Schedule{Frequency: Monthly, Count: len(amounts), FirstOn: MustDate(made).AddDays(9)})
	if err != nil {
		t.Fatal(err)
	}
	p.TotalCents, p.Instalments = total, ins
	return p, ins
}

func TestGenerateSchedule(t *testing.T) {
	ins, err := GenerateSchedule(100000, Schedule{Frequency: Monthly, Count: 3, FirstOn: MustDate("2026-01-31"), DownPaymentCents: 10000, DownPaymentOn: MustDate("2026-01-15")})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		on     string
		amount int64
	}{{"2026-01-15", 10000}, {"2026-01-31", 30000}, {"2026-02-28", 30000}, {"2026-03-31", 30000}}
	if len(ins) != len(want) {
		t.Fatalf("%d instalments, want %d", len(ins), len(want))
	}
	for i, w := range want {
		if ins[i].DueOn.String() != w.on || ins[i].AmountCents != w.amount || ins[i].Seq != i {
			t.Errorf("instalment %d: %s %d, want %s %d", i, ins[i].DueOn, ins[i].AmountCents, w.on, w.amount)
		}
	}
	// The cents the division leaves go to the last; fortnightly steps 14 days.
	ins, _ = GenerateSchedule(10000, Schedule{Frequency: Fortnightly, Count: 3, FirstOn: MustDate("2026-01-01")})
	if ins[2].AmountCents != 3334 || ins[1].DueOn.String() != "2026-01-15" || ins[2].DueOn.String() != "2026-01-29" {
		t.Errorf("fortnightly: %+v", ins)
	}
	if _, err := GenerateSchedule(10000, Schedule{Frequency: "weekly", Count: 0}); err == nil {
		t.Error("a weekly schedule of no instalment must be refused")
	}
}

func fieldCodes(fs []FieldError) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Field] = f.Code
	}
	return out
}

func TestCheckPlan(t *testing.T) {
	today := MustDate("2026-03-01")
	rules := Mandate{PlanMaxMonths: 6, PlanMinFirstCents: 20000, PlanMinInstalmentCents: 10000}.PlanRules()
	mk := func(origin PlanOrigin, ins ...Instalment) *Plan {
		return &Plan{Origin: origin, Currency: "EUR", MadeOn: today, GraceDays: 5, Instalments: ins}
	}
	in := func(on string, cents int64) Instalment { return Instalment{DueOn: MustDate(on), AmountCents: cents} }

	errs, dev := CheckPlan(mk(PlanByAgent, in("2026-03-10", 20000), in("2026-04-10", 10000), in("2026-05-10", 10000)), 40000, rules, today)
	if len(errs)+len(dev) != 0 {
		t.Fatalf("a plan within the rules: %v %v", errs, dev)
	}
	errs, _ = CheckPlan(mk(PlanByAgent, in("2026-02-28", 20000), in("2026-04-10", 10000), in("2026-04-10", 0)), 40000, rules, today)
	got := fieldCodes(errs)
	for field, code := range map[string]string{"instalments[0].due_on": "past", "instalments[2].due_on": "not_increasing",
		"instalments[2].amount_cents": "not_positive"} {
		if got[field] != code {
			t.Errorf("%s: %q, want %q (all: %v)", field, got[field], code, errs)
		}
	}
	errs, _ = CheckPlan(mk(PlanByAgent, in("2026-03-10", 20000), in("2026-04-10", 10000)), 40000, rules, today)
	if fieldCodes(errs)["instalments[1].amount_cents"] != "sum_mismatch" {
		t.Errorf("a sum short of the amount due names the last instalment: %v", errs)
	}
	// Outside the mandate's rules: accepted only by the creditor, each rule named.
	errs, dev = CheckPlan(mk(PlanByAgent, in("2026-03-10", 5000), in("2026-04-10", 5000), in("2026-10-10", 30000)), 40000, rules, today)
	got = fieldCodes(dev)
	if len(errs) != 0 || got["instalments[0].amount_cents"] != "below_first_minimum" || got["instalments[1].amount_cents"] != "below_minimum" ||
		got["instalments[2].due_on"] != "too_long" {
		t.Errorf("deviations %v, errors %v", dev, errs)
	}
	// A court's delay: no mandate rule, but two years at most from the decision (C. civ. 1343-5).
	court := mk(PlanByCourt, in("2026-03-10", 5000), in("2028-02-20", 35000))
	court.Court, court.CourtDecisionOn = "Tribunal judiciaire de Lyon", MustDate("2026-02-20")
	if errs, dev = CheckPlan(court, 40000, rules, today); len(errs)+len(dev) != 0 {
		t.Errorf("a court plan of exactly 24 months: %v %v", errs, dev)
	}
	court.Instalments[1].DueOn = MustDate("2028-02-21")
	if errs, _ = CheckPlan(court, 40000, rules, today); fieldCodes(errs)["instalments[1].due_on"] != "court_delay_too_long" {
		t.Errorf("a court plan beyond 24 months: %v", errs)
	}
}

// TestPlanFollowsPaymentsAndClock: one plan judged day after day on a
// controlled clock — kept, late, missed, broken; another completed.
func TestPlanFollowsPaymentsAndClock(t *testing.T) {
	pay := func(p Plan, on string, cents int64) Payment {
		return Payment{ID: uuid.New(), CaseID: p.CaseID, AmountCents: cents, ReceivedOn: MustDate(on)}
	}
	// Made 1 March: 3 × 100 € due 10 March, 10 April, 10 May; 5 grace days; broken at the second miss.
	p, _ := planFixture(t, "2026-03-01", 2, 10000, 10000, 10000)
	var pays []Payment
	step := func(today string, wantPlan PlanStatus, want ...InstalmentStatus) PlanChange {
		t.Helper()
		ch := p.Judge(pays, MustDate(today))
		if p.Status != wantPlan {
			t.Fatalf("%s: plan %s, want %s", today, p.Status, wantPlan)
		}
		for i, w := range want {
			if p.Instalments[i].Status != w {
				t.Fatalf("%s: instalment %d %s, want %s", today, i, p.Instalments[i].Status, w)
			}
		}
		return ch
	}
	step("2026-03-05", PlanKept, InstalmentDue, InstalmentDue, InstalmentDue)
	pays = append(pays, pay(p, "2026-02-27", 10000)) // before the plan: not its payment
	step("2026-03-11", PlanKept, InstalmentLate, InstalmentDue)
	pays = append(pays, pay(p, "2026-03-12", 10000))
	step("2026-03-16", PlanKept, InstalmentPaid, InstalmentDue)
	step("2026-04-15", PlanKept, InstalmentPaid, InstalmentLate) // last grace day
	ch := step("2026-04-16", PlanKept, InstalmentPaid, InstalmentMissed, InstalmentDue)
	if len(ch.Missed) != 1 || ch.Missed[0].Seq != 1 || ch.Moved {
		t.Fatalf("first miss: %+v", ch)
	}
	if ch = step("2026-04-17", PlanKept); len(ch.Missed) != 0 {
		t.Fatal("a miss is told once")
	}
	// A partial payment goes to the oldest unpaid instalment.
	pays = append(pays, pay(p, "2026-05-02", 5000))
	step("2026-05-02", PlanKept, InstalmentPaid, InstalmentMissed, InstalmentDue)
	if p.Instalments[1].PaidCents != 5000 {
		t.Fatalf("partial payment matched %d to instalment 1", p.Instalments[1].PaidCents)
	}
	ch = step("2026-05-16", PlanBroken, InstalmentPaid, InstalmentMissed, InstalmentMissed)
	if !ch.Moved || ch.From != PlanKept || p.DecidedOn.String() != "2026-05-16" {
		t.Fatalf("broken: %+v", ch)
	}
	// Broken stays broken, even once the arrears are paid.
	pays = append(pays, pay(p, "2026-05-20", 15000))
	step("2026-05-20", PlanBroken)

	// A new plan follows the broken one (resume) and is completed.
	q, _ := planFixture(t, "2026-06-01", 1, 20000, 10000)
	q.ResumesPlanID = &p.ID
	q.CaseID = p.CaseID
	pays = append(pays, pay(q, "2026-06-10", 20000))
	p = q
	step("2026-06-12", PlanKept, InstalmentPaid, InstalmentDue)
	rev := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	late := pay(q, "2026-07-12", 10000)
	pays = append(pays, late)
	ch = step("2026-07-12", PlanCompleted, InstalmentPaid, InstalmentPaid)
	if !ch.Moved || p.RemainingCents() != 0 {
		t.Fatalf("completed: %+v, remaining %d", ch, p.RemainingCents())
	}
	// Its last payment bounces: running again, then broken once its grace ends (one miss is enough here).
	pays[len(pays)-1].ReversedAt = &rev
	step("2026-07-13", PlanKept, InstalmentPaid, InstalmentLate)
	step("2026-07-16", PlanBroken, InstalmentPaid, InstalmentMissed)
}

func TestPlanDecisions(t *testing.T) {
	today := MustDate("2026-03-01")
	p := Plan{Status: PlanPendingApproval, MadeOn: today}
	var e *Error
	if err := p.Refuse("", today); !errors.As(err, &e) || fieldCodes(e.Fields)["reason"] != "required" {
		t.Fatalf("a refusal without reason: %v", err)
	}
	if err := p.Approve(today); err != nil || p.Status != PlanKept {
		t.Fatalf("approve: %v %s", err, p.Status)
	}
	if err := p.Approve(today); err == nil {
		t.Fatal("approved twice")
	}
	if err := p.Sign(today.AddDays(1), today); err == nil {
		t.Fatal("a signature dated tomorrow")
	}
	if err := p.Sign(today, today); err != nil || p.SignedOn != today {
		t.Fatalf("sign: %v", err)
	}
	if err := p.Cancel("Accord trouvé autrement", today); err != nil || p.Status != PlanCancelled {
		t.Fatalf("cancel: %v", err)
	}
	if err := p.Cancel("", today); err == nil {
		t.Fatal("cancelled twice")
	}
}

// TestPlanStopsFormalNotice: the stage guard refuses a formal notice while
// a plan is kept.
func TestPlanStopsFormalNotice(t *testing.T) {
	id := uuid.New()
	c := &Case{Stage: StageAmicable, BalanceCents: 1000, AmicableReminders: 1, RunningPlanID: &id}
	f := Facts{Today: MustDate("2026-03-01"), Debtor: Debtor{Address: Address{Line1: "1 rue A", PostalCode: "69001", City: "Lyon", Country: "FR"}}}
	if got := fieldCodes(c.Blockers(Move{To: StageFormalNotice}, f)); got["to"] != GuardPlanRunning {
		t.Fatalf("blockers %v", got)
	}
	c.RunningPlanID = nil
	if b := c.Blockers(Move{To: StageFormalNotice}, f); len(b) != 0 {
		t.Fatalf("without a plan: %v", b)
	}
}
