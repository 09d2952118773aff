package recouvra_test

import (
	"math/rand/v2"
	"slices"
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

func TestNamedClaimAndOldestFirst(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	in := b2bInput("2025-10-01")
	in.DebtorKind = recouvra.DebtorPerson // a consumer: no indemnity, only principal to place
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
			var corrects *uuid.UUID
			if i > 0 && r.IntN(5) == 0 {
				amount = -int64(1 + r.IntN(50_000)) // a credit note
				if r.IntN(2) == 0 {
					corrects = &in.Claims[0].ID // naming the first invoice
				}
			}
			cl := recouvra.Claim{ID: uuid.New(), InvoiceNumber: string(rune('A' + i)), IssuedOn: issued, DueOn: issued.AddDays(r.IntN(60)), AmountCents: amount, Currency: "EUR", Corrects: corrects}
			if r.IntN(3) == 0 {
				cl.Regime, cl.ContractRateBps = recouvra.RegimeContractual, 100*(1+r.IntN(3)) // rates that tie, for 1342-10
			}
			in.Claims = append(in.Claims, cl)
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

// TestMoneyRulesAtTheirEdges: hand-worked examples of the rules of
// C. civ. 1342-10, credit notes, C. com. L441-10 II and D441-5.
func TestMoneyRulesAtTheirEdges(t *testing.T) {
	d := recouvra.MustDate
	a, b := uuid.New(), uuid.New()
	ptr := func(id uuid.UUID) *uuid.UUID { return &id }
	between := func(asOf string, claims ...recouvra.Claim) recouvra.StatementInput {
		return recouvra.StatementInput{AsOf: d(asOf), Currency: "EUR", CreditorStatus: recouvra.StatusBusiness, DebtorKind: recouvra.DebtorCompany, Claims: claims, Rates: rates}
	}
	consumer := func(asOf string, claims ...recouvra.Claim) recouvra.StatementInput {
		in := between(asOf, claims...)
		in.DebtorKind = recouvra.DebtorPerson
		return in
	}
	payment := func(cents int64, on string) recouvra.Payment {
		return recouvra.Payment{ID: uuid.New(), AmountCents: cents, ReceivedOn: d(on), Currency: "EUR", Method: recouvra.MethodTransfer}
	}
	type alloc struct {
		invoice                        string
		indemnity, interest, principal int64
	}
	allocs := func(st recouvra.Statement) []alloc {
		var out []alloc
		for _, p := range st.Payments {
			for _, a := range p.Allocations {
				out = append(out, alloc{a.InvoiceNumber, a.IndemnityCents, a.InterestCents, a.PrincipalCents})
			}
		}
		return out
	}
	claim := func(st recouvra.Statement, number string) recouvra.ClaimStatement {
		for _, c := range st.Claims {
			if c.InvoiceNumber == number {
				return c
			}
		}
		t.Fatalf("no claim %s in %+v", number, st.Claims)
		return recouvra.ClaimStatement{}
	}

	t.Run("C. civ. 1342-10: higher rate first", func(t *testing.T) {
		// A, the older, runs at 5 %; B at 12 %. 600,00 paid on 1 Sept 2025
		// with no invoice named goes to B first: 40,00 indemnity, 62 days
		// (2 July – 1 Sept) × 12 % on 500,00 = 10,19, 500,00 principal;
		// the 49,81 left to A: 40,00 indemnity, interest at 5 % on 500,00
		// for 29 days of 2025 S1 (1,99) and 63 of S2 (4,32), 3,50 principal.
		in := between("2025-09-01",
			recouvra.Claim{ID: a, InvoiceNumber: "A", IssuedOn: d("2025-05-01"), DueOn: d("2025-06-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeContractual, ContractRateBps: 500},
			recouvra.Claim{ID: b, InvoiceNumber: "B", IssuedOn: d("2025-06-01"), DueOn: d("2025-07-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeContractual, ContractRateBps: 1200})
		in.Payments = []recouvra.Payment{payment(60_000, "2025-09-01")}
		got := allocs(recouvra.ComputeStatement(in))
		want := []alloc{{"B", 4000, 1019, 50_000}, {"A", 4000, 631, 350}}
		if !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		// At equal rates, the oldest first, as before.
		in.Claims[1].ContractRateBps = 500
		if got := allocs(recouvra.ComputeStatement(in)); got[0].invoice != "A" {
			t.Fatalf("equal rates: %+v", got)
		}
	})

	t.Run("C. civ. 1342-10: debts due before debts not yet due, whatever their rate", func(t *testing.T) {
		in := consumer("2025-09-01",
			recouvra.Claim{ID: a, InvoiceNumber: "A", IssuedOn: d("2025-05-01"), DueOn: d("2025-06-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeNone},
			recouvra.Claim{ID: b, InvoiceNumber: "B", IssuedOn: d("2025-08-01"), DueOn: d("2025-10-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeContractual, ContractRateBps: 1200})
		in.Payments = []recouvra.Payment{payment(60_000, "2025-09-01")}
		want := []alloc{{"A", 0, 0, 50_000}, {"B", 0, 0, 10_000}}
		if got := allocs(recouvra.ComputeStatement(in)); !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})

	t.Run("C. civ. 1342-10: pro rata at equal rate and date", func(t *testing.T) {
		// Both due 1 June, neither bears interest: 100,01 shared 3:1 between
		// 300,00 and 100,00 → 75,0075 and 25,0025: 75,00 and 25,00, and the
		// cent left over to the oldest, B (issued first).
		in := consumer("2025-09-01",
			recouvra.Claim{ID: a, InvoiceNumber: "A", IssuedOn: d("2025-05-15"), DueOn: d("2025-06-01"), AmountCents: 30_000, Currency: "EUR", Regime: recouvra.RegimeNone},
			recouvra.Claim{ID: b, InvoiceNumber: "B", IssuedOn: d("2025-05-01"), DueOn: d("2025-06-01"), AmountCents: 10_000, Currency: "EUR", Regime: recouvra.RegimeNone})
		in.Payments = []recouvra.Payment{payment(10_001, "2025-09-01")}
		want := []alloc{{"B", 0, 0, 2501}, {"A", 0, 0, 7500}}
		if got := allocs(recouvra.ComputeStatement(in)); !slices.Equal(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})

	t.Run("credit note reduces the invoice it names", func(t *testing.T) {
		// An avoir of 200,00 correcting B, the younger: B is left with
		// 300,00, A untouched. Naming none, it reduces A, the oldest due.
		in := consumer("2025-09-01",
			recouvra.Claim{ID: a, InvoiceNumber: "A", IssuedOn: d("2025-05-01"), DueOn: d("2025-06-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeNone},
			recouvra.Claim{ID: b, InvoiceNumber: "B", IssuedOn: d("2025-06-01"), DueOn: d("2025-07-01"), AmountCents: 50_000, Currency: "EUR", Regime: recouvra.RegimeNone},
			recouvra.Claim{ID: uuid.New(), InvoiceNumber: "AV-1", IssuedOn: d("2025-08-01"), DueOn: d("2025-08-01"), AmountCents: -20_000, Currency: "EUR", Corrects: ptr(b)})
		st := recouvra.ComputeStatement(in)
		if ca, cb := claim(st, "A"), claim(st, "B"); ca.PrincipalOutstandingCents != 50_000 || cb.CreditedCents != 20_000 || cb.PrincipalOutstandingCents != 30_000 {
			t.Fatalf("A %+v\nB %+v", ca, cb)
		}
		in.Claims[2].Corrects = nil
		st = recouvra.ComputeStatement(in)
		if ca, cb := claim(st, "A"), claim(st, "B"); ca.CreditedCents != 20_000 || cb.PrincipalOutstandingCents != 50_000 {
			t.Fatalf("unnamed: A %+v\nB %+v", ca, cb)
		}
	})

	t.Run("D441-5: indemnity under legal-interest regime between professionals", func(t *testing.T) {
		in := between("2025-08-14", recouvra.Claim{ID: a, InvoiceNumber: "L-1", IssuedOn: d("2025-05-16"), DueOn: d("2025-06-15"), AmountCents: 100_000, Currency: "EUR", Regime: recouvra.RegimeLegal})
		in.FormalNoticeReceivedOn = d("2025-07-10")
		if c := recouvra.ComputeStatement(in).Claims[0]; c.Regime != recouvra.RegimeLegal || c.IndemnityCents != 4000 {
			t.Fatalf("company debtor: %+v", c)
		}
		// A natural person trading under a SIREN is a professional too.
		in.DebtorKind, in.DebtorProfessional = recouvra.DebtorPerson, true
		if c := recouvra.ComputeStatement(in).Claims[0]; c.IndemnityCents != 4000 {
			t.Fatalf("professional person: %+v", c)
		}
		// Never against a consumer, nor for a creditor who is not in business.
		in.DebtorProfessional = false
		if c := recouvra.ComputeStatement(in).Claims[0]; c.IndemnityCents != 0 {
			t.Fatalf("consumer: %+v", c)
		}
		in.DebtorKind, in.CreditorStatus = recouvra.DebtorCompany, recouvra.StatusIndividual
		if c := recouvra.ComputeStatement(in).Claims[0]; c.IndemnityCents != 0 {
			t.Fatalf("individual creditor: %+v", c)
		}
		// Naming no regime, a person trading under a SIREN owes the late
		// penalties between professionals (L441-10 II), a consumer the
		// legal interest.
		in = b2bInput("2025-08-14")
		in.DebtorKind, in.DebtorProfessional = recouvra.DebtorPerson, true
		if c := recouvra.ComputeStatement(in).Claims[0]; c.Regime != recouvra.RegimeB2B || c.IndemnityCents != 4000 {
			t.Fatalf("professional person by default: %+v", c)
		}
		in.DebtorProfessional = false
		if c := recouvra.ComputeStatement(in).Claims[0]; c.Regime != recouvra.RegimeLegal || c.IndemnityCents != 0 {
			t.Fatalf("consumer by default: %+v", c)
		}
	})

	t.Run("D441-5: no indemnity on a fully cancelled invoice", func(t *testing.T) {
		// FA-100 (10 000,00, due 15 June) is cancelled by two avoirs naming
		// it, on 20 and 25 June. Late from 16 June, it owes the interest of
		// those days — 5 days × 13,15 % on 10 000,00 = 18,01, then 5 days on
		// 4 000,00 = 7,21 — but no indemnity.
		in := b2bInput("2025-08-14")
		in.Claims = append(in.Claims,
			recouvra.Claim{ID: uuid.New(), InvoiceNumber: "AV-1", IssuedOn: d("2025-06-20"), DueOn: d("2025-06-20"), AmountCents: -600_000, Currency: "EUR", Corrects: ptr(claimID)},
			recouvra.Claim{ID: uuid.New(), InvoiceNumber: "AV-2", IssuedOn: d("2025-06-25"), DueOn: d("2025-06-25"), AmountCents: -400_000, Currency: "EUR", Corrects: ptr(claimID)})
		st := recouvra.ComputeStatement(in)
		if c := st.Claims[0]; c.IndemnityCents != 0 || c.CreditedCents != 1_000_000 || c.InterestCents != 1801+721 || st.Totals.TotalDueCents != 2522 {
			t.Fatalf("%+v\n%+v", c, st.Totals)
		}
		// Cancelled only in part, it still owes the indemnity.
		in.Claims[2].AmountCents = -399_999
		if c := recouvra.ComputeStatement(in).Claims[0]; c.IndemnityCents != 4000 {
			t.Fatalf("partly cancelled: %+v", c)
		}
	})

	t.Run("C. com. L441-10 II floor per half-year", func(t *testing.T) {
		// A contractual penalty of 10 %: in 2025 S1 three times the legal
		// rate is 3 × 3,71 = 11,13 %, so the 15 days of June run at 11,13 %
		// (10 000,00 × 11,13 % × 15/365 = 45,74); in 2025 S2 the floor is
		// 3 × 2,76 = 8,28 %, below 10 %, so the 45 days to 14 August run at
		// the contractual 10 % (123,29).
		in := b2bInput("2025-08-14")
		in.Claims[0].ContractRateBps = 1000
		st := recouvra.ComputeStatement(in)
		l := st.Claims[0].Lines
		if len(l) != 2 || l[0].RateBps != 1113 || l[0].Days != 15 || l[0].AmountCents != 4574 || l[1].RateBps != 1000 || l[1].Days != 45 || l[1].AmountCents != 12329 {
			t.Fatalf("%+v", l)
		}
		if !strings.Contains(l[0].RateSource, "plancher") || !strings.Contains(l[0].RateSource, "L441-10 II") || l[1].RateSource != "Taux contractuel" {
			t.Fatalf("notes: %q, %q", l[0].RateSource, l[1].RateSource)
		}
		if !strings.Contains(st.Claims[0].RateNote, "plancher") || len(st.Warnings) != 0 {
			t.Fatalf("%q %v", st.Claims[0].RateNote, st.Warnings)
		}
	})
}
