package recouvra

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestAddWorkingDaysAcrossHolidays(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-24", 1, "2026-12-28"}, // Christmas on Friday, then the weekend
		{"2026-12-24", 0, "2026-12-24"}, // a working day itself
		{"2026-12-25", 0, "2026-12-28"}, // a holiday rolls to the next working day
		{"2026-04-03", 1, "2026-04-07"}, // Good Friday is worked; Easter Monday 6 April is not
		{"2026-05-13", 1, "2026-05-15"}, // Ascension Thursday 14 May 2026
		{"2026-07-13", 1, "2026-07-15"}, // 14 July
		{"2026-10-30", 1, "2026-11-02"}, // Friday → Monday (1 Nov a Sunday)
		{"2026-11-10", 1, "2026-11-12"}, // 11 November
		{"2026-12-31", 1, "2027-01-04"}, // 1 Jan a Friday, then the weekend
		{"2026-12-28", 5, "2027-01-05"}, // across the new year
	} {
		if got := AddWorkingDays(MustDate(tc.from), tc.n); got.String() != tc.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestStepDueOn(t *testing.T) {
	dates := StepDates{Placement: MustDate("2026-01-31"), OldestDue: MustDate("2025-12-15"), PreviousStep: MustDate("2026-02-20")}
	for _, tc := range []struct {
		step StrategyStep
		want string
	}{
		{StrategyStep{Delay: 0, Unit: CalendarDays, From: FromPlacement}, "2026-01-31"},
		{StrategyStep{Delay: 28, Unit: CalendarDays, From: FromPlacement}, "2026-02-28"}, // the last day of February
		{StrategyStep{Delay: 29, Unit: CalendarDays, From: FromPlacement}, "2026-03-01"}, // 2026 is not a leap year
		{StrategyStep{Delay: 10, Unit: CalendarDays, From: FromPreviousStep}, "2026-03-02"},
		{StrategyStep{Delay: 45, Unit: CalendarDays, From: FromOldestDue}, "2026-01-29"},
		{StrategyStep{Delay: 1, Unit: WorkingDays, From: FromPlacement}, "2026-02-03"}, // Saturday: Monday is day 0, Tuesday day 1
		{StrategyStep{Delay: 5, Unit: WorkingDays, From: FromPreviousStep}, "2026-02-27"},
	} {
		if got := tc.step.DueOn(dates); got.String() != tc.want {
			t.Errorf("%+v: due %s, want %s", tc.step, got, tc.want)
		}
	}
	// Without a previous step or an oldest due date, the placement.
	s := StrategyStep{Delay: 3, Unit: CalendarDays, From: FromPreviousStep}
	if got := s.DueOn(StepDates{Placement: MustDate("2026-03-30")}); got.String() != "2026-04-02" {
		t.Errorf("first step from previous: %s", got)
	}
	s.From = FromOldestDue
	if got := s.DueOn(StepDates{Placement: MustDate("2026-03-30")}); got.String() != "2026-04-02" {
		t.Errorf("oldest due unknown: %s", got)
	}
}

func TestParseStrategyNamesStepAndField(t *testing.T) {
	steps := []StepInput{
		{Channel: "letter"},
		{Channel: "email", Delay: 5},
		{Channel: "fax", Delay: -1, Unit: "weeks", From: "birthday"},
		{Channel: "call_task", Template: "call_chanté", Conditions: map[string]any{"color": "red", "has_phone": "yes", "min_balance_cents": 500.0, "max_balance_cents": 100.0}},
		{Channel: "letter", Conditions: map[string]any{"debtor_kinds": []any{"robot"}, "stages": []any{"closed"}}},
	}
	_, err := ParseStrategy(StrategyInput{Name: "Essai", Steps: steps})
	got := map[string]string{}
	if e, ok := err.(*Error); ok {
		for _, f := range e.Fields {
			got[f.Field] = f.Code
		}
	}
	for field, code := range map[string]string{
		"steps[2].channel": "invalid", "steps[2].delay": "negative", "steps[2].unit": "invalid", "steps[2].from": "invalid",
		"steps[3].template": "unknown", "steps[3].conditions.color": "unknown_field", "steps[3].conditions.has_phone": "invalid",
		"steps[3].conditions.max_balance_cents": "below_min", "steps[4].conditions.debtor_kinds": "invalid", "steps[4].conditions.stages": "invalid",
	} {
		if got[field] != code {
			t.Errorf("%s: code %q, want %q (all: %v)", field, got[field], code, got)
		}
	}
	if len(got) != 10 {
		t.Errorf("fields %v", got)
	}
	if _, err := ParseStrategy(StrategyInput{Name: "Vide"}); err == nil || !strings.Contains(err.(*Error).Fields[0].Field, "steps") {
		t.Errorf("no steps: %v", err)
	}
	if _, err := ParseStrategy(StrategyInput{Name: "Après", Steps: []StepInput{{Channel: "hand_to_lawyer"}, {Channel: "letter"}}}); err == nil || err.(*Error).Fields[0].Field != "steps[1].channel" {
		t.Errorf("a step after the hand-over: %v", err)
	}
	st, err := ParseStrategy(StrategyInput{Name: " Défauts ", Steps: []StepInput{{Channel: "email"}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Steps[0]; st.Name != "Défauts" || s.Unit != CalendarDays || s.From != FromPreviousStep || s.Template != "amicable_letter" || !s.FallbackToLetter || s.Name != "Étape 1" {
		t.Errorf("defaults: %+v %+v", st, s)
	}
}

func TestDefaultStrategiesParse(t *testing.T) {
	for _, in := range DefaultStrategies() {
		st, err := ParseStrategy(in)
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		if len(st.Steps) < 4 {
			t.Errorf("%s: %d steps", st.Name, len(st.Steps))
		}
	}
}

func TestConditionsHold(t *testing.T) {
	min, max, yes := int64(100_000), int64(1_000_000), true
	c := StepConditions{MinBalanceCents: &min, MaxBalanceCents: &max, DebtorKinds: []DebtorKind{DebtorCompany}, Stages: []Stage{StageAmicable}, HasEmail: &yes}
	ok := StepFacts{BalanceCents: 100_000, DebtorKind: DebtorCompany, Stage: StageAmicable, HasEmail: true}
	if hold, why := c.Holds(ok); !hold {
		t.Fatalf("at the floor: %s", why)
	}
	for name, f := range map[string]StepFacts{
		"below": {BalanceCents: 99_999, DebtorKind: DebtorCompany, Stage: StageAmicable, HasEmail: true},
		"above": {BalanceCents: 1_000_001, DebtorKind: DebtorCompany, Stage: StageAmicable, HasEmail: true},
		"kind":  {BalanceCents: 100_000, DebtorKind: DebtorPerson, Stage: StageAmicable, HasEmail: true},
		"stage": {BalanceCents: 100_000, DebtorKind: DebtorCompany, Stage: StageFormalNotice, HasEmail: true},
		"email": {BalanceCents: 100_000, DebtorKind: DebtorCompany, Stage: StageAmicable},
	} {
		if hold, why := c.Holds(f); hold || why == "" {
			t.Errorf("%s: holds", name)
		}
	}
}

func TestPauseReasons(t *testing.T) {
	today := MustDate("2026-06-10")
	base := Case{Stage: StageAmicable}
	if got := PauseReasons(base, PauseFacts{Today: today}); len(got) != 0 {
		t.Fatalf("nothing pauses: %v", got)
	}
	codes := func(c Case, f PauseFacts) string {
		var out []string
		for _, r := range PauseReasons(c, f) {
			out = append(out, r.Code)
		}
		return strings.Join(out, ",")
	}
	dispute := base
	dispute.OpenDispute = true
	promise := base
	promise.PromiseDueOn = today.AddDays(5)
	withdrawal := base
	withdrawal.WithdrawalRequested = true
	plan := base
	planID := uuid.Must(uuid.NewV7())
	plan.RunningPlanID = &planID
	court := base
	court.Stage = StageInjunction
	closed := base
	closed.Stage = StageClosed
	for _, tc := range []struct {
		c    Case
		f    PauseFacts
		want string
	}{
		{dispute, PauseFacts{Today: today}, PauseDispute},
		{promise, PauseFacts{Today: today}, PausePromise},
		{withdrawal, PauseFacts{Today: today}, PauseWithdrawal},
		{plan, PauseFacts{Today: today}, PausePlan},
		{court, PauseFacts{Today: today}, PauseCourtStages},
		{closed, PauseFacts{Today: today}, PauseCaseClosed},
		{base, PauseFacts{Today: today, Insolvent: true}, PauseInsolvency},
		// A payment on 31 May pauses ten days: up to 10 June inclusive.
		{base, PauseFacts{Today: today, LastPaymentOn: MustDate("2026-05-31"), PauseDays: 10}, PauseRecentPay},
		{base, PauseFacts{Today: today, LastPaymentOn: MustDate("2026-05-30"), PauseDays: 10}, ""},
		{base, PauseFacts{Today: today, LastPaymentOn: today, PauseDays: 0}, ""},
	} {
		if got := codes(tc.c, tc.f); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestSimulateDefault(t *testing.T) {
	st, err := ParseStrategy(DefaultStrategies()[0]) // B2B standard
	if err != nil {
		t.Fatal(err)
	}
	// Placed on Thursday 24 December 2026, no e-mail address, a phone.
	got := Simulate(st, SampleCase{PlacedOn: MustDate("2026-12-24"), BalanceCents: 250_000, DebtorKind: DebtorCompany, HasPhone: true})
	want := []struct {
		on      string
		channel Channel
		skipped bool
	}{
		{"2026-12-24", ChannelLetter, false},       // e-mail → letter, day 0 a working day
		{"2027-01-04", ChannelCallTask, false},     // 5 working days: 28, 29, 30, 31 Dec, 4 Jan (25 Dec and 1 Jan are holidays)
		{"2027-01-14", ChannelLetter, false},       // 10 calendar days
		{"2027-01-24", ChannelFormalNotice, false}, // 10 calendar days
		{"2027-02-02", ChannelHandToLawyer, false}, // the day after the notice's 8 days (to 1 February)
	}
	if len(got) != len(want) {
		t.Fatalf("%d steps: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].On.String() != w.on || got[i].Channel != w.channel || got[i].Skipped != w.skipped {
			t.Errorf("step %d: %s %s skipped=%v (%s), want %s %s", i, got[i].On, got[i].Channel, got[i].Skipped, got[i].Note, w.on, w.channel)
		}
	}
	// Without a phone, the call is skipped and the next step counts from the letter.
	got = Simulate(st, SampleCase{PlacedOn: MustDate("2026-12-24"), BalanceCents: 250_000, DebtorKind: DebtorCompany, HasEmail: true})
	if !got[1].Skipped || got[0].Channel != ChannelEmail || got[2].On.String() != "2027-01-03" {
		t.Errorf("no phone: %+v", got)
	}
}

func TestPlanWaitsForCallAndEnds(t *testing.T) {
	st, _ := ParseStrategy(DefaultStrategies()[0])
	s := CaseStrategyState{Position: 1, LastStepOn: MustDate("2026-03-02")}
	s.Plan(st, StepDates{Placement: MustDate("2026-03-02")})
	if s.NextDueOn.String() != "2026-03-09" { // 5 working days after Monday 2 March
		t.Errorf("next due %s", s.NextDueOn)
	}
	id := s.CaseID
	s.WaitingTaskID = &id
	s.Plan(st, StepDates{Placement: MustDate("2026-03-02")})
	if !s.NextDueOn.IsZero() {
		t.Errorf("waiting for a call: %s", s.NextDueOn)
	}
	s = CaseStrategyState{Position: len(st.Steps)}
	s.Plan(st, StepDates{Placement: MustDate("2026-03-02")})
	if !s.NextDueOn.IsZero() || !s.Done(st) {
		t.Errorf("done: %+v", s)
	}
}
