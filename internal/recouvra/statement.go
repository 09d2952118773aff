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
// penalties between professionals — a creditor in business and a debtor
// that is no consumer (a company, or a person trading under a SIREN) —,
// legal interest in every other case.
func DefaultRegime(creditor LegalStatus, debtorIsConsumer bool) InterestRegime {
	if creditor != StatusIndividual && !debtorIsConsumer {
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
	AsOf           Date
	Currency       string
	CreditorStatus LegalStatus
	DebtorKind     DebtorKind
	// DebtorProfessional: a natural person acting for a trade (one with a
	// SIREN) is no consumer (Debtor.Consumer); a company never is.
	DebtorProfessional     bool
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
	// Freezes are the days payment plans froze interest over
	// (PlanFreezes): no claim of the case carries interest on them.
	Freezes []InterestFreeze
	// CourtDelays are the days court-granted plans held off the penalties
	// over (PlanCourtDelays, C. civ. 1343-5 al. 4): a claim carries at most
	// the legal interest rate on them.
	CourtDelays []CourtDelay
}

// timeBar is one claim's term: its nature first (ClaimTerm), then TimeBar,
// the parties' term.
func (in StatementInput) timeBar(cl Claim) TimeBarTerm {
	if cl.Nature != "" && cl.Nature != NatureGeneral {
		return ClaimTerm(cl.Nature, in.CreditorStatus, in.debtorConsumer())
	}
	if in.TimeBar.Years > 0 {
		return in.TimeBar
	}
	return TimeBarTermFor(in.CreditorStatus, in.debtorConsumer())
}

// debtorConsumer: a natural person acting outside any trade.
func (in StatementInput) debtorConsumer() bool {
	return in.DebtorKind == DebtorPerson && !in.DebtorProfessional
}

// betweenProfessionals: a creditor in business and a debtor that is not a
// consumer — the D441-5 indemnity is owed on every late invoice.
func (in StatementInput) betweenProfessionals() bool {
	return in.CreditorStatus != StatusIndividual && !in.debtorConsumer()
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
	"Imputation des paiements : sur la facture désignée par le débiteur, sinon sur les dettes échues, d'abord celle qui porte le taux le plus élevé au jour du paiement, " +
	"à taux égal la plus ancienne, à taux et échéance égaux au prorata (au centime, le reste à la plus ancienne), puis sur les dettes non échues (C. civ. 1342-10) ; " +
	"un avoir réduit la facture qu'il corrige, ou à défaut la plus ancienne échue ; " +
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
	freezes     []InterestFreeze
	delays      []CourtDelay
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
			TimeBarOn: TimeBarOn(c.DueOn, in.LastInterruptionOn, in.timeBar(c))}
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
		if f.credit != nil {
			left := -f.credit.AmountCents
			for _, s := range creditOrder(states, f.on, f.credit) {
				if left == 0 {
					break
				}
				s.accrueTo(f.on)
				take := min(left, s.cs.PrincipalOutstandingCents)
				s.cs.PrincipalOutstandingCents -= take
				s.cs.CreditedCents += take
				left -= take
				s.dropIndemnityIfCancelled()
			}
			if left > 0 {
				addWarning(fmt.Sprintf("L'avoir %s dépasse ce qui reste dû : %s non imputés.", f.credit.InvoiceNumber, FrenchMoney(left, in.Currency)))
			}
			continue
		}
		ps := PaymentStatement{Payment: *f.payment}
		left := f.payment.AmountCents
		for _, group := range paymentOrder(states, f.on, f.payment) {
			if left == 0 {
				break
			}
			for i, share := range prorata(group, f.on, left) {
				a := group[i].pay(share)
				left -= a.IndemnityCents + a.InterestCents + a.PrincipalCents
				if a.IndemnityCents+a.InterestCents+a.PrincipalCents > 0 {
					ps.Allocations = append(ps.Allocations, a)
				}
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

// creditOrder lists the invoices a credit note issued on reduces: the one
// it corrects, then those already due (oldest first), then the others.
func creditOrder(states []*claimState, on Date, credit *Claim) []*claimState {
	var named, due, later []*claimState
	for _, s := range states {
		switch {
		case credit.Corrects != nil && *credit.Corrects == s.claim.ID:
			named = append(named, s)
		case !s.claim.DueOn.After(on):
			due = append(due, s)
		default:
			later = append(later, s)
		}
	}
	return append(append(named, due...), later...)
}

// paymentOrder groups the claims a payment received on goes to, in the
// order of C. civ. 1342-10: the one the debtor names; then the debts
// already due, the one carrying the higher rate on that day first (the
// debtor has most interest in paying it), at equal rate the oldest, and
// those equal in both together (paid pro rata); then the debts not yet
// due, oldest first. states is sorted by due date then invoice number.
func paymentOrder(states []*claimState, on Date, p *Payment) [][]*claimState {
	var named, due, later []*claimState
	for _, s := range states {
		switch {
		case p.ClaimID != nil && *p.ClaimID == s.claim.ID:
			named = append(named, s)
		case !s.claim.DueOn.After(on):
			due = append(due, s)
		default:
			later = append(later, s)
		}
	}
	rate := make(map[*claimState]int64, len(due))
	for _, s := range due {
		rate[s] = s.rateOn(on)
	}
	sort.SliceStable(due, func(i, j int) bool { return rate[due[i]] > rate[due[j]] })
	var groups [][]*claimState
	if len(named) > 0 {
		groups = append(groups, named)
	}
	for i, s := range due {
		if i > 0 {
			prev := due[i-1]
			if rate[prev] == rate[s] && prev.claim.DueOn.Equal(s.claim.DueOn) {
				groups[len(groups)-1] = append(groups[len(groups)-1], s)
				continue
			}
		}
		groups = append(groups, []*claimState{s})
	}
	for _, s := range later {
		groups = append(groups, []*claimState{s})
	}
	// Within a pro-rata group the oldest is the one issued first.
	for _, g := range groups {
		sort.SliceStable(g, func(i, j int) bool {
			if !g[i].claim.IssuedOn.Equal(g[j].claim.IssuedOn) {
				return g[i].claim.IssuedOn.Before(g[j].claim.IssuedOn)
			}
			return g[i].claim.InvoiceNumber < g[j].claim.InvoiceNumber
		})
	}
	return groups
}

// prorata shares amount among the claims of group, accrued to on, in
// proportion to what each owes (indemnity, interest and principal), in
// whole cents: each gets the floor of its share and the cents left over go
// one by one to the oldest first (the group's order), so the split is the
// same every time. When amount covers everything, each gets what it owes.
func prorata(group []*claimState, on Date, amount int64) []int64 {
	owed := make([]int64, len(group))
	var total int64
	for i, s := range group {
		s.accrueTo(on)
		owed[i] = s.owed(on)
		total += owed[i]
	}
	shares := make([]int64, len(group))
	if total <= amount {
		copy(shares, owed)
		return shares
	}
	var given int64
	for i := range group {
		shares[i] = new(big.Int).Div(new(big.Int).Mul(big.NewInt(amount), big.NewInt(owed[i])), big.NewInt(total)).Int64()
		given += shares[i]
	}
	for i := 0; given < amount; i = (i + 1) % len(group) {
		if shares[i] < owed[i] {
			shares[i]++
			given++
		}
	}
	return shares
}

// owed is what the claim owes on day on, once accrued to it.
func (s *claimState) owed(on Date) int64 {
	n := s.cs.InterestCents - s.cs.InterestPaidCents + s.cs.PrincipalOutstandingCents
	if !on.Before(s.indemnityOn) {
		n += s.cs.IndemnityCents - s.cs.IndemnityPaidCents
	}
	return n
}

// pay applies amount (at most what the claim owes) to the claim, already
// accrued to the payment's day: the indemnity and costs, then the
// interest, then the principal (C. civ. 1343-1).
func (s *claimState) pay(amount int64) Allocation {
	a := Allocation{ClaimID: s.claim.ID, InvoiceNumber: s.claim.InvoiceNumber}
	if s.cs.IndemnityCents > 0 {
		a.IndemnityCents = min(amount, s.cs.IndemnityCents-s.cs.IndemnityPaidCents)
		amount -= a.IndemnityCents
	}
	a.InterestCents = min(amount, s.cs.InterestCents-s.cs.InterestPaidCents)
	amount -= a.InterestCents
	a.PrincipalCents = min(amount, s.cs.PrincipalOutstandingCents)
	s.cs.IndemnityPaidCents += a.IndemnityCents
	s.cs.InterestPaidCents += a.InterestCents
	s.cs.PrincipalPaidCents += a.PrincipalCents
	s.cs.PrincipalOutstandingCents -= a.PrincipalCents
	return a
}

// rateOn is the annual rate, in basis points, the claim's interest runs
// at on day on: 0 when none runs yet (before its start, no formal notice,
// no interest) — what 1342-10 compares.
func (s *claimState) rateOn(on Date) int64 {
	if s.rate == nil || s.start.IsZero() || !on.After(s.start) {
		return 0
	}
	if _, frozen := s.frozenOn(on); frozen {
		return 0 // no interest runs: the debtor has no more interest in paying this one
	}
	bps, _, _, ok := s.rate(on)
	if !ok {
		return 0
	}
	return bps
}

// dropIndemnityIfCancelled: an invoice credit notes cancel in full was
// never a debt paid late, so it owes no indemnity — beyond what a payment
// already applied to it.
func (s *claimState) dropIndemnityIfCancelled() {
	if s.cs.CreditedCents == s.cs.PrincipalCents {
		s.cs.IndemnityCents = s.cs.IndemnityPaidCents
		s.indemnity = 0
	}
}

func newClaimState(cs *ClaimStatement, c Claim, in StatementInput, addWarning func(string)) *claimState {
	s := &claimState{cs: cs, claim: c}
	regime := c.Regime
	if regime == "" {
		regime = DefaultRegime(in.CreditorStatus, in.debtorConsumer())
	}
	cs.Regime = regime
	switch regime {
	case RegimeB2B:
		s.start = c.DueOn
		if c.ContractRateBps > 0 {
			// L441-10 II: the contractual rate may not be below three
			// times the legal interest rate — of each half-year, so the
			// floor is checked, and applied, half-year by half-year.
			bps := int64(c.ContractRateBps)
			s.rate = func(d Date) (int64, bool, string, bool) {
				if r, prov, ok := in.Rates.RateAt(RateLegalOther, d); ok && bps < 3*r.Value {
					return 3 * r.Value, prov, fmt.Sprintf("Taux plancher : 3 × %s (%s), le taux contractuel de %s étant inférieur (C. com. L441-10 II)",
						FrenchPercent(r.Value), r.Source, FrenchPercent(bps)), true
				}
				return bps, false, "Taux contractuel", true
			}
			cs.RateNote = fmt.Sprintf("Pénalités de retard au taux contractuel de %s, porté pour chaque semestre où il est inférieur à trois fois le taux de l'intérêt légal à ce plancher (C. com. L441-10 II).", FrenchPercent(bps))
		} else {
			s.rate = func(d Date) (int64, bool, string, bool) {
				r, prov, ok := in.Rates.RateAt(RateECB, d)
				return r.Value + 1000, prov, r.Source + " + 10 points", ok
			}
			cs.RateNote = "Pénalités de retard : taux de refinancement de la BCE du semestre + 10 points (C. com. L441-10 II), dues dès le lendemain de l'échéance sans rappel."
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
		kind, who := legalRateKind(in.CreditorStatus)
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
	// D441-5: 40 euros per invoice paid late between professionals, whatever
	// the interest regime, due from the first day late, never reduced,
	// outside VAT; never owed by a consumer. It is charged by accrueTo once
	// the invoice is found unpaid after its due date.
	if in.betweenProfessionals() {
		if r, _, ok := in.Rates.RateAt(RateIndemnity, c.DueOn); ok {
			if in.Currency == "EUR" {
				s.indemnity = r.Value
				s.indemnityOn = c.DueOn.AddDays(1)
			} else {
				addWarning("L'indemnité forfaitaire de 40 euros (C. com. D441-5) n'est pas convertie dans la devise du dossier : non comptée.")
			}
		}
	}
	s.accrued = s.start
	s.freezes = in.Freezes
	s.courtDelays(in, regime)
	if s.rate != nil && !s.start.IsZero() {
		for _, f := range in.Freezes {
			if !f.After.Before(in.AsOf) {
				continue
			}
			if f.Through.IsZero() || !f.Through.Before(in.AsOf) {
				cs.RateNote += fmt.Sprintf(" Intérêts gelés depuis le %s par l'échéancier en cours (mandat du créancier).", FrenchDate(f.After.AddDays(1)))
			} else {
				cs.RateNote += fmt.Sprintf(" Intérêts gelés du %s au %s inclus par un échéancier, puis de nouveau dus.", FrenchDate(f.After.AddDays(1)), FrenchDate(f.Through))
			}
		}
	}
	return s
}

// legalRateKind is the legal interest table for a creditor's status (C.
// mon. fin. L313-2), and its words.
func legalRateKind(status LegalStatus) (RateKind, string) {
	if status == StatusIndividual {
		return RateLegalIndividual, "créancier personne physique"
	}
	return RateLegalOther, "autres cas"
}

// courtDelays applies the delays judges granted (C. civ. 1343-5 al. 4:
// "les majorations d'intérêts ou les pénalités prévues en cas de retard ne
// sont pas encourues pendant le délai fixé par le juge"): on their days the
// claim's rate — L441-10 penalties, a contractual late rate, the legal rate
// raised by 5 points (L313-3) — gives way to the plain legal rate for the
// creditor's category when it is higher; a rate at or below the legal one
// stays (the rule removes an increase, it never adds one). Interest frozen
// by a plan stays frozen (accrueTo skips those days first).
func (s *claimState) courtDelays(in StatementInput, regime InterestRegime) {
	for _, c := range in.CourtDelays {
		if c.After.Before(in.AsOf) {
			s.delays = append(s.delays, c)
		}
	}
	if s.rate == nil || s.start.IsZero() || len(s.delays) == 0 {
		return
	}
	kind, who := legalRateKind(in.CreditorStatus)
	usual := s.rate
	s.rate = func(d Date) (int64, bool, string, bool) {
		bps, prov, source, ok := usual(d)
		if !s.inCourtDelay(d) {
			return bps, prov, source, ok
		}
		r, lprov, lok := in.Rates.RateAt(kind, d)
		switch {
		case !lok:
			return 0, false, "", false // the legal rate is unknown: no day is counted at a penalty rate
		case ok && bps <= r.Value:
			return bps, prov, source, ok
		}
		return r.Value, lprov, r.Source + " : délai de grâce judiciaire, pénalités et majoration non encourues (C. civ. 1343-5 al. 4)", true
	}
	if regime == RegimeLegal && in.EnforceableOn.IsZero() {
		return // the plain legal rate: nothing for the delay to hold off
	}
	for _, c := range s.delays {
		note := " Délai de grâce accordé par le juge"
		if c.Court != "" {
			note += " (" + c.Court
			if !c.DecisionOn.IsZero() {
				note += ", décision du " + FrenchDate(c.DecisionOn)
			}
			note += ")"
		}
		note += " : les pénalités de retard et la majoration du taux légal ne sont pas encourues pendant ce délai (C. civ. 1343-5 al. 4) ; "
		if c.Through.IsZero() || !c.Through.Before(in.AsOf) {
			note += fmt.Sprintf("depuis le %s, tant que l'échéancier est respecté, les intérêts courent au plus au taux de l'intérêt légal (%s).", FrenchDate(c.After.AddDays(1)), who)
		} else {
			note += fmt.Sprintf("du %s au %s inclus, les intérêts ont couru au plus au taux de l'intérêt légal (%s), puis au taux habituel de nouveau à compter du %s.",
				FrenchDate(c.After.AddDays(1)), FrenchDate(c.Through), who, FrenchDate(c.Through.AddDays(1)))
		}
		s.cs.RateNote += note
	}
}

// inCourtDelay reports whether day d falls within a judge's delay.
func (s *claimState) inCourtDelay(d Date) bool {
	for _, c := range s.delays {
		if c.covers(d) {
			return true
		}
	}
	return false
}

// frozenOn says whether day d falls in a freeze, and the last day of it
// (zero: still frozen).
func (s *claimState) frozenOn(d Date) (Date, bool) {
	for _, f := range s.freezes {
		if f.covers(d) {
			return f.Through, true
		}
	}
	return Date{}, false
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
		// A plan froze interest: no line over the frozen days.
		if through, frozen := s.frozenOn(from); frozen {
			if through.IsZero() || d.Before(through) {
				through = d
			}
			s.accrued = through
			continue
		}
		end := HalfYearStart(from).AddMonths(6).AddDays(-1)
		if d.Before(end) {
			end = d
		}
		// … and a line stops on the last day before a freeze.
		for _, f := range s.freezes {
			if !f.After.Before(from) && f.After.Before(end) {
				end = f.After
			}
		}
		bps, prov, source, ok := s.rate(from)
		if !ok {
			s.missing = true
		}
		// The legal rate's +5 points start mid-half-year, a judge's delay
		// begins and ends on any day: split there too.
		if nb, _, _, _ := s.rate(end); nb != bps || len(s.delays) > 0 {
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
