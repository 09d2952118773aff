package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Performance answers a creditor's questions about how its files fare:
// the DSO by the countback method month by month, what was placed,
// recovered and remitted each month, and the recovery rate by stage and
// by the invoices' age when they were placed. One currency at a time, in
// the same scope as the portfolio. recouvra.CountbackDSO says what
// "placed" and "receivables" mean.
type Performance struct {
	AsOf     recouvra.Date
	Currency string
	Months   []MonthFigures // oldest first, the current month last
	ByStage  []RateFigures  // every stage in order, closed last
	ByAge    []RateFigures  // by days overdue at placement, AgeingStarts bands
}

// MonthFigures is one calendar month: placed (claims entered, credit notes
// netted), recovered (payments received in the month and not reversed),
// remitted (the net of the remittance statements whose period ends in the
// month, a period issued twice counted once), the receivables at the end of
// the month (today for the current one) and their DSO.
type MonthFigures struct {
	Month            recouvra.Date // first day
	PlacedCents      int64
	RecoveredCents   int64
	RemittedCents    int64
	ReceivablesCents int64
	DSOTenths        int64 // tenths of a day
}

// RateFigures is what was placed and recovered for one group of cases:
// a stage (Stage set) or an age band at placement (FromDays, ToDays).
// Recovered is what the portfolio counts: every payment kept.
type RateFigures struct {
	Stage          recouvra.Stage
	FromDays       int
	ToDays         *int
	Cases          int64
	PlacedCents    int64
	RecoveredCents int64
}

// RateBps is recovered over placed in basis points (0 when nothing placed).
func (r RateFigures) RateBps() int64 {
	if r.PlacedCents <= 0 {
		return 0
	}
	return recouvra.Prorata(r.RecoveredCents, 10_000, r.PlacedCents)
}

// DefaultPerformanceMonths is how many months the trend shows by default.
const DefaultPerformanceMonths = 12

// PerformanceQuery is what the store sums for a Performance.
type PerformanceQuery struct {
	CreditorID   *uuid.UUID // nil: every creditor the scope sees
	Currency     string
	From         recouvra.Date // first day of the first month shown
	Today        recouvra.Date
	AgeingStarts []int
}

// MonthCents is an amount for a calendar month (its first day).
type MonthCents struct {
	Month recouvra.Date
	Cents int64
}

// RateRow is one (stage, age band) group of cases; Band nil when the case
// has no invoice (credit notes only), else 0 for the first band and i for
// the one starting at AgeingStarts[i-1].
type RateRow struct {
	Stage                              recouvra.Stage
	Band                               *int
	Cases, PlacedCents, RecoveredCents int64
}

// PerformanceRows are the store's sums for a PerformanceQuery.
type PerformanceRows struct {
	Placed      []MonthCents // every month with claims entered, all history
	Recovered   []MonthCents // from q.From
	Remitted    []MonthCents // by the month the statement's period ends, from q.From
	Receivables []MonthCents // at the end of each month from q.From (months owing nothing omitted)
	Rates       []RateRow
}

// Performance computes the caller's performance figures over the last
// months (DefaultPerformanceMonths when months is 0), in the portfolio's
// scope: a creditor's own, or for staff the agency's or one creditor's.
func (s *Service) Performance(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, currency string, months int) (Performance, error) {
	if currency == "" {
		currency = "EUR"
	}
	if !currencyCode.MatchString(currency) {
		return Performance{}, recouvra.Invalid("Devise invalide.", recouvra.FieldError{Field: "currency", Code: "invalid", Message: "Code de devise ISO 4217 attendu, par exemple EUR."})
	}
	if months == 0 {
		months = DefaultPerformanceMonths
	}
	if months < 1 || months > 36 {
		return Performance{}, recouvra.Invalid("Période invalide.", recouvra.FieldError{Field: "query.months", Code: "out_of_range", Message: "De 1 à 36 mois."})
	}
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID
	}
	today := s.today()
	out := Performance{AsOf: today, Currency: currency}
	q := PerformanceQuery{CreditorID: creditorID, Currency: currency, From: recouvra.FirstOfMonth(today).AddMonths(1 - months), Today: today, AgeingStarts: AgeingStarts}
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if creditorID != nil {
			if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
				return err
			}
		}
		rows, err := r.PerformanceRows(ctx, scope, q)
		if err != nil {
			return err
		}
		out.fill(q, rows)
		return nil
	})
	return out, err
}

// fill lays the store's sums out month by month and computes each month's
// DSO over every month placed before it.
func (p *Performance) fill(q PerformanceQuery, rows PerformanceRows) {
	byMonth := func(list []MonthCents) map[recouvra.Date]int64 {
		m := map[recouvra.Date]int64{}
		for _, x := range list {
			m[recouvra.FirstOfMonth(x.Month)] += x.Cents
		}
		return m
	}
	placed, recovered, remitted, receivables := byMonth(rows.Placed), byMonth(rows.Recovered), byMonth(rows.Remitted), byMonth(rows.Receivables)

	// The countback's months: from the first placement (or the first month
	// shown) to the current month, empty months included.
	current := recouvra.FirstOfMonth(q.Today)
	start := q.From
	for m := range placed {
		if m.Before(start) {
			start = m
		}
	}
	var history []recouvra.MonthPlacements
	for m := start; !m.After(current); m = m.AddMonths(1) {
		days := recouvra.DaysInMonth(m)
		if m.Equal(current) {
			days = q.Today.Day()
		}
		history = append(history, recouvra.MonthPlacements{Month: m, Days: days, PlacedCents: placed[m]})
		if m.Before(q.From) {
			continue
		}
		dso, _ := recouvra.CountbackDSO(receivables[m], history)
		p.Months = append(p.Months, MonthFigures{Month: m, PlacedCents: placed[m], RecoveredCents: recovered[m], RemittedCents: remitted[m],
			ReceivablesCents: receivables[m], DSOTenths: dso})
	}

	stages := map[recouvra.Stage]*RateFigures{}
	bands := map[int]*RateFigures{}
	for _, st := range recouvra.Stages {
		stages[st] = &RateFigures{Stage: st}
	}
	from := 0
	for i := 0; i <= len(q.AgeingStarts); i++ {
		b := &RateFigures{FromDays: from}
		if i < len(q.AgeingStarts) {
			to := q.AgeingStarts[i] - 1
			b.ToDays = &to
			from = q.AgeingStarts[i]
		}
		bands[i] = b
	}
	for _, r := range rows.Rates {
		if st := stages[r.Stage]; st != nil {
			st.Cases += r.Cases
			st.PlacedCents += r.PlacedCents
			st.RecoveredCents += r.RecoveredCents
		}
		if r.Band != nil && bands[*r.Band] != nil {
			b := bands[*r.Band]
			b.Cases += r.Cases
			b.PlacedCents += r.PlacedCents
			b.RecoveredCents += r.RecoveredCents
		}
	}
	for _, st := range recouvra.Stages {
		p.ByStage = append(p.ByStage, *stages[st])
	}
	for i := 0; i <= len(q.AgeingStarts); i++ {
		p.ByAge = append(p.ByAge, *bands[i])
	}
}

// DSOTenths is the DSO of the current month (the last one shown).
func (p Performance) DSOTenths() int64 {
	if len(p.Months) == 0 {
		return 0
	}
	return p.Months[len(p.Months)-1].DSOTenths
}
