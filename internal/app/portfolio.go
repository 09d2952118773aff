package app

import (
	"context"
	"regexp"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Portfolio is what a creditor follows of its files (or the agency of all
// of them): money placed, recovered, remitted and still due, the open cases
// by stage, and how long the open ones have been unpaid. All in one
// currency; cases in others are counted in their own portfolio.
type Portfolio struct {
	AsOf             recouvra.Date
	Currency         string
	Cases            int64 // every case, closed ones included
	OpenCases        int64
	PlacedCents      int64 // principal placed with the agency
	RecoveredCents   int64 // paid by the debtors, to the agency or directly
	OutstandingCents int64 // principal still due on the open cases
	RemittedCents    int64 // net of the remittance statements issued
	Stages           []StageFigures
	Ageing           []AgeingBucket
	Currencies       []string // every currency the scope has cases in
}

// RecoveryRateBps is the share of the principal placed that has been
// recovered, in basis points (0 when nothing is placed).
func (p Portfolio) RecoveryRateBps() int64 {
	if p.PlacedCents <= 0 {
		return 0
	}
	return recouvra.Prorata(p.RecoveredCents, 10_000, p.PlacedCents)
}

// StageFigures counts the cases of one stage and what they still owe.
type StageFigures struct {
	Stage        recouvra.Stage
	Cases        int64
	BalanceCents int64
}

// AgeingBucket groups the open cases by days since their oldest unpaid
// invoice fell due: FromDays to ToDays inclusive, ToDays nil for the last.
type AgeingBucket struct {
	FromDays     int
	ToDays       *int
	Cases        int64
	BalanceCents int64
}

// AgeingStarts are the first days of the ageing buckets after the first
// (0–30, 31–90, 91–180, 181–365, over a year): the usual bands of a
// receivables ageing report.
var AgeingStarts = []int{31, 91, 181, 366}

// PortfolioQuery is what a portfolio is computed over.
type PortfolioQuery struct {
	CreditorID *uuid.UUID // nil: every creditor the scope sees
	Currency   string
	Today      recouvra.Date
	// AgeingStarts: the first day of each bucket after the first, ascending.
	AgeingStarts []int
}

// PortfolioRows are the sums the store returns for a PortfolioQuery.
type PortfolioRows struct {
	Stages         []StageFigures // closed included, in any order
	Ageing         []AgeingBucket // only FromDays, Cases and BalanceCents; absent buckets omitted
	PlacedCents    int64
	RecoveredCents int64
	RemittedCents  int64
	Currencies     []string
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// Portfolio computes the caller's portfolio: a creditor's own (creditorID
// may only name it), or for staff the agency's or one creditor's.
func (s *Service) Portfolio(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, currency string) (Portfolio, error) {
	if currency == "" {
		currency = "EUR"
	}
	if !currencyCode.MatchString(currency) {
		return Portfolio{}, recouvra.Invalid("Devise invalide.", recouvra.FieldError{Field: "currency", Code: "invalid", Message: "Code de devise ISO 4217 attendu, par exemple EUR."})
	}
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID
	}
	out := Portfolio{AsOf: s.today(), Currency: currency}
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if creditorID != nil {
			// Another creditor's portfolio does not exist for a creditor.
			if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
				return err
			}
		}
		rows, err := r.PortfolioRows(ctx, scope, PortfolioQuery{CreditorID: creditorID, Currency: currency, Today: out.AsOf, AgeingStarts: AgeingStarts})
		if err != nil {
			return err
		}
		out.fill(rows)
		return nil
	})
	return out, err
}

// fill arranges the store's sums: every open stage listed in order even
// when empty, every ageing bucket with its bounds.
func (p *Portfolio) fill(rows PortfolioRows) {
	p.PlacedCents, p.RecoveredCents, p.RemittedCents, p.Currencies = rows.PlacedCents, rows.RecoveredCents, rows.RemittedCents, rows.Currencies
	by := map[recouvra.Stage]StageFigures{}
	for _, st := range rows.Stages {
		by[st.Stage] = st
		p.Cases += st.Cases
		if st.Stage != recouvra.StageClosed {
			p.OpenCases += st.Cases
			p.OutstandingCents += st.BalanceCents
		}
	}
	for _, stage := range recouvra.Stages {
		f := by[stage]
		f.Stage = stage
		p.Stages = append(p.Stages, f)
	}
	aged := map[int]AgeingBucket{}
	for _, b := range rows.Ageing {
		aged[b.FromDays] = b
	}
	from := 0
	for i := 0; i <= len(AgeingStarts); i++ {
		b := aged[from]
		b.FromDays = from
		if i < len(AgeingStarts) {
			to := AgeingStarts[i] - 1
			b.ToDays = &to
			from = AgeingStarts[i]
		}
		p.Ageing = append(p.Ageing, b)
	}
}
