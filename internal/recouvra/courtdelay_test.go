package recouvra_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// courtPlan is a delay granted by the Tribunal de commerce de Lyon on 1
// August 2025, recorded (made and running) on made, interest not frozen,
// one miss breaking it, 5 grace days, its instalments (date, cents).
func courtPlan(caseID uuid.UUID, made string, ins ...any) recouvra.Plan {
	p := frozenPlan(caseID, made, ins...)
	p.Origin, p.InterestFrozen = recouvra.PlanByCourt, false
	p.Court, p.CourtDecisionOn = "Tribunal de commerce de Lyon", recouvra.MustDate("2025-08-01")
	return p
}

// delayed is the statement of in with the court delays of plans judged on
// in's payments.
func delayed(in recouvra.StatementInput, plans ...recouvra.Plan) recouvra.Statement {
	in.CourtDelays = recouvra.PlanCourtDelays(plans, in.Payments, in.AsOf)
	return recouvra.ComputeStatement(in)
}

type wantLine struct {
	from, to string
	bps      int64
	base     int64
	amount   int64
}

func checkLines(t *testing.T, what string, got []recouvra.InterestLine, want ...wantLine) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines %+v, want %d", what, len(got), got, len(want))
	}
	for i, w := range want {
		l := got[i]
		if l.From.String() != w.from || l.To.String() != w.to || l.RateBps != w.bps || l.BaseCents != w.base || l.AmountCents != w.amount {
			t.Errorf("%s, line %d: %s→%s %d bps on %d = %d, want %+v", what, i, l.From, l.To, l.RateBps, l.BaseCents, l.AmountCents, w)
		}
	}
}

// TestCourtDelayHoldsOffPenalties: the 10 000 € invoice between
// professionals due 15 June 2025 (L441-10 penalties: 13,15 % in 2025 S1,
// 12,15 % in 2025 S2) under a delay a judge granted, recorded on 14 August
// 2025 (instalments 15 September, 15 October, 15 November). C. civ. 1343-5
// al. 4: the penalties are not incurred while the delay is kept; interest
// at the legal rate (autres cas, 2,76 % in 2025 S2) runs instead. The day
// it is recorded still carries the penalties (the plan spreads that day's
// statement); the day the plan breaks, the penalties run again, without
// reaching back.
func TestCourtDelayHoldsOffPenalties(t *testing.T) {
	t.Parallel()
	caseID := uuid.New()
	madeDay := recouvra.ComputeStatement(b2bInput("2025-08-14")).Totals.TotalDueCents // 1 024 383
	p := courtPlan(caseID, "2025-08-14", "2025-09-15", int64(400_000), "2025-10-15", int64(400_000), "2025-11-15", madeDay-800_000)
	before := []wantLine{
		// 10 000,00 × 13,15 % × 15/365 = 54,04 ; × 12,15 % × 45/365 = 149,79
		{"2025-06-16", "2025-06-30", 1315, 1_000_000, 5404},
		{"2025-07-01", "2025-08-14", 1215, 1_000_000, 14979},
	}

	// The day it is recorded: the penalties of that day are in its total.
	st := delayed(b2bInput("2025-08-14"), p)
	checkLines(t, "14/08", st.Claims[0].Lines, before...)
	if st.Totals.TotalDueCents != madeDay {
		t.Fatalf("the day the plan is recorded: %d, want %d", st.Totals.TotalDueCents, madeDay)
	}
	// Its first day: 10 000,00 × 2,76 % × 1/365 = 0,756 → 0,76.
	st = delayed(b2bInput("2025-08-15"), p)
	checkLines(t, "15/08", st.Claims[0].Lines, append(before, wantLine{"2025-08-15", "2025-08-15", 276, 1_000_000, 76})...)
	l := st.Claims[0].Lines[2]
	if !strings.Contains(l.RateSource, "TIL 2025 S2 autres") || !strings.Contains(l.RateSource, "1343-5 al. 4") {
		t.Errorf("line source %q", l.RateSource)
	}
	note := st.Claims[0].RateNote
	for _, w := range []string{"Tribunal de commerce de Lyon, décision du 01/08/2025", "C. civ. 1343-5 al. 4", "depuis le 15/08/2025", "taux de l'intérêt légal (autres cas)"} {
		if !strings.Contains(note, w) {
			t.Errorf("note %q lacks %q", note, w)
		}
	}

	// Nothing paid: the instalment of 15 September is missed once its 5
	// days of grace end; the plan breaks on 21 September. The day before:
	// 15/08–20/09 is 17 + 20 = 37 days, 10 000,00 × 2,76 % × 37/365 =
	// 27,978 → 27,98.
	during := append(before, wantLine{"2025-08-15", "2025-09-20", 276, 1_000_000, 2798})
	st = delayed(b2bInput("2025-09-20"), p)
	checkLines(t, "20/09", st.Claims[0].Lines, during...)
	if want := int64(1_000_000 + 5404 + 14979 + 2798 + 4000); st.Totals.TotalDueCents != want {
		t.Fatalf("20/09: due %d, want %d", st.Totals.TotalDueCents, want)
	}
	// The day of the break: the penalties again, 10 000,00 × 12,15 % ×
	// 1/365 = 3,329 → 3,33.
	st = delayed(b2bInput("2025-09-21"), p)
	checkLines(t, "21/09", st.Claims[0].Lines, append(during, wantLine{"2025-09-21", "2025-09-21", 1215, 1_000_000, 333})...)
	if want := int64(1_000_000 + 5404 + 14979 + 2798 + 333 + 4000); st.Totals.TotalDueCents != want {
		t.Fatalf("21/09: due %d, want %d", st.Totals.TotalDueCents, want)
	}
	// Four days on, recorded broken by the sweep or not, the delay's days
	// stay at the legal rate: 5 days × 12,15 % = 16,643 → 16,64.
	after := append(during, wantLine{"2025-09-21", "2025-09-25", 1215, 1_000_000, 1664})
	checkLines(t, "25/09", delayed(b2bInput("2025-09-25"), p).Claims[0].Lines, after...)
	q := p
	q.Instalments = append([]recouvra.Instalment(nil), p.Instalments...)
	if ch := q.Judge(nil, recouvra.MustDate("2025-09-21")); q.Status != recouvra.PlanBroken || !ch.Moved {
		t.Fatalf("judged on 21/09: %s", q.Status)
	}
	st = delayed(b2bInput("2025-09-25"), q)
	checkLines(t, "25/09, recorded broken", st.Claims[0].Lines, after...)
	if note := st.Claims[0].RateNote; !strings.Contains(note, "du 15/08/2025 au 20/09/2025 inclus") || !strings.Contains(note, "à compter du 21/09/2025") {
		t.Errorf("note after the break %q", note)
	}

	// The same plan negotiated by an agent holds nothing off.
	agent := p
	agent.Origin = recouvra.PlanByAgent
	if ds := recouvra.PlanCourtDelays([]recouvra.Plan{agent}, nil, recouvra.MustDate("2025-09-01")); len(ds) != 0 {
		t.Fatalf("an agent's plan: %+v", ds)
	}
	if st := delayed(b2bInput("2025-09-01"), agent); st.Claims[0].Lines[1].To.String() != "2025-09-01" || st.Claims[0].Lines[1].RateBps != 1215 {
		t.Fatalf("an agent's plan changed the rate: %+v", st.Claims[0].Lines)
	}
}

// TestCourtDelayThroughItsLastDay: a delay in one instalment of
// 10 243,83 € due 14 October 2025, recorded on 14 August 2025 and paid on
// the day. Through 14 October the legal rate: 15/08–14/10 is 17 + 30 + 14 =
// 61 days, 10 000,00 × 2,76 % × 61/365 = 46,126 → 46,13. The payment goes
// to the indemnity (40,00), the interest (54,04 + 149,79 + 46,13 = 249,96),
// then 9 953,87 of principal: 46,13 stays due, and from 15 October, the
// plan completed, it bears the penalties again: 46,13 × 12,15 % × 1/365 =
// 0,0154 → 0,02.
func TestCourtDelayThroughItsLastDay(t *testing.T) {
	t.Parallel()
	caseID := uuid.New()
	p := courtPlan(caseID, "2025-08-14", "2025-10-14", int64(1_024_383))
	pay := recouvra.Payment{ID: uuid.New(), CaseID: caseID, AmountCents: 1_024_383, ReceivedOn: recouvra.MustDate("2025-10-14"), Method: recouvra.MethodTransfer, Currency: "EUR"}
	if p.Judge([]recouvra.Payment{pay}, recouvra.MustDate("2025-10-14")); p.Status != recouvra.PlanCompleted || p.DecidedOn.String() != "2025-10-14" {
		t.Fatalf("judged on 14/10: %s on %s", p.Status, p.DecidedOn)
	}
	delay := []wantLine{
		{"2025-06-16", "2025-06-30", 1315, 1_000_000, 5404},
		{"2025-07-01", "2025-08-14", 1215, 1_000_000, 14979},
		{"2025-08-15", "2025-10-14", 276, 1_000_000, 4613},
	}
	st := delayed(b2bInput("2025-10-14", pay), p)
	checkLines(t, "14/10", st.Claims[0].Lines, delay...)
	if st.Totals.TotalDueCents != 4613 || st.Totals.PrincipalOutstandingCents != 4613 {
		t.Fatalf("14/10: %+v", st.Totals)
	}
	st = delayed(b2bInput("2025-10-15", pay), p)
	checkLines(t, "15/10", st.Claims[0].Lines, append(delay, wantLine{"2025-10-15", "2025-10-15", 1215, 4613, 2})...)
	if st.Totals.TotalDueCents != 4615 {
		t.Fatalf("15/10: %+v", st.Totals)
	}
}

// TestCourtDelayHoldsOffTheLegalRateIncrease: legal interest for a
// consumer's debt (due 15 June 2025, formal notice 20 June 2025) under a
// judgment enforceable on 1 May 2025: +5 points from 2 July 2025 (L313-3),
// 2,76 + 5 = 7,76 %. A delay recorded on 14 August 2025 holds the increase
// off (1343-5 al. 4: "les majorations d'intérêts") but not the legal rate.
func TestCourtDelayHoldsOffTheLegalRateIncrease(t *testing.T) {
	t.Parallel()
	caseID := uuid.New()
	in := b2bInput("2025-08-20")
	in.DebtorKind = recouvra.DebtorPerson
	in.FormalNoticeSentOn = recouvra.MustDate("2025-06-20")
	in.EnforceableOn = recouvra.MustDate("2025-05-01")
	p := courtPlan(caseID, "2025-08-14", "2025-09-15", int64(1_010_000))
	st := delayed(in, p)
	checkLines(t, "20/08", st.Claims[0].Lines,
		wantLine{"2025-06-21", "2025-06-30", 371, 1_000_000, 1016}, // × 3,71 % × 10/365 = 10,164
		wantLine{"2025-07-01", "2025-07-01", 276, 1_000_000, 76},   // × 2,76 % × 1/365 = 0,756
		wantLine{"2025-07-02", "2025-08-14", 776, 1_000_000, 9355}, // × 7,76 % × 44/365 = 93,545
		wantLine{"2025-08-15", "2025-08-20", 276, 1_000_000, 454},  // × 2,76 % × 6/365 = 4,537
	)
	if st.Claims[0].Regime != recouvra.RegimeLegal || !strings.Contains(st.Claims[0].RateNote, "1343-5 al. 4") {
		t.Fatalf("regime %s, note %q", st.Claims[0].Regime, st.Claims[0].RateNote)
	}
	// Without the increase there is nothing to hold off: the same lines
	// as without the plan, and no word of it.
	in.EnforceableOn = recouvra.Date{}
	plain := recouvra.ComputeStatement(in)
	st = delayed(in, p)
	if len(st.Claims[0].Lines) != len(plain.Claims[0].Lines) || st.Totals != plain.Totals || strings.Contains(st.Claims[0].RateNote, "1343-5") {
		t.Fatalf("plain legal rate: %+v, without the plan %+v; note %q", st.Claims[0].Lines, plain.Claims[0].Lines, st.Claims[0].RateNote)
	}
}
