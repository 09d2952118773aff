package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCourtDelayHoldsOffPenalties: a delay a judge granted (C. civ. 1343-5)
// recorded on a case between professionals. The statement keeps the
// L441-10 penalties through the day it is recorded, counts the days after
// at the legal interest rate while it is kept, naming the article, the
// court and the dates (al. 4: the penalties are not incurred during the
// delay), and counts the penalties again from the day it breaks — before
// and after the sweep records it — without reaching back.
func TestCourtDelayHoldsOffPenalties(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID
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
	made := w.today()
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/plans", map[string]any{
		"schedule":          map[string]any{"frequency": "monthly", "count": 3, "first_on": made.AddDays(10).String()},
		"court":             "Tribunal de commerce de Paris",
		"court_decision_on": made.AddDays(-3).String(),
	}, "Idempotency-Key", "plan-key-"+w.unique())
	var p oapi.Plan
	r.Decode(t, &p)
	if r.Status != 201 || p.Status != "kept" || p.Origin != "court" || p.InterestFrozen {
		t.Fatalf("court plan: %d %s", r.Status, r.Body)
	}
	st := statement("agent")
	ls := st.Claims[0].InterestLines
	usual := ls[len(ls)-1]
	if st.Totals.TotalDueCents != p.TotalCents || usual.To.String() != made.String() || strings.Contains(usual.RateSource, "1343-5") {
		t.Fatalf("the day it is recorded: due %d, plan %d, last line %+v", st.Totals.TotalDueCents, p.TotalCents, usual)
	}
	// delayLines are the lines after the day the plan was recorded, up to
	// through: at the legal rate, below the penalties' rate.
	delayLines := func(st oapi.Statement, through recouvra.Date) (sum int64) {
		t.Helper()
		days := 0
		for _, l := range st.Claims[0].InterestLines {
			from := recouvra.MustDate(l.From.String())
			if !from.After(made) || from.After(through) {
				continue
			}
			if !strings.Contains(l.RateSource, "1343-5 al. 4") || l.RateBps >= usual.RateBps || l.AmountCents <= 0 {
				t.Fatalf("a line of the delay: %+v (penalties at %d bps)", l, usual.RateBps)
			}
			days += l.Days
			sum += l.AmountCents
		}
		if days != made.DaysUntil(through) {
			t.Fatalf("the delay's lines count %d days, want %d: %+v", days, made.DaysUntil(through), st.Claims[0].InterestLines)
		}
		return sum
	}
	w.days(8)
	for _, who := range []string{"agent", "creditor"} {
		st = statement(who)
		note := st.Claims[0].RateNote
		if sum := delayLines(st, w.today()); st.Totals.TotalDueCents != p.TotalCents+sum ||
			!strings.Contains(note, "Tribunal de commerce de Paris, décision du "+recouvra.FrenchDate(made.AddDays(-3))) ||
			!strings.Contains(note, "depuis le "+recouvra.FrenchDate(made.AddDays(1))) {
			t.Fatalf("%s, 8 days into the delay: due %d, plan %d + %d; note %q", who, st.Totals.TotalDueCents, p.TotalCents, sum, note)
		}
	}
	// Nothing paid: the first instalment's grace ends and the plan breaks
	// the next day; the penalties run again from that day.
	breakOn := recouvra.MustDate(p.Instalments[0].DueOn.String()).AddDays(6)
	w.days(w.today().DaysUntil(breakOn))
	st = statement("agent")
	ls = st.Claims[0].InterestLines
	l := ls[len(ls)-1]
	sum := delayLines(st, breakOn.AddDays(-1))
	if l.From.String() != breakOn.String() || l.Days != 1 || l.RateBps <= ls[len(ls)-2].RateBps || strings.Contains(l.RateSource, "1343-5") ||
		st.Totals.TotalDueCents != p.TotalCents+sum+l.AmountCents {
		t.Fatalf("day of break, before the sweep: due %d (plan %d + %d), last line %+v", st.Totals.TotalDueCents, p.TotalCents, sum, l)
	}
	if n, err := w.svc.SweepPlans(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	again := statement("creditor")
	if again.Totals != st.Totals || !strings.Contains(again.Claims[0].RateNote, "à compter du "+recouvra.FrenchDate(breakOn)) {
		t.Fatalf("after the sweep: %+v, before %+v; note %q", again.Totals, st.Totals, again.Claims[0].RateNote)
	}
}
