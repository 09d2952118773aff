package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatRemittance = "relevé de reversement"

// portfolioWhere narrows the cases (alias c) a portfolio sums: the
// currency (all when empty), the creditor asked for, and the scope's own
// creditor.
func portfolioWhere(scope recouvra.Scope, creditorID *uuid.UUID, currency, alias string) (string, map[string]any) {
	where := []string{"true"}
	args := map[string]any{}
	if currency != "" {
		where = append(where, alias+"currency = @currency")
		args["currency"] = currency
	}
	if creditorID != nil {
		where = append(where, alias+"creditor_id = @creditor")
		args["creditor"] = *creditorID
	}
	if scope.CreditorID != nil {
		where = append(where, alias+"creditor_id = @scope_creditor")
		args["scope_creditor"] = *scope.CreditorID
	}
	return strings.Join(where, " AND "), args
}

func (r repo) PortfolioRows(ctx context.Context, scope recouvra.Scope, q app.PortfolioQuery) (app.PortfolioRows, error) {
	var out app.PortfolioRows
	if scope.Denied() {
		return out, nil
	}
	db := r.q(ctx)
	// One pass over the cases, grouped by currency, stage and age band: the
	// sums of the currency asked for, and the list of the others. Age is
	// days since the oldest invoice fell due (kept on the case); band 0 is
	// the first, band i starts at AgeingStarts[i-1]. The starts are the
	// service's own integers, not user input.
	where, args := portfolioWhere(scope, q.CreditorID, "", "c.")
	args["today"] = q.Today
	starts := make([]string, len(q.AgeingStarts))
	for i, d := range q.AgeingStarts {
		starts[i] = fmt.Sprint(d)
	}
	var groups []struct {
		Currency                                       string
		Stage                                          string
		Band                                           *int
		Cases, BalanceCents, PrincipalCents, PaidCents int64
	}
	err := db.Raw(`SELECT c.currency, c.stage,
			width_bucket(CAST(@today AS date) - c.oldest_due_on, ARRAY[`+strings.Join(starts, ",")+`]::int[]) AS band,
			count(*) AS cases, coalesce(sum(c.balance_cents), 0) AS balance_cents,
			coalesce(sum(c.principal_cents), 0) AS principal_cents, coalesce(sum(c.paid_cents), 0) AS paid_cents
		FROM cases c WHERE `+where+` GROUP BY 1, 2, 3`, args).Scan(&groups).Error
	if err != nil {
		return out, dbErr(err, whatCase)
	}
	stages := map[recouvra.Stage]*app.StageFigures{}
	bands := map[int]*app.AgeingBucket{}
	currencies := map[string]bool{}
	for _, g := range groups {
		cur := strings.TrimSpace(g.Currency)
		currencies[cur] = true
		if cur != q.Currency {
			continue
		}
		stage := recouvra.Stage(g.Stage)
		if stages[stage] == nil {
			stages[stage] = &app.StageFigures{Stage: stage}
		}
		stages[stage].Cases += g.Cases
		stages[stage].BalanceCents += g.BalanceCents
		out.PlacedCents += g.PrincipalCents
		out.RecoveredCents += g.PaidCents
		if stage == recouvra.StageClosed || g.Band == nil {
			continue // closed, or nothing but credit notes: no age
		}
		from := 0
		if *g.Band > 0 {
			from = q.AgeingStarts[*g.Band-1]
		}
		if bands[from] == nil {
			bands[from] = &app.AgeingBucket{FromDays: from}
		}
		bands[from].Cases += g.Cases
		bands[from].BalanceCents += g.BalanceCents
	}
	for _, st := range stages {
		out.Stages = append(out.Stages, *st)
	}
	for _, b := range bands {
		out.Ageing = append(out.Ageing, *b)
	}
	for c := range currencies {
		out.Currencies = append(out.Currencies, c)
	}
	sort.Strings(out.Currencies)

	// Remitted: the statements issued (a period issued again counts once:
	// its latest statement) and the remittance runs' lines booked or sent
	// (a cancelled run paid nothing).
	rwhere, rargs := portfolioWhere(scope, q.CreditorID, q.Currency, "")
	err = db.Raw(`SELECT coalesce(sum(net_cents), 0) FROM (
			(SELECT DISTINCT ON (creditor_id, period_from, period_to) net_cents FROM remittances
			WHERE `+rwhere+` ORDER BY creditor_id, period_from, period_to, created_at DESC)
			UNION ALL
			SELECT net_cents FROM remittance_run_lines WHERE `+rwhere+` AND state IN ('booked', 'sent')) latest`, rargs).Scan(&out.RemittedCents).Error
	if err != nil {
		return out, dbErr(err, whatRemittance)
	}
	return out, nil
}

type remittanceRow struct {
	DocumentID      uuid.UUID `gorm:"primaryKey"`
	CreditorID      uuid.UUID
	PeriodFrom      recouvra.Date
	PeriodTo        recouvra.Date
	Currency        string
	CollectedCents  int64
	DirectCents     int64
	CommissionCents int64
	FeesCents       int64
	NetCents        int64
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
}

func (remittanceRow) TableName() string { return "remittances" }

func (r repo) InsertRemittance(ctx context.Context, m app.Remittance) error {
	row := remittanceRow{DocumentID: m.DocumentID, CreditorID: m.CreditorID, PeriodFrom: m.From, PeriodTo: m.To, Currency: m.Currency,
		CollectedCents: m.CollectedCents, DirectCents: m.DirectCents, CommissionCents: m.CommissionCents, FeesCents: m.FeesCents,
		NetCents: m.NetCents, CreatedAt: m.CreatedAt}
	return dbErr(r.q(ctx).Create(&row).Error, whatRemittance)
}

// OverlappingRemittance first takes a lock on the creditor's statements
// for the transaction, so two statements issued at once cannot both find
// the other absent.
func (r repo) OverlappingRemittance(ctx context.Context, creditorID uuid.UUID, from, to recouvra.Date) (*app.Remittance, error) {
	db := r.q(ctx)
	if err := db.Exec("SELECT pg_advisory_xact_lock(hashtextextended('remittances:' || ?::text, 0))", creditorID).Error; err != nil {
		return nil, dbErr(err, whatRemittance)
	}
	var rows []remittanceRow
	err := db.Where("creditor_id = ? AND period_from <= ? AND period_to >= ? AND NOT (period_from = ? AND period_to = ?)", creditorID, to, from, from, to).
		Order("period_from").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, dbErr(err, whatRemittance)
	}
	m := rows[0]
	return &app.Remittance{DocumentID: m.DocumentID, CreditorID: m.CreditorID, From: m.PeriodFrom, To: m.PeriodTo, Currency: strings.TrimSpace(m.Currency),
		CollectedCents: m.CollectedCents, DirectCents: m.DirectCents, CommissionCents: m.CommissionCents, FeesCents: m.FeesCents,
		NetCents: m.NetCents, CreatedAt: m.CreatedAt.UTC()}, nil
}
