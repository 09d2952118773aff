package recouvra

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// InterestRegime is how late interest runs on a claim.
type InterestRegime string

const (
	// RegimeB2B: late-payment penalties between businesses (C. com. L441-10
	// II) — the ECB rate of the half-year + 10 points, or the contractual
	// rate — from the day after the due date, plus the fixed indemnity.
	RegimeB2B InterestRegime = "b2b_late_penalties"
	// RegimeLegal: the legal interest rate for the creditor's status (CMF
	// L313-2) from the formal notice (C. civ. 1344-1), +5 points two months
	// after a judgment becomes enforceable (CMF L313-3).
	RegimeLegal InterestRegime = "legal_interest"
	// RegimeContractual: a fixed annual rate from the day after the due date.
	RegimeContractual InterestRegime = "contractual"
	RegimeNone        InterestRegime = "none"
)

// Valid reports whether r is a known regime.
func (r InterestRegime) Valid() bool {
	switch r {
	case RegimeB2B, RegimeLegal, RegimeContractual, RegimeNone:
		return true
	}
	return false
}

// DefaultRegime is the regime of a case's claims unless one says otherwise:
// penalties between businesses, legal interest in every other case.
func DefaultRegime(creditor LegalStatus, debtor DebtorKind) InterestRegime {
	if creditor != StatusIndividual && debtor == DebtorCompany {
		return RegimeB2B
	}
	return RegimeLegal
}

// PaymentMethod is how a payment was made.
type PaymentMethod string

const (
	MethodTransfer         PaymentMethod = "transfer"
	MethodCard             PaymentMethod = "card"
	MethodCheque           PaymentMethod = "cheque"
	MethodCash             PaymentMethod = "cash"
	MethodDirectToCreditor PaymentMethod = "direct_to_creditor"
)

// Payment is money received for a case.
type Payment struct {
	ID             uuid.UUID
	CaseID         uuid.UUID
	AmountCents    int64
	Currency       string
	ReceivedOn     Date
	Method         PaymentMethod
	PayerReference string
	ClaimID        *uuid.UUID // the claim the debtor said it pays (C. civ. 1342-10)
	ReceiptNumber  string     // CPCE R124-6
	ReversedAt     *time.Time
	ReversalReason string
	CreatedAt      time.Time
}

// StatementInput are the recorded facts a statement is computed from.
type StatementInput struct {
	AsOf                   Date
	Currency               string
	CreditorStatus         LegalStatus
	DebtorKind             DebtorKind
	FormalNoticeSentOn     Date
	FormalNoticeReceivedOn Date
	EnforceableOn          Date // an enforceable title: legal rate + 5 points two months later
	LastInterruptionOn     Date
	// TimeBar is the claims' limitation term; zero: chosen from the
	// creditor's status and the debtor's kind (a person as a consumer).
	TimeBar  TimeBarTerm
	Claims   []Claim
	Payments []Payment
	Rates    RateTable
}

func (in StatementInput) timeBar() TimeBarTerm {
	if in.TimeBar.Years > 0 {
		return in.TimeBar
	}
	return TimeBarTermFor(in.CreditorStatus, in.DebtorKind == DebtorPerson)
}

// InterestLine is interest on one claim over days of one half-year at one
// outstanding principal.
type InterestLine struct {
	From, To    Date // both counted
	Days        int
	RateBps     int64
	BaseCents   int64
	AmountCents int64
	Provisional bool
	RateSource  string
}

// ClaimStatement is one claim's account.
type ClaimStatement struct {
	ClaimID                   uuid.UUID
	InvoiceNumber             string
	IssuedOn, DueOn           Date
	Regime                    InterestRegime
	RateNote                  string
	PrincipalCents            int64
	CreditedCents             int64 // principal cancelled by credit notes
	PrincipalPaidCents        int64
	PrincipalOutstandingCents int64
	Lines                     []InterestLine
	InterestCents             int64
	InterestPaidCents         int64
	InterestOutstandingCents  int64
	IndemnityCents            int64
	IndemnityPaidCents        int64
	IndemnityOutstandingCents int64
	TimeBarOn                 Date
}

// Allocation is what one payment paid on one claim.
type Allocation struct {
	ClaimID        uuid.UUID
	InvoiceNumber  string
	IndemnityCents int64
	InterestCents  int64
	PrincipalCents int64
}

// PaymentStatement is how a payment was applied.
type PaymentStatement struct {
	Payment        Payment
	Allocations    []Allocation
	UnappliedCents int64
}

// StatementTotals sum the claims.
type StatementTotals struct {
	PrincipalCents              int64
	PrincipalPaidCents          int64
	PrincipalOutstandingCents   int64
	InterestCents               int64
	InterestPaidCents           int64
	InterestOutstandingCents    int64
	IndemnitiesCents            int64
	IndemnitiesPaidCents        int64
	IndemnitiesOutstandingCents int64
	PaidCents                   int64
	UnappliedCents              int64
	TotalDueCents               int64
}

// Statement is the statement of claim (décompte) at a date.
type Statement struct {
	AsOf        Date
	Currency    string
	Claims      []ClaimStatement
	Payments    []PaymentStatement
	Totals      StatementTotals
	Provisional bool
	Warnings    []string
}

// Convention is written on every statement: how the figures are computed.
const Convention = "Intérêts simples, jours exacts / 365, chaque semestre à son propre taux ; " +
	"un jour compte du lendemain de la date de départ jusqu'à la date d'arrêté incluse ; " +
	"chaque ligne (facture × semestre × principal restant dû) est arrondie au centime, la moitié étant arrondie à l'unité supérieure ; " +
	"les totaux sont la somme des lignes ; pas de capitalisation. " +
	"Imputation des paiements : sur la facture désignée par le débiteur, sinon sur les dettes échues, la plus ancienne d'abord (C. civ. 1342-10) ; " +
	"dans chaque facture, l'indemnité forfaitaire et les frais, puis les intérêts échus, puis le principal (C. civ. 1343-1)."

// claimState is a claim's running account while the statement is built.
type claimState struct {
	cs          *ClaimStatement
	claim       Claim
	start       Date // interest runs from the day after
	accrued     Date // interest computed through this day
	rate        func(d Date) (bps int64, provisional bool, source string, ok bool)
	fixedBps    int64
	indemnity   int64 // the indemnity the invoice owes if it is ever late
	indemnityOn Date  // … from this day
	missing     bool  // no rate at all was known for some days
}

// ComputeStatement builds the statement at in.AsOf. It is a pure function
// of its input: the same facts and date give the same figures.
func ComputeStatement(in StatementInput) Statement {
	st := Statement{AsOf: in.AsOf, Currency: in.Currency}
	warn := map[string]bool{}
	addWarning := func(w string) {
		if !warn[w] {
			warn[w] = true
			st.Warnings = append(st.Warnings, w)
		}
	}

	// Invoices, in the order payments go to them: oldest due date first,
	// then invoice number.
	var invoices, credits []Claim
	for _, c := range in.Claims {
		if c.CreditNote() {
			credits = append(credits, c)
		} else {
			invoices = append(invoices, c)
		}
	}
	sort.SliceStable(invoices, func(i, j int) bool {
		if !invoices[i].DueOn.Equal(invoices[j].DueOn) {
			return invoices[i].DueOn.Before(invoices[j].DueOn)
		}
		return invoices[i].InvoiceNumber < invoices[j].InvoiceNumber
	})
	st.Claims = make([]ClaimStatement, len(invoices))
	states := make([]*claimState, len(invoices))
	for i, c := range invoices {
		st.Claims[i] = ClaimStatement{ClaimID: c.ID, InvoiceNumber: c.InvoiceNumber, IssuedOn: c.IssuedOn, DueOn: c.DueOn,
			PrincipalCents: c.AmountCents, PrincipalOutstandingCents: c.AmountCents,
			TimeBarOn: TimeBarOn(c.DueOn, in.LastInterruptionOn, in.timeBar())}
		states[i] = newClaimState(&st.Claims[i], c, in, addWarning)
	}

	// Facts in date order: credit notes, then payments by date and entry.
	type fact struct {
		on      Date
		credit  *Claim
		payment *Payment
	}
	var facts []fact
	for i := range credits {
		if !credits[i].IssuedOn.After(in.AsOf) {
			facts = append(facts, fact{on: credits[i].IssuedOn, credit: &credits[i]})
		}
	}
	for i := range in.Payments {
		p := &in.Payments[i]
		if p.ReversedAt == nil && !p.ReceivedOn.After(in.AsOf) {
			facts = append(facts, fact{on: p.ReceivedOn, payment: p})
		}
	}
	sort.SliceStable(facts, func(i, j int) bool {
		a, b := facts[i], facts[j]
		if !a.on.Equal(b.on) {
			return a.on.Before(b.on)
		}
		if (a.credit != nil) != (b.credit != nil) {
			return a.credit != nil
		}
		if a.payment != nil && b.payment != nil && !a.payment.CreatedAt.Equal(b.payment.CreatedAt) {
			return a.payment.CreatedAt.Before(b.payment.CreatedAt)
		}
		return false
	})

	for _, f := range facts {
		order := allocationOrder(states, f.on, f.payment)
		if f.credit != nil {
			left := -f.credit.AmountCents
			for _, s := range order {
				if left == 0 {
					break
				}
				s.accrueTo(f.on)
				take := min(left, s.cs.PrincipalOutstandingCents)
				s.cs.PrincipalOutstandingCents -= take
				s.cs.CreditedCents += take
				left -= take
			}
			if left > 0 {
				addWarning(fmt.Sprintf("L'avoir %s dépasse ce qui reste dû : %s non imputés.", f.credit.InvoiceNumber, FrenchMoney(left, in.Currency)))
			}
			continue
		}
		ps := PaymentStatement{Payment: *f.payment}
		left := f.payment.AmountCents
		for _, s := range order {
			if left == 0 {
				break
			}
			s.accrueTo(f.on)
			a := Allocation{ClaimID: s.claim.ID, InvoiceNumber: s.claim.InvoiceNumber}
			if f.on.After(s.indemnityOn) || f.on.Equal(s.indemnityOn) {
				a.IndemnityCents = min(left, s.cs.IndemnityCents-s.cs.IndemnityPaidCents)
				left -= a.IndemnityCents
			}
			a.InterestCents = min(left, s.cs.InterestCents-s.cs.InterestPaidCents)
			left -= a.InterestCents
			a.PrincipalCents = min(left, s.cs.PrincipalOutstandingCents)
			left -= a.PrincipalCents
			s.cs.IndemnityPaidCents += a.IndemnityCents
			s.cs.InterestPaidCents += a.InterestCents
			s.cs.PrincipalPaidCents += a.PrincipalCents
			s.cs.PrincipalOutstandingCents -= a.PrincipalCents
			if a.IndemnityCents+a.InterestCents+a.PrincipalCents > 0 {
				ps.Allocations = append(ps.Allocations, a)
			}
		}
		ps.UnappliedCents = left
		if left > 0 {
			addWarning(fmt.Sprintf("Le paiement du %s dépasse ce qui était dû : %s non imputés, à restituer ou à affecter.", FrenchDate(f.on), FrenchMoney(left, in.Currency)))
		}
		st.Payments = append(st.Payments, ps)
	}

	t := &st.Totals
	for _, s := range states {
		s.accrueTo(in.AsOf)
		if s.missing {
			addWarning(fmt.Sprintf("Facture %s : aucun taux n'est enregistré pour une partie de la période ; ces jours ne portent pas d'intérêts.", s.claim.InvoiceNumber))
		}
		c := s.cs
		c.InterestOutstandingCents = c.InterestCents - c.InterestPaidCents
		c.IndemnityOutstandingCents = c.IndemnityCents - c.IndemnityPaidCents
		for _, l := range c.Lines {
			if l.Provisional {
				st.Provisional = true
			}
		}
		t.PrincipalCents += c.PrincipalCents - c.CreditedCents
		t.PrincipalPaidCents += c.PrincipalPaidCents
		t.PrincipalOutstandingCents += c.PrincipalOutstandingCents
		t.InterestCents += c.InterestCents
		t.InterestPaidCents += c.InterestPaidCents
		t.InterestOutstandingCents += c.InterestOutstandingCents
		t.IndemnitiesCents += c.IndemnityCents
		t.IndemnitiesPaidCents += c.IndemnityPaidCents
		t.IndemnitiesOutstandingCents += c.IndemnityOutstandingCents
	}
	for _, p := range st.Payments {
		t.PaidCents += p.Payment.AmountCents
		t.UnappliedCents += p.UnappliedCents
	}
	t.TotalDueCents = t.PrincipalOutstandingCents + t.InterestOutstandingCents + t.IndemnitiesOutstandingCents
	for _, h := range st.ProvisionalHalfYears() {
		addWarning(fmt.Sprintf("Taux du semestre %s non enregistré : le dernier taux connu est reporté et les lignes concernées sont provisoires ; un décompte provisoire ne peut être déposé au tribunal.", h))
	}
	return st
}

// allocationOrder lists the claims a payment received on goes to: the one
// it names, then those already due (oldest first), then the others.
func allocationOrder(states []*claimState, on Date, p *Payment) []*claimState {
	var named, due, later []*claimState
	for _, s := range states {
		switch {
		case p != nil && p.ClaimID != nil && *p.ClaimID == s.claim.ID:
			named = append(named, s)
		case !s.claim.DueOn.After(on):
			due = append(due, s)
		default:
			later = append(later, s)
		}
	}
	return append(append(named, due...), later...)
}

func newClaimState(cs *ClaimStatement, c Claim, in StatementInput, addWarning func(string)) *claimState {
	s := &claimState{cs: cs, claim: c}
	regime := c.Regime
	if regime == "" {
		regime = DefaultRegime(in.CreditorStatus, in.DebtorKind)
	}
	cs.Regime = regime
	switch regime {
	case RegimeB2B:
		s.start = c.DueOn
		legal := RateLegalOther
		if c.ContractRateBps > 0 {
			bps := int64(c.ContractRateBps)
			s.rate = func(d Date) (int64, bool, string, bool) { return bps, false, "Taux contractuel", true }
			cs.RateNote = fmt.Sprintf("Pénalités de retard au taux contractuel de %s (C. com. L441-10 II).", FrenchPercent(bps))
			if r, _, ok := in.Rates.RateAt(legal, c.DueOn); ok && bps < 3*r.Value {
				addWarning(fmt.Sprintf("Facture %s : le taux contractuel de %s est inférieur à trois fois le taux de l'intérêt légal (%s) ; le taux plancher est de %s (C. com. L441-10 II).",
					c.InvoiceNumber, FrenchPercent(bps), FrenchPercent(r.Value), FrenchPercent(3*r.Value)))
			}
		} else {
			s.rate = func(d Date) (int64, bool, string, bool) {
				r, prov, ok := in.Rates.RateAt(RateECB, d)
				return r.Value + 1000, prov, r.Source + " + 10 points", ok
			}
			cs.RateNote = "Pénalités de retard : taux de refinancement de la BCE du semestre + 10 points (C. com. L441-10 II), dues dès le lendemain de l'échéance sans rappel."
		}
		// D441-5: 40 euros per late invoice, due from the first day late, never
		// reduced, outside VAT; not owed by consumers. It is charged by
		// accrueTo once the invoice is found unpaid after its due date.
		if in.DebtorKind == DebtorCompany {
			if r, _, ok := in.Rates.RateAt(RateIndemnity, c.DueOn); ok {
				if in.Currency == "EUR" {
					s.indemnity = r.Value
					s.indemnityOn = c.DueOn.AddDays(1)
				} else {
					addWarning("L'indemnité forfaitaire de 40 euros (C. com. D441-5) n'est pas convertie dans la devise du dossier : non comptée.")
				}
			}
		}
	case RegimeLegal:
		notice := in.FormalNoticeReceivedOn
		if notice.IsZero() {
			notice = in.FormalNoticeSentOn
		}
		if notice.IsZero() {
			cs.RateNote = "Intérêts au taux légal à compter de la mise en demeure (C. civ. 1344-1) : aucune n'a encore été envoyée."
			addWarning("Les intérêts au taux légal courent de la mise en demeure, qui n'a pas encore été envoyée : aucun intérêt n'est compté.")
			break
		}
		s.start = notice
		if notice.Before(c.DueOn) {
			s.start = c.DueOn // nothing is late before the due date
		}
		kind, who := RateLegalOther, "autres cas"
		if in.CreditorStatus == StatusIndividual {
			kind, who = RateLegalIndividual, "créancier personne physique"
		}
		raise := Date{}
		if !in.EnforceableOn.IsZero() {
			raise = in.EnforceableOn.AddMonths(2)
		}
		s.rate = func(d Date) (int64, bool, string, bool) {
			r, prov, ok := in.Rates.RateAt(kind, d)
			if !raise.IsZero() && d.After(raise) {
				return r.Value + 500, prov, r.Source + " + 5 points (C. mon. fin. L313-3)", ok
			}
			return r.Value, prov, r.Source, ok
		}
		cs.RateNote = fmt.Sprintf("Intérêts au taux légal (%s, C. mon. fin. L313-2) à compter de la mise en demeure du %s (C. civ. 1344-1).", who, FrenchDate(notice))
		if !raise.IsZero() {
			cs.RateNote += fmt.Sprintf(" Taux majoré de 5 points à compter du %s, deux mois après que la décision est devenue exécutoire (C. mon. fin. L313-3).", FrenchDate(raise.AddDays(1)))
		}
	case RegimeContractual:
		s.start = c.DueOn
		bps := int64(c.ContractRateBps)
		s.rate = func(d Date) (int64, bool, string, bool) { return bps, false, "Taux contractuel", true }
		cs.RateNote = fmt.Sprintf("Intérêts au taux contractuel de %s l'an à compter du lendemain de l'échéance.", FrenchPercent(bps))
	case RegimeNone:
		cs.RateNote = "Sans intérêts."
	}
	s.accrued = s.start
	return s
}

// accrueTo computes the claim's interest through day d, one line per
// half-year (and per rate change within the legal regime), on the
// principal outstanding.
func (s *claimState) accrueTo(d Date) {
	// Still unpaid after its due date: the invoice is late and owes the
	// indemnity, whatever is paid later.
	if s.indemnity > 0 && s.cs.IndemnityCents == 0 && !d.Before(s.indemnityOn) && s.cs.PrincipalOutstandingCents > 0 {
		s.cs.IndemnityCents = s.indemnity
	}
	if s.rate == nil || s.start.IsZero() || !d.After(s.accrued) {
		return
	}
	for s.accrued.Before(d) {
		from := s.accrued.AddDays(1)
		end := HalfYearStart(from).AddMonths(6).AddDays(-1)
		if d.Before(end) {
			end = d
		}
		bps, prov, source, ok := s.rate(from)
		if !ok {
			s.missing = true
		}
		// The legal rate's +5 points start mid-half-year: split there too.
		if nb, _, _, _ := s.rate(end); nb != bps {
			for x := from; !x.After(end); x = x.AddDays(1) {
				if b2, _, _, _ := s.rate(x); b2 != bps {
					end = x.AddDays(-1)
					break
				}
			}
		}
		days := from.DaysUntil(end) + 1
		base := s.cs.PrincipalOutstandingCents
		if ok && base > 0 {
			amount := interestCents(base, bps, days)
			s.cs.Lines = append(s.cs.Lines, InterestLine{From: from, To: end, Days: days, RateBps: bps, BaseCents: base,
				AmountCents: amount, Provisional: prov, RateSource: source})
			s.cs.InterestCents += amount
		}
		s.accrued = end
	}
}

// interestCents is base × bps/10000 × days/365, rounded to the cent, half
// away from zero — in exact integer arithmetic: amounts never pass through
// floats.
func interestCents(base, bps int64, days int) int64 {
	num := new(big.Int).Mul(big.NewInt(base), big.NewInt(bps))
	num.Mul(num, big.NewInt(int64(days)))
	den := big.NewInt(10000 * 365)
	neg := num.Sign() < 0
	num.Abs(num)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Mul(r, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// FrenchPercent writes basis points as a French percentage: "12,15 %".
func FrenchPercent(bps int64) string {
	s := fmt.Sprintf("%d,%02d\u00a0%%", bps/100, bps%100)
	return strings.Replace(s, "-", "−", 1)
}

// ProvisionalHalfYears names the half-years a statement carried a rate into.
func (st Statement) ProvisionalHalfYears() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range st.Claims {
		for _, l := range c.Lines {
			if l.Provisional {
				h := HalfYearLabel(HalfYearStart(l.From))
				if !seen[h] {
					seen[h] = true
					out = append(out, h)
				}
			}
		}
	}
	return out
}

// Prorata is part × num / den rounded to the cent, half away from zero, in
// exact integer arithmetic (the VAT left in a partly paid invoice).
func Prorata(part, num, den int64) int64 {
	if den == 0 {
		return 0
	}
	p := new(big.Int).Mul(big.NewInt(part), big.NewInt(num))
	d := big.NewInt(den)
	neg := (p.Sign() < 0) != (d.Sign() < 0)
	p.Abs(p)
	d.Abs(d)
	q, r := new(big.Int).QuoRem(p, d, new(big.Int))
	if r.Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}
