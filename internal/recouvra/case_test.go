package recouvra_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func ready(stage recouvra.Stage) (*recouvra.Case, recouvra.Facts) {
	lawyer := uuid.New()
	c := &recouvra.Case{
		Reference: "D-2026-000001", Stage: stage, Currency: "EUR",
		PrincipalCents: 120000, BalanceCents: 120000, AmicableReminders: 1,
		FormalNoticeSentOn: recouvra.MustDate("2026-11-02"), FormalNoticeDeadline: recouvra.MustDate("2026-11-10"),
		AssignedLawyerID: &lawyer,
	}
	f := recouvra.Facts{
		Today:   recouvra.MustDate("2026-11-25"),
		Debtor:  recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Dupont", Address: recouvra.Address{Line1: "1 rue de la Paix", PostalCode: "75002", City: "Paris", Country: "FR"}},
		Mandate: recouvra.Mandate{JudicialAllowed: true, NoticeDeadlineDays: 8},
		Claims:  []recouvra.Claim{{InvoiceNumber: "F-1", DueOn: recouvra.MustDate("2025-06-30"), AmountCents: 120000}},
	}
	return c, f
}

func guardCodes(err error) []string {
	e, ok := err.(*recouvra.Error)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Code)
	}
	return out
}

// TestGuards checks each guard both held (the move goes through) and
// refused (the move fails with exactly that guard's code).
func TestGuards(t *testing.T) {
	cases := []struct {
		name   string
		from   recouvra.Stage
		move   recouvra.Move
		break_ func(*recouvra.Case, *recouvra.Facts)
		code   string
	}{
		{"nothing due", recouvra.StageAmicable, recouvra.Move{To: recouvra.StageFormalNotice},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.BalanceCents = 0 }, recouvra.GuardNothingDue},
		{"incomplete address", recouvra.StageAmicable, recouvra.Move{To: recouvra.StageFormalNotice},
			func(_ *recouvra.Case, f *recouvra.Facts) { f.Debtor.Address.PostalCode = "" }, recouvra.GuardIncompleteAddress},
		{"no amicable reminder", recouvra.StageAmicable, recouvra.Move{To: recouvra.StageFormalNotice},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.AmicableReminders = 0 }, recouvra.GuardNoAmicableReminder},
		{"open dispute before notice", recouvra.StageAmicable, recouvra.Move{To: recouvra.StageFormalNotice},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.OpenDispute = true }, recouvra.GuardOpenDispute},
		{"no formal notice", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.FormalNoticeSentOn = recouvra.Date{} }, recouvra.GuardNoFormalNotice},
		{"notice deadline not elapsed", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(_ *recouvra.Case, f *recouvra.Facts) { f.Today = recouvra.MustDate("2026-11-10") }, recouvra.GuardNoticeDeadline},
		{"mandate forbids judicial", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(_ *recouvra.Case, f *recouvra.Facts) { f.Mandate.JudicialAllowed = false }, recouvra.GuardMandateForbidsJudicial},
		{"no lawyer", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.AssignedLawyerID = nil }, recouvra.GuardNoLawyer},
		{"open dispute before injunction", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.OpenDispute = true }, recouvra.GuardOpenDispute},
		{"time barred", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(_ *recouvra.Case, f *recouvra.Facts) { f.Claims[0].DueOn = recouvra.MustDate("2021-11-24") }, recouvra.GuardTimeBarred},
		{"consumer time bar is two years", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(_ *recouvra.Case, f *recouvra.Facts) {
				f.Debtor.Kind = recouvra.DebtorPerson
				f.Claims[0].DueOn = recouvra.MustDate("2024-11-24")
			}, recouvra.GuardTimeBarred},
		{"debtor insolvent", recouvra.StageFormalNotice, recouvra.Move{To: recouvra.StageInjunction},
			func(_ *recouvra.Case, f *recouvra.Facts) {
				f.Debtor.Insolvency = &recouvra.Insolvency{Proceedings: recouvra.ProceedingsRecovery, PublishedOn: recouvra.MustDate("2026-10-01")}
			}, recouvra.GuardDebtorInsolvent},
		{"no irrecoverability proof", recouvra.StageInjunction,
			recouvra.Move{To: recouvra.StageIrrecoverable, Proof: &recouvra.Irrecoverability{Cause: recouvra.CausePVDeCarence, Proof: "PV de carence du 12/11/2026, Me Roux", On: recouvra.MustDate("2026-11-12")}},
			nil, recouvra.GuardNoIrrecoverabilityProof},
		{"paid with a balance", recouvra.StageAmicable, recouvra.Move{To: recouvra.StageClosed, CloseReason: recouvra.ClosePaid},
			func(c *recouvra.Case, _ *recouvra.Facts) { c.BalanceCents = 0 }, recouvra.GuardBalanceNotZero},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Held: every guard satisfied, the move goes through.
			c, f := ready(tc.from)
			if tc.code == recouvra.GuardBalanceNotZero {
				tc.break_(c, &f) // for "paid", the holding state is a zero balance
			}
			if err := c.Transition(tc.move, f, now); err != nil {
				t.Fatalf("held: %v", err)
			}
			if c.Stage != tc.move.To {
				t.Fatalf("stage %s, want %s", c.Stage, tc.move.To)
			}
			// Refused: this guard alone fails.
			c, f = ready(tc.from)
			move := tc.move
			switch {
			case tc.code == recouvra.GuardNoIrrecoverabilityProof:
				move.Proof = &recouvra.Irrecoverability{Cause: recouvra.CausePVDeCarence}
			case tc.code == recouvra.GuardBalanceNotZero:
			default:
				tc.break_(c, &f)
			}
			err := c.Transition(move, f, now)
			codes := guardCodes(err)
			if len(codes) != 1 || codes[0] != tc.code {
				t.Fatalf("refused: got %v (%v), want [%s]", codes, err, tc.code)
			}
			if c.Stage != tc.from {
				t.Fatalf("a refused move changed the stage to %s", c.Stage)
			}
			if e := err.(*recouvra.Error); e.Code != recouvra.ECodeInvalid || e.Fields[0].Message == "" {
				t.Fatalf("%+v", e)
			}
		})
	}
}

func TestAllUnmetGuardsAreListed(t *testing.T) {
	c, f := ready(recouvra.StageFormalNotice)
	c.AssignedLawyerID, c.OpenDispute = nil, true
	f.Mandate.JudicialAllowed = false
	codes := guardCodes(c.Transition(recouvra.Move{To: recouvra.StageInjunction}, f, now))
	want := []string{recouvra.GuardMandateForbidsJudicial, recouvra.GuardNoLawyer, recouvra.GuardOpenDispute}
	if strings.Join(codes, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", codes, want)
	}
}

// TestBlockersDoNotMove: the docket asks what stands in the way without
// changing the case; the answer is the one Transition would give.
func TestBlockersDoNotMove(t *testing.T) {
	c, f := ready(recouvra.StageFormalNotice)
	f.Today = recouvra.MustDate("2026-11-10") // the notice's last day
	move := recouvra.Move{To: recouvra.StageInjunction}
	got := c.Blockers(move, f)
	if len(got) != 1 || got[0].Code != recouvra.GuardNoticeDeadline || !strings.Contains(got[0].Message, "10/11/2026") {
		t.Fatalf("blockers %+v", got)
	}
	if c.Stage != recouvra.StageFormalNotice {
		t.Fatalf("Blockers moved the case to %s", c.Stage)
	}
	if codes := guardCodes(c.Transition(move, f, now)); len(codes) != 1 || codes[0] != got[0].Code {
		t.Fatalf("Transition says %v", codes)
	}
	f.Today = f.Today.AddDays(1)
	if got := c.Blockers(move, f); len(got) != 0 {
		t.Fatalf("ready the day after, got %+v", got)
	}
	if c.Stage != recouvra.StageFormalNotice {
		t.Fatal("Blockers moved the case")
	}
}

func TestNoSkippingOrGoingBack(t *testing.T) {
	for _, tc := range []struct{ from, to recouvra.Stage }{
		{recouvra.StageAmicable, recouvra.StageInjunction},
		{recouvra.StageInjunction, recouvra.StageFormalNotice},
		{recouvra.StageIrrecoverable, recouvra.StageAmicable},
	} {
		c, f := ready(tc.from)
		if codes := guardCodes(c.Transition(recouvra.Move{To: tc.to}, f, now)); len(codes) != 1 || codes[0] != recouvra.GuardNotAllowed {
			t.Errorf("%s → %s: %v", tc.from, tc.to, codes)
		}
	}
	c, f := ready(recouvra.StageAmicable)
	if err := c.Transition(recouvra.Move{To: recouvra.StageClosed, CloseReason: recouvra.CloseWithdrawn}, f, now); err != nil || c.ClosedAt == nil {
		t.Fatalf("withdrawal: %v", err)
	}
	if codes := guardCodes(c.Transition(recouvra.Move{To: recouvra.StageAmicable}, f, now)); len(codes) != 1 || codes[0] != recouvra.GuardClosed {
		t.Fatalf("closed case moved: %v", codes)
	}
}

func TestCloseIfPaidAndReopen(t *testing.T) {
	c, _ := ready(recouvra.StageFormalNotice)
	if c.CloseIfPaid(1, now) {
		t.Fatal("closed with something due")
	}
	if !c.CloseIfPaid(0, now) || c.Stage != recouvra.StageClosed || c.CloseReason != recouvra.ClosePaid || c.StageBeforeClose != recouvra.StageFormalNotice {
		t.Fatalf("%+v", c)
	}
	if c.ReopenIfUnpaid(0) {
		t.Fatal("reopened with nothing due")
	}
	if !c.ReopenIfUnpaid(500) || c.Stage != recouvra.StageFormalNotice || c.ClosedAt != nil || c.CloseReason != "" {
		t.Fatalf("%+v", c)
	}
}

func TestInjunctionStepsAndDeadlines(t *testing.T) {
	c, f := ready(recouvra.StageInjunction)
	today := recouvra.MustDate("2026-11-25")
	step := func(s recouvra.CourtStep, on string, opts ...func(*recouvra.CourtStepInput)) error {
		in := recouvra.CourtStepInput{Step: s, On: recouvra.MustDate(on), Court: "Tribunal de commerce de Paris"}
		for _, o := range opts {
			o(&in)
		}
		f.Today = today
		_, err := c.RecordCourtStep(in, f)
		return err
	}
	if err := step(recouvra.StepServed, "2026-03-01"); err == nil {
		t.Fatal("served before an order")
	}
	if err := step(recouvra.StepFiled, "2026-02-02"); err != nil {
		t.Fatal(err)
	}
	if err := step(recouvra.StepGranted, "2026-02-01"); err == nil {
		t.Fatal("an order before the filing")
	}
	if err := step(recouvra.StepGranted, "2026-02-27"); err != nil {
		t.Fatal(err)
	}
	dl := deadlineMap(c.Deadlines(f))
	if dl["order_lapse"] != "2026-08-27" {
		t.Fatalf("order lapse: %v", dl)
	}
	// Served after the six months: the order has lapsed.
	if err := step(recouvra.StepServed, "2026-08-28", func(in *recouvra.CourtStepInput) { in.ServedToPerson = true }); err == nil || guardCodes(err)[0] != "order_lapsed" {
		t.Fatalf("late service: %v", err)
	}
	// Served on Friday 31 July 2026 to the person: one month → 31 August (Monday).
	if err := step(recouvra.StepServed, "2026-07-31", func(in *recouvra.CourtStepInput) { in.ServedToPerson = true }); err != nil {
		t.Fatal(err)
	}
	dl = deadlineMap(c.Deadlines(f))
	if dl["opposition_end"] != "2026-08-31" || dl["order_lapse"] != "" {
		t.Fatalf("after service: %v", dl)
	}
	if err := step(recouvra.StepEnforceable, "2026-08-31"); err == nil {
		t.Fatal("enforceable while opposition is open")
	}
	if err := step(recouvra.StepEnforceable, "2026-09-01"); err != nil {
		t.Fatal(err)
	}
	if c.LastInterruptionOn.String() != "2026-09-01" {
		t.Fatalf("enforcement interrupts the time bar: %s", c.LastInterruptionOn)
	}
}

func TestOppositionDeadlineMovesOffHolidays(t *testing.T) {
	c, f := ready(recouvra.StageInjunction)
	c.Injunction = recouvra.Injunction{FiledOn: recouvra.MustDate("2026-09-01"), Decision: "granted", DecidedOn: recouvra.MustDate("2026-09-20"),
		ServedOn: recouvra.MustDate("2026-10-11"), ServedToPerson: true}
	// 11 November 2026 is a Wednesday and a public holiday → 12 November.
	if got := deadlineMap(c.Deadlines(f))["opposition_end"]; got != "2026-11-12" {
		t.Fatalf("opposition end %s", got)
	}
}

func TestInsolvencyDeclarationDeadline(t *testing.T) {
	c, f := ready(recouvra.StageAmicable)
	f.Debtor.Insolvency = &recouvra.Insolvency{Proceedings: recouvra.ProceedingsLiquidation, PublishedOn: recouvra.MustDate("2026-10-31")}
	if got := deadlineMap(c.Deadlines(f))["insolvency_declaration"]; got != "2026-12-31" {
		t.Fatalf("metropolitan creditor: %s", got)
	}
	f.CreditorAbroad = true
	// Four months end on Sunday 28 February 2027: the next working day
	// (art. 642 CPC).
	if got := deadlineMap(c.Deadlines(f))["insolvency_declaration"]; got != "2027-03-01" {
		t.Fatalf("creditor abroad: %s", got)
	}
}

func deadlineMap(ds []recouvra.Deadline) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.Kind] = d.On.String()
	}
	return m
}

func TestEventsMoveTheCase(t *testing.T) {
	c, f := ready(recouvra.StageAmicable)
	c.AmicableReminders = 0
	apply := func(typ recouvra.EventType, data map[string]any) error { return c.ApplyEvent(typ, data, f) }

	if err := apply(recouvra.EventCall, map[string]any{"outcome": "no_answer"}); err != nil || c.AmicableReminders != 0 {
		t.Fatalf("an unanswered call is no reminder: %v %d", err, c.AmicableReminders)
	}
	if err := apply(recouvra.EventCall, map[string]any{"outcome": "reached"}); err != nil || c.AmicableReminders != 1 {
		t.Fatalf("reached call: %v %d", err, c.AmicableReminders)
	}
	d := map[string]any{"kind": "amicable", "sent_on": "2026-11-20"}
	if err := apply(recouvra.EventLetterSent, d); err != nil || c.FirstLetterReference != "D-2026-000001-L1" {
		t.Fatalf("first letter: %v %q", err, c.FirstLetterReference)
	}
	d2 := map[string]any{"kind": "amicable", "sent_on": "2026-11-24"}
	if err := apply(recouvra.EventLetterSent, d2); err != nil || d2["first_letter_reference"] != "D-2026-000001-L1" || d2["first_letter_on"] != "2026-11-20" {
		t.Fatalf("a later letter repeats the first one's reference and date: %v %v", err, d2)
	}
	if err := apply(recouvra.EventLetterSent, map[string]any{"kind": "formal_notice", "sent_on": "2026-11-24", "registered_number": "1A 123"}); err == nil {
		t.Fatal("a formal notice at the amicable stage")
	}
	if err := apply(recouvra.EventPromise, map[string]any{"amount_cents": float64(50000), "due_on": "2026-12-05"}); err != nil || c.PromiseDueOn.String() != "2026-12-05" {
		t.Fatalf("promise: %v", err)
	}
	if err := apply(recouvra.EventPromiseBroken, map[string]any{}); err != nil || c.BrokenPromises != 1 || !c.PromiseDueOn.IsZero() {
		t.Fatalf("broken: %v %+v", err, c)
	}
	if err := apply(recouvra.EventPromise, map[string]any{"amount_cents": float64(500000000), "due_on": "2026-12-05"}); err == nil {
		t.Fatal("a promise above the balance")
	}
	if err := apply(recouvra.EventDisputeOpened, map[string]any{"reason": "Marchandise non livrée"}); err != nil || !c.OpenDispute {
		t.Fatal(err)
	}
	if codes := guardCodes(c.Transition(recouvra.Move{To: recouvra.StageFormalNotice}, f, now)); len(codes) != 1 || codes[0] != recouvra.GuardOpenDispute {
		t.Fatalf("a dispute pauses escalation: %v", codes)
	}
	if err := apply(recouvra.EventDisputeResolved, map[string]any{"resolution": "Livraison prouvée"}); err != nil || c.OpenDispute {
		t.Fatal(err)
	}
	if err := c.Transition(recouvra.Move{To: recouvra.StageFormalNotice}, f, now); err != nil {
		t.Fatal(err)
	}
	fn := map[string]any{"kind": "formal_notice", "sent_on": "2026-11-25", "registered_number": "1A 123 456 7890 1"}
	if err := apply(recouvra.EventLetterSent, fn); err != nil || c.FormalNoticeDeadline.String() != "2026-12-03" || fn["deadline_on"] != "2026-12-03" {
		t.Fatalf("formal notice: %v %s", err, c.FormalNoticeDeadline)
	}
	if err := apply(recouvra.EventNote, map[string]any{"text": "x", "when": "2027-01-01"}); err != nil {
		t.Fatal(err)
	}
	if err := apply(recouvra.EventAcknowledgement, map[string]any{"on": "2027-01-01"}); err == nil {
		t.Fatal("an acknowledgement in the future")
	}
}

func TestFrenchMoney(t *testing.T) {
	for cents, want := range map[int64]string{123456: "1\u202f234,56\u00a0€", 5: "0,05\u00a0€", -4000: "-40,00\u00a0€", 123456789: "1\u202f234\u202f567,89\u00a0€"} {
		if got := recouvra.FrenchMoney(cents, "EUR"); got != want {
			t.Errorf("%d: %q, want %q", cents, got, want)
		}
	}
}

// TestOldestDueOn: the case's age follows its oldest invoice; a credit note
// does not make it older.
func TestOldestDueOn(t *testing.T) {
	c := &recouvra.Case{Stage: recouvra.StageAmicable, Currency: "EUR"}
	for _, cl := range []recouvra.Claim{
		{InvoiceNumber: "F-2", DueOn: recouvra.MustDate("2026-03-31"), AmountCents: 10_000},
		{InvoiceNumber: "AV-1", DueOn: recouvra.MustDate("2025-01-31"), AmountCents: -2_000},
		{InvoiceNumber: "F-1", DueOn: recouvra.MustDate("2026-01-31"), AmountCents: 5_000},
		{InvoiceNumber: "F-3", DueOn: recouvra.MustDate("2026-06-30"), AmountCents: 7_000},
	} {
		if err := c.AddClaim(cl); err != nil {
			t.Fatal(err)
		}
	}
	if c.OldestDueOn.String() != "2026-01-31" || c.PrincipalCents != 20_000 {
		t.Fatalf("oldest due %s, principal %d", c.OldestDueOn, c.PrincipalCents)
	}
}
