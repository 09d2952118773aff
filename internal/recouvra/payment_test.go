package recouvra_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestAcceptPayment(t *testing.T) {
	today := recouvra.MustDate("2026-11-25")
	caseID := uuid.New()
	invoice := recouvra.Claim{ID: uuid.New(), CaseID: caseID, InvoiceNumber: "F-1", IssuedOn: recouvra.MustDate("2026-03-02"), DueOn: recouvra.MustDate("2026-04-01"), AmountCents: 120000}
	credit := recouvra.Claim{ID: uuid.New(), CaseID: caseID, InvoiceNumber: "AV-1", IssuedOn: recouvra.MustDate("2026-05-02"), DueOn: recouvra.MustDate("2026-05-02"), AmountCents: -20000}
	otherCases := recouvra.Claim{ID: uuid.New(), CaseID: uuid.New(), InvoiceNumber: "F-9", IssuedOn: recouvra.MustDate("2026-01-02"), DueOn: recouvra.MustDate("2026-02-01"), AmountCents: 5000}
	claims := []recouvra.Claim{invoice, credit}
	good := recouvra.Payment{AmountCents: 25000, ReceivedOn: recouvra.MustDate("2026-11-20"), Method: recouvra.MethodCheque}
	ptr := func(id uuid.UUID) *uuid.UUID { return &id }

	cases := []struct {
		name   string
		stage  recouvra.Stage
		edit   func(p *recouvra.Payment)
		claims []recouvra.Claim
		want   []string // field:code, in order
	}{
		{name: "accepted", edit: func(*recouvra.Payment) {}},
		{name: "currency named as the case's", edit: func(p *recouvra.Payment) { p.Currency = " eur " }},
		{name: "on a named invoice", edit: func(p *recouvra.Payment) { p.ClaimID = ptr(invoice.ID) }},
		{name: "received today", edit: func(p *recouvra.Payment) { p.ReceivedOn = today }},
		{name: "zero", edit: func(p *recouvra.Payment) { p.AmountCents = 0 }, want: []string{"amount_cents:not_positive"}},
		{name: "negative", edit: func(p *recouvra.Payment) { p.AmountCents = -1 }, want: []string{"amount_cents:not_positive"}},
		{name: "no date", edit: func(p *recouvra.Payment) { p.ReceivedOn = recouvra.Date{} }, want: []string{"received_on:required"}},
		{name: "tomorrow", edit: func(p *recouvra.Payment) { p.ReceivedOn = today.AddDays(1) }, want: []string{"received_on:future"}},
		{name: "before the first invoice", edit: func(p *recouvra.Payment) { p.ReceivedOn = invoice.IssuedOn.AddDays(-1) }, want: []string{"received_on:before_claims"}},
		{name: "unknown method", edit: func(p *recouvra.Payment) { p.Method = "bitcoin" }, want: []string{"method:invalid"}},
		{name: "other currency", edit: func(p *recouvra.Payment) { p.Currency = "USD" }, want: []string{"currency:mismatch"}},
		{name: "a credit note is not paid", edit: func(p *recouvra.Payment) { p.ClaimID = ptr(credit.ID) }, want: []string{"claim_id:unknown"}},
		{name: "another case's invoice", edit: func(p *recouvra.Payment) { p.ClaimID = ptr(otherCases.ID) }, claims: []recouvra.Claim{invoice, credit, otherCases}, want: []string{"claim_id:unknown"}},
		{name: "closed case", stage: recouvra.StageClosed, edit: func(*recouvra.Payment) {}, want: []string{"case:closed"}},
		{name: "every reason at once", stage: recouvra.StageClosed, edit: func(p *recouvra.Payment) {
			p.AmountCents, p.ReceivedOn, p.Method, p.Currency, p.ClaimID = 0, today.AddDays(3), "", "GBP", ptr(uuid.New())
		}, want: []string{"amount_cents:not_positive", "received_on:future", "method:invalid", "currency:mismatch", "claim_id:unknown", "case:closed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &recouvra.Case{ID: caseID, Stage: recouvra.StageAmicable, Currency: "EUR"}
			if tc.stage != "" {
				c.Stage = tc.stage
			}
			p := good
			tc.edit(&p)
			cl := claims
			if tc.claims != nil {
				cl = tc.claims
			}
			err := c.AcceptPayment(p, cl, today)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *recouvra.Error
			if !errors.As(err, &e) || e.Code != recouvra.ECodeInvalid {
				t.Fatalf("want a validation error, got %v", err)
			}
			var got []string
			for _, f := range e.Fields {
				if f.Message == "" {
					t.Errorf("%s: no message", f.Field)
				}
				got = append(got, f.Field+":"+f.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPaymentRestartsTheTimeBar: a payment acknowledges the debt, so the
// time bar runs again from the day it was received (C. civ. 2240); a
// refused payment, or an older one than the last interruption, moves
// nothing.
func TestPaymentRestartsTheTimeBar(t *testing.T) {
	today := recouvra.MustDate("2026-11-25")
	caseID := uuid.New()
	claims := []recouvra.Claim{{ID: uuid.New(), CaseID: caseID, InvoiceNumber: "F-1", IssuedOn: recouvra.MustDate("2024-03-02"), DueOn: recouvra.MustDate("2024-04-01"), AmountCents: 120000}}
	c := &recouvra.Case{ID: caseID, Stage: recouvra.StageAmicable, Currency: "EUR", LastInterruptionOn: recouvra.MustDate("2025-01-10")}
	pay := recouvra.Payment{AmountCents: 25000, ReceivedOn: recouvra.MustDate("2026-02-03"), Method: recouvra.MethodTransfer}
	if err := c.AcceptPayment(pay, claims, today); err != nil {
		t.Fatal(err)
	}
	if c.LastInterruptionOn.String() != "2026-02-03" {
		t.Fatalf("C. civ. 2240: last interruption %s, want the payment's date", c.LastInterruptionOn)
	}
	// With a two-year term the bar is now 3 Feb 2028, not 10 Jan 2027.
	if on := recouvra.TimeBarOn(claims[0].DueOn, c.LastInterruptionOn, recouvra.TimeBarTerm{Years: 2}); on.String() != "2028-02-03" {
		t.Fatalf("time bar %s", on)
	}
	older := pay
	older.ReceivedOn = recouvra.MustDate("2025-06-01")
	if err := c.AcceptPayment(older, claims, today); err != nil || c.LastInterruptionOn.String() != "2026-02-03" {
		t.Fatalf("an older payment moved the interruption to %s (%v)", c.LastInterruptionOn, err)
	}
	refused := pay
	refused.ReceivedOn, refused.AmountCents = recouvra.MustDate("2026-11-01"), 0
	if err := c.AcceptPayment(refused, claims, today); err == nil || c.LastInterruptionOn.String() != "2026-02-03" {
		t.Fatalf("a refused payment moved the interruption to %s (%v)", c.LastInterruptionOn, err)
	}
}

// TestReversedPaymentNoLongerRestartsTheTimeBar: a bounced cheque
// acknowledges nothing (C. civ. 2240); what still stands decides.
func TestReversedPaymentNoLongerRestartsTheTimeBar(t *testing.T) {
	c := &recouvra.Case{LastInterruptionOn: recouvra.MustDate("2026-02-03")}
	c.ReckonInterruption([]recouvra.Date{recouvra.MustDate("2025-01-10"), recouvra.MustDate("2024-06-30")})
	if c.LastInterruptionOn.String() != "2025-01-10" {
		t.Fatalf("C. civ. 2240: %s, want the latest act still standing", c.LastInterruptionOn)
	}
	c.ReckonInterruption(nil)
	if !c.LastInterruptionOn.IsZero() {
		t.Fatalf("no act left: %s", c.LastInterruptionOn)
	}
	c.Injunction.EnforceableOn = recouvra.MustDate("2025-05-05")
	c.ReckonInterruption([]recouvra.Date{recouvra.MustDate("2025-01-10")})
	if c.LastInterruptionOn.String() != "2025-05-05" {
		t.Fatalf("C. civ. 2244: enforcement still stands: %s", c.LastInterruptionOn)
	}
}
