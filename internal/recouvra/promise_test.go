package recouvra

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestJudgePromise(t *testing.T) {
	caseID := uuid.New()
	d := func(s string) Date {
		v, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	reversed := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	pay := func(on string, cents int64) Payment {
		return Payment{ID: uuid.New(), CaseID: caseID, AmountCents: cents, ReceivedOn: d(on)}
	}
	rev := func(p Payment) Payment { p.ReversedAt = &reversed; return p }
	// Made on 1 March for 500,00 € by 10 March; 3 grace days: the 13th is
	// the last day a payment keeps it.
	base := Promise{CaseID: caseID, AmountCents: 50000, MadeOn: d("2026-03-01"), DueOn: d("2026-03-10"), Status: PromisePending}
	with := func(s PromiseStatus) Promise { p := base; p.Status = s; return p }
	for _, tc := range []struct {
		name     string
		p        Promise
		payments []Payment
		today    string
		want     PromiseStatus
	}{
		{"nothing yet, before the due date", base, nil, "2026-03-05", PromisePending},
		{"nothing, on the due date", base, nil, "2026-03-10", PromisePending},
		{"nothing, last grace day", base, nil, "2026-03-13", PromisePending},
		{"nothing, the day after grace", base, nil, "2026-03-14", PromiseBroken},
		{"paid in full early", base, []Payment{pay("2026-03-02", 50000)}, "2026-03-02", PromiseKept},
		{"paid on the day it was made", base, []Payment{pay("2026-03-01", 50000)}, "2026-03-01", PromiseKept},
		{"paid on the last grace day", base, []Payment{pay("2026-03-13", 50000)}, "2026-03-13", PromiseKept},
		{"paid on the last grace day, recorded later", base, []Payment{pay("2026-03-13", 50000)}, "2026-03-20", PromiseKept},
		{"paid the day after grace", base, []Payment{pay("2026-03-14", 50000)}, "2026-03-14", PromiseBroken},
		{"paid in two parts", base, []Payment{pay("2026-03-04", 20000), pay("2026-03-12", 30000)}, "2026-03-12", PromiseKept},
		{"first part only, within grace", base, []Payment{pay("2026-03-04", 20000)}, "2026-03-12", PromisePending},
		{"first part only, grace over", base, []Payment{pay("2026-03-04", 20000)}, "2026-03-14", PromiseBroken},
		{"a cent short", base, []Payment{pay("2026-03-04", 49999)}, "2026-03-20", PromiseBroken},
		{"more than promised", base, []Payment{pay("2026-03-04", 70000)}, "2026-03-04", PromiseKept},
		{"a payment before it was made does not count", base, []Payment{pay("2026-02-28", 50000)}, "2026-03-05", PromisePending},
		{"… nor after grace", base, []Payment{pay("2026-02-28", 50000)}, "2026-03-14", PromiseBroken},
		{"kept, then the payment reversed within grace: pending again", with(PromiseKept), []Payment{rev(pay("2026-03-05", 50000))}, "2026-03-12", PromisePending},
		{"kept, then the payment reversed after grace: broken", with(PromiseKept), []Payment{rev(pay("2026-03-05", 50000))}, "2026-03-20", PromiseBroken},
		{"kept, one of two parts reversed after grace: broken", with(PromiseKept), []Payment{pay("2026-03-04", 20000), rev(pay("2026-03-12", 30000))}, "2026-03-20", PromiseBroken},
		{"kept, reversed, paid again in grace: kept", with(PromiseKept), []Payment{rev(pay("2026-03-05", 50000)), pay("2026-03-11", 50000)}, "2026-03-20", PromiseKept},
		{"broken by an agent, nothing paid: stays broken in grace", with(PromiseBroken), nil, "2026-03-05", PromiseBroken},
		{"broken, then a payment in grace recorded late: kept", with(PromiseBroken), []Payment{pay("2026-03-13", 50000)}, "2026-03-25", PromiseKept},
		{"another case's payment does not count", base, []Payment{{CaseID: uuid.New(), AmountCents: 50000, ReceivedOn: d("2026-03-05")}}, "2026-03-20", PromiseBroken},
		{"replaced stays replaced", with(PromiseReplaced), []Payment{pay("2026-03-05", 50000)}, "2026-03-20", PromiseReplaced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := JudgePromise(tc.p, tc.payments, 3, d(tc.today)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	// The grace is a setting: with none, the due date is the last day.
	if got := JudgePromise(base, []Payment{pay("2026-03-11", 50000)}, 0, d("2026-03-11")); got != PromiseBroken {
		t.Fatalf("no grace, paid the day after: %s", got)
	}
}

func TestReckonPromises(t *testing.T) {
	caseID := uuid.New()
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	c := Case{ID: caseID, BrokenPromises: 1}
	ps := []Promise{
		{ID: uuid.New(), CaseID: caseID, AmountCents: 10000, MadeOn: d("2026-03-01"), DueOn: d("2026-03-05"), Status: PromiseKept},
		{ID: uuid.New(), CaseID: caseID, AmountCents: 30000, MadeOn: d("2026-03-06"), DueOn: d("2026-03-20"), Status: PromisePending},
	}
	pays := []Payment{{CaseID: caseID, AmountCents: 10000, ReceivedOn: d("2026-03-02")}}
	// Nothing moves on 10 March: the first is kept, the second pending.
	if ch := c.ReckonPromises(ps, pays, 3, d("2026-03-10")); len(ch) != 0 || c.PromiseDueOn != d("2026-03-20") || c.PromiseAmountCents != 30000 || c.BrokenPromises != 1 {
		t.Fatalf("10 March: %+v, case %+v", ch, c)
	}
	// The first payment reversed on 24 March: the first broken, the second
	// too (its grace ended on the 23rd), counted twice, no pending promise.
	at := time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC)
	pays[0].ReversedAt = &at
	ch := c.ReckonPromises(ps, pays, 3, d("2026-03-24"))
	if len(ch) != 2 || ch[0].From != PromiseKept || ch[0].Promise.Status != PromiseBroken || ch[1].Promise.Status != PromiseBroken {
		t.Fatalf("24 March: %+v", ch)
	}
	if c.BrokenPromises != 3 || !c.PromiseDueOn.IsZero() || c.NextActionOn != d("2026-03-24") {
		t.Fatalf("case after: %+v", c)
	}
	// A payment received on 22 March, recorded on the 25th, keeps the
	// second after all: one broken less.
	pays = append(pays, Payment{CaseID: caseID, AmountCents: 30000, ReceivedOn: d("2026-03-22")})
	ch = c.ReckonPromises(ps, pays, 3, d("2026-03-25"))
	if len(ch) != 1 || ch[0].Promise.Status != PromiseKept || ch[0].From != PromiseBroken || c.BrokenPromises != 2 || ch[0].CoveredCents != 30000 {
		t.Fatalf("25 March: %+v, case %+v", ch, c)
	}
}

func TestKeptRate(t *testing.T) {
	for _, tc := range []struct {
		kept, broken int64
		want         int
	}{{0, 0, 5000}, {3, 1, 7500}, {0, 4, 0}, {2, 0, 10000}, {1, 2, 3333}} {
		if got := KeptRate(tc.kept, tc.broken, 5000); got != tc.want {
			t.Errorf("KeptRate(%d, %d) = %d, want %d", tc.kept, tc.broken, got, tc.want)
		}
	}
}
