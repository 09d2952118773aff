package recouvra_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// The shipped rows of configs/rates.csv that the examples use.
var rates = recouvra.NewRateTable([]recouvra.Rate{
	{recouvra.RateECB, recouvra.MustDate("2025-01-01"), 315, "BCE 1/1/2025"},
	{recouvra.RateECB, recouvra.MustDate("2025-07-01"), 215, "BCE 1/7/2025"},
	{recouvra.RateECB, recouvra.MustDate("2026-01-01"), 215, "BCE 1/1/2026"},
	{recouvra.RateLegalOther, recouvra.MustDate("2025-01-01"), 371, "TIL 2025 S1 autres"},
	{recouvra.RateLegalOther, recouvra.MustDate("2025-07-01"), 276, "TIL 2025 S2 autres"},
	{recouvra.RateLegalOther, recouvra.MustDate("2026-01-01"), 262, "TIL 2026 S1 autres"},
	{recouvra.RateLegalIndividual, recouvra.MustDate("2026-01-01"), 667, "TIL 2026 S1 particuliers"},
	{recouvra.RateIndemnity, recouvra.MustDate("2013-01-01"), 4000, "D441-5"},
})

var claimID = uuid.MustParse("01900000-0000-7000-8000-000000000001")

func b2bInput(asOf string, payments ...recouvra.Payment) recouvra.StatementInput {
	return recouvra.StatementInput{
		AsOf: recouvra.MustDate(asOf), Currency: "EUR", CreditorStatus: recouvra.StatusBusiness, DebtorKind: recouvra.DebtorCompany,
		Claims: []recouvra.Claim{{ID: claimID, InvoiceNumber: "FA-100", IssuedOn: recouvra.MustDate("2025-05-16"), DueOn: recouvra.MustDate("2025-06-15"),
			AmountCents: 1_000_000, VATCents: 166_667, Currency: "EUR"}},
		Payments: payments, Rates: rates,
	}
}

func TestClaimAcrossAHalfYearBoundary(t *testing.T) {
	// Due 15 June 2025, as of 14 August 2025: 15 days in the first half-year
	// at 3.15 + 10 = 13.15 %, 45 in the second at 2.15 + 10 = 12.15 %.
	// 10 000,00 × 13,15 % × 15/365 = 54,04 ; 10 000,00 × 12,15 % × 45/365 = 149,79.
	st := recouvra.ComputeStatement(b2bInput("2025-08-14"))
	c := st.Claims[0]
	if len(c.Lines) != 2 {
		t.Fatalf("lines %+v", c.Lines)
	}
	want := []struct {
		from, to string
		days     int
		bps      int64
		amount   int64
	}{{"2025-06-16", "2025-06-30", 15, 1315, 5404}, {"2025-07-01", "2025-08-14", 45, 1215, 14979}}
	for i, w := range want {
		l := c.Lines[i]
		if l.From.String() != w.from || l.To.String() != w.to || l.Days != w.days || l.RateBps != w.bps || l.AmountCents != w.amount || l.BaseCents != 1_000_000 || l.Provisional {
			t.Errorf("line %d: %+v, want %+v", i, l, w)
		}
	}
	if c.IndemnityCents != 4000 || st.Totals.InterestCents != 20383 || st.Totals.TotalDueCents != 1_000_000+20383+4000 {
		t.Fatalf("totals %+v", st.Totals)
	}
	if c.TimeBarOn.String() != "2030-06-15" {
		t.Fatalf("time bar %s", c.TimeBarOn)
	}
}

var pay1000 = recouvra.Payment{ID: uuid.New(), AmountCents: 100_000, ReceivedOn: recouvra.MustDate("2025-08-14"), Method: recouvra.MethodTransfer, Currency: "EUR"}

func TestPartialPaymentClearsIndemnityInterestThenPrincipal(t *testing.T) {
	// 1 000,00 on 14 August: 40,00 indemnity, 203,83 interest, 756,17 principal.
	// Then 30 days on 9 243,83 at 12,15 %: 92,31.
	st := recouvra.ComputeStatement(b2bInput("2025-09-13", pay1000))
	a := st.Payments[0].Allocations
	if len(a) != 1 || a[0].IndemnityCents != 4000 || a[0].InterestCents != 20383 || a[0].PrincipalCents != 75617 {
		t.Fatalf("allocation %+v", a)
	}
	c := st.Claims[0]
	last := c.Lines[len(c.Lines)-1]
	if last.From.String() != "2025-08-15" || last.Days != 30 || last.BaseCents != 924_383 || last.AmountCents != 9231 {
		t.Fatalf("line after the payment %+v", last)
	}
	tot := st.Totals
	if tot.PrincipalOutstandingCents != 924_383 || tot.InterestOutstandingCents != 9231 || tot.IndemnitiesOutstandingCents != 0 || tot.TotalDueCents != 933_614 {
		t.Fatalf("totals %+v", tot)
	}
}

func TestReversalReappliesEverything(t *testing.T) {
	reversed := pay1000
	at := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	reversed.ReversedAt = &at
	st := recouvra.ComputeStatement(b2bInput("2025-09-13", reversed))
	// As if never paid: 54,04 + 75 days × 12,15 % on 10 000,00 = 249,66.
	if len(st.Payments) != 0 || st.Totals.InterestCents != 5404+24966 || st.Totals.PrincipalOutstandingCents != 1_000_000 || st.Totals.IndemnitiesOutstandingCents != 4000 {
		t.Fatalf("%+v", st.Totals)
	}
}

func TestLegalInterestFromTheFormalNotice(t *testing.T) {
	in := recouvra.StatementInput{
		AsOf: recouvra.MustDate("2026-03-12"), Currency: "EUR", CreditorStatus: recouvra.StatusBusiness, DebtorKind: recouvra.DebtorPerson,
		FormalNoticeSentOn: recouvra.MustDate("2026-02-06"), FormalNoticeReceivedOn: recouvra.MustDate("2026-02-10"),
		Claims: []recouvra.Claim{{ID: claimID, InvoiceNumber: "L-1", IssuedOn: recouvra.MustDate("2025-11-01"), DueOn: recouvra.MustDate("2025-12-01"), AmountCents: 500_000, Currency: "EUR"}},
		Rates:  rates,
	}
	// A consumer debtor: legal interest, from the receipt of the notice, no indemnity.
	// 5 000,00 × 2,62 % × 30/365 = 10,77.
	st := recouvra.ComputeStatement(in)
	c := st.Claims[0]
	if c.Regime != recouvra.RegimeLegal || c.IndemnityCents != 0 || len(c.Lines) != 1 || c.Lines[0].Days != 30 || c.Lines[0].AmountCents != 1077 {
		t.Fatalf("%+v", c)
	}
	// An individual creditor gets the higher rate: 6,67 % → 27,41.
	in.CreditorStatus = recouvra.StatusIndividual
	if c := recouvra.ComputeStatement(in).Claims[0]; c.Lines[0].RateBps != 667 || c.Lines[0].AmountCents != 2741 {
		t.Fatalf("individual creditor: %+v", c.Lines)
	}
	// Without a formal notice, no interest, and the statement says why.
	in.FormalNoticeSentOn, in.FormalNoticeReceivedOn = recouvra.Date{}, recouvra.Date{}
	st = recouvra.ComputeStatement(in)
	if st.Totals.InterestCents != 0 || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "mise en demeure") {
		t.Fatalf("%+v", st)
	}
}

func TestLegalRateRisesFivePointsTwoMonthsAfterAnEnforceableTitle(t *testing.T) {
	in := recouvra.StatementInput{
		AsOf: recouvra.MustDate("2026-04-20"), Currency: "EUR", CreditorStatus: recouvra.StatusIndividual, DebtorKind: recouvra.DebtorPerson,
		FormalNoticeReceivedOn: recouvra.MustDate("2026-01-10"), EnforceableOn: recouvra.MustDate("2026-02-10"),
		Claims: []recouvra.Claim{{ID: claimID, InvoiceNumber: "L-2", IssuedOn: recouvra.MustDate("2025-11-01"), DueOn: recouvra.MustDate("2025-12-01"), AmountCents: 365_000, Currency: "EUR"}},
		Rates:  rates,
	}
	c := recouvra.ComputeStatement(in).Claims[0]
	// 11 Jan – 10 Apr at 6,67 %, 11 Apr – 20 Apr at 11,67 %.
	if len(c.Lines) != 2 || c.Lines[0].To.String() != "2026-04-10" || c.Lines[1].RateBps != 1167 || c.Lines[1].Days != 10 {
		t.Fatalf("%+v", c.Lines)
	}
}

func TestMissingHalfYearIsCarriedForwardAndProvisional(t *testing.T) {
	in := b2bInput("2026-08-10")
	in.Claims[0].DueOn = recouvra.MustDate("2026-06-30")
	st := recouvra.ComputeStatement(in)
	l := st.Claims[0].Lines
	// 1 July – 10 August 2026: 41 days at the carried 2,15 + 10 = 12,15 %: 136,48.
	if len(l) != 1 || !l[0].Provisional || l[0].RateBps != 1215 || l[0].AmountCents != 13648 {
		t.Fatalf("%+v", l)
	}
	if !st.Provisional || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "2026 S2") {
		t.Fatalf("%v %v", st.Provisional, st.Warnings)
	}
}

func TestContractualPenaltyBelowTheFloorIsFlagged(t *testing.T) {
	in := b2bInput("2025-08-14")
	in.Claims[0].ContractRateBps = 500 // 5 % < 3 × 3,71 %
	st := recouvra.ComputeStatement(in)
	if st.Claims[0].Lines[0].RateBps != 500 || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "11,13") {
		t.Fatalf("%+v %v", st.Claims[0].Lines, st.Warnings)
	}
}

func TestNamedClaimAndOldestFirst(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	in := b2bInput("2025-10-01")
	in.Claims = []recouvra.Claim{
		{ID: b, InvoiceNumber: "B", IssuedOn: recouvra.MustDate("2025-06-01"), DueOn: recouvra.MustDate("2025-07-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeNone},
		{ID: a, InvoiceNumber: "A", IssuedOn: recouvra.MustDate("2025-05-01"), DueOn: recouvra.MustDate("2025-06-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeNone},
	}
	unnamed := recouvra.Payment{ID: uuid.New(), AmountCents: 60_000, ReceivedOn: recouvra.MustDate("2025-09-01"), Currency: "EUR"}
	st := recouvra.ComputeStatement(withPayments(in, unnamed))
	if al := st.Payments[0].Allocations; al[0].InvoiceNumber != "A" || al[0].PrincipalCents != 50_000 || al[1].PrincipalCents != 10_000 {
		t.Fatalf("oldest due first: %+v", al)
	}
	named := unnamed
	named.ClaimID = &b
	st = recouvra.ComputeStatement(withPayments(in, named))
	if al := st.Payments[0].Allocations; al[0].InvoiceNumber != "B" || al[0].PrincipalCents != 50_000 || al[1].InvoiceNumber != "A" {
		t.Fatalf("named claim first: %+v", al)
	}
}

func withPayments(in recouvra.StatementInput, p ...recouvra.Payment) recouvra.StatementInput {
	in.Payments = p
	return in
}

// TestStatementProperties: for random claims and payments, allocations sum
// to the payments, nothing goes negative, and computing twice — or with the
// facts in another order — gives the same statement.
func TestStatementProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	start := recouvra.MustDate("2025-01-01")
	for run := 0; run < 300; run++ {
		in := recouvra.StatementInput{Currency: "EUR", CreditorStatus: recouvra.StatusBusiness, DebtorKind: recouvra.DebtorCompany, Rates: rates,
			FormalNoticeSentOn: start.AddDays(r.IntN(200))}
		if r.IntN(2) == 0 {
			in.DebtorKind = recouvra.DebtorPerson
		}
		for i := 0; i < 1+r.IntN(4); i++ {
			issued := start.AddDays(r.IntN(300))
			amount := int64(1 + r.IntN(2_000_000))
			if i > 0 && r.IntN(5) == 0 {
				amount = -int64(1 + r.IntN(50_000)) // a credit note
			}
			in.Claims = append(in.Claims, recouvra.Claim{ID: uuid.New(), InvoiceNumber: string(rune('A' + i)), IssuedOn: issued, DueOn: issued.AddDays(r.IntN(60)), AmountCents: amount, Currency: "EUR"})
		}
		var paid int64
		for i := 0; i < r.IntN(6); i++ {
			p := recouvra.Payment{ID: uuid.New(), AmountCents: int64(1 + r.IntN(800_000)), ReceivedOn: start.AddDays(r.IntN(500)), Currency: "EUR",
				CreatedAt: time.Unix(int64(i), 0)}
			in.Payments = append(in.Payments, p)
		}
		in.AsOf = start.AddDays(300 + r.IntN(300))
		st := recouvra.ComputeStatement(in)
		var allocated, unapplied int64
		for _, p := range st.Payments {
			paid += p.Payment.AmountCents
			unapplied += p.UnappliedCents
			for _, a := range p.Allocations {
				if a.PrincipalCents < 0 || a.InterestCents < 0 || a.IndemnityCents < 0 {
					t.Fatalf("run %d: negative allocation %+v", run, a)
				}
				allocated += a.PrincipalCents + a.InterestCents + a.IndemnityCents
			}
		}
		if allocated+unapplied != paid || st.Totals.PaidCents != paid {
			t.Fatalf("run %d: allocated %d + unapplied %d ≠ paid %d", run, allocated, unapplied, paid)
		}
		for _, c := range st.Claims {
			if c.PrincipalOutstandingCents < 0 || c.InterestOutstandingCents < 0 || c.IndemnityOutstandingCents < 0 {
				t.Fatalf("run %d: negative outstanding %+v", run, c)
			}
			if c.PrincipalCents-c.CreditedCents-c.PrincipalPaidCents != c.PrincipalOutstandingCents {
				t.Fatalf("run %d: principal does not add up %+v", run, c)
			}
			var sum int64
			for _, l := range c.Lines {
				sum += l.AmountCents
			}
			if sum != c.InterestCents {
				t.Fatalf("run %d: interest is not the sum of its lines", run)
			}
		}
		// The same facts in another order give the same figures.
		shuffled := in
		shuffled.Payments = append([]recouvra.Payment(nil), in.Payments...)
		shuffled.Claims = append([]recouvra.Claim(nil), in.Claims...)
		r.Shuffle(len(shuffled.Payments), func(i, j int) {
			shuffled.Payments[i], shuffled.Payments[j] = shuffled.Payments[j], shuffled.Payments[i]
		})
		r.Shuffle(len(shuffled.Claims), func(i, j int) { shuffled.Claims[i], shuffled.Claims[j] = shuffled.Claims[j], shuffled.Claims[i] })
		if again := recouvra.ComputeStatement(shuffled); again.Totals != st.Totals {
			t.Fatalf("run %d: order changed the totals:\n%+v\n%+v", run, st.Totals, again.Totals)
		}
	}
}

func TestNoIndemnityForAnInvoicePaidOnTime(t *testing.T) {
	onTime := recouvra.Payment{ID: uuid.New(), AmountCents: 1_000_000, ReceivedOn: recouvra.MustDate("2025-06-15"), Currency: "EUR"}
	st := recouvra.ComputeStatement(b2bInput("2025-08-14", onTime))
	if st.Totals.IndemnitiesCents != 0 || st.Totals.InterestCents != 0 || st.Totals.TotalDueCents != 0 {
		t.Fatalf("%+v", st.Totals)
	}
	late := onTime
	late.ReceivedOn = recouvra.MustDate("2025-06-16")
	st = recouvra.ComputeStatement(b2bInput("2025-08-14", late))
	// A day late: the indemnity (40,00) and one day of interest (3,60) come
	// first, leaving 43,60 of principal.
	if st.Totals.IndemnitiesPaidCents != 4000 || st.Totals.InterestPaidCents != 360 || st.Totals.PrincipalOutstandingCents != 4360 {
		t.Fatalf("%+v", st.Totals)
	}
}
