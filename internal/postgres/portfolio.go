package postgres

import (
	"context"
	"fmt"
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
	where, args := portfolioWhere(scope, q.CreditorID, q.Currency, "c.")
	args["today"] = q.Today

	var stages []struct {
		Stage                                string
		Cases, BalanceCents, Principal, Paid int64
	}
	err := db.Raw(`SELECT c.stage, count(*) AS cases, coalesce(sum(c.balance_cents), 0) AS balance_cents,
			coalesce(sum(c.principal_cents), 0) AS principal, coalesce(sum(c.paid_cents), 0) AS paid
		FROM cases c WHERE `+where+` GROUP BY c.stage`, args).Scan(&stages).Error
	if err != nil {
		return out, dbErr(err, whatCase)
	}
	for _, s := range stages {
		out.Stages = append(out.Stages, app.StageFigures{Stage: recouvra.Stage(s.Stage), Cases: s.Cases, BalanceCents: s.BalanceCents})
		out.PlacedCents += s.Principal
		out.RecoveredCents += s.Paid
	}

	// Age: days since the oldest invoice of an open case fell due; bucket 0
	// is the first band, bucket i starts at AgeingStarts[i-1]. The starts
	// are the service's own integers, not user input.
	starts := make([]string, len(q.AgeingStarts))
	for i, d := range q.AgeingStarts {
		starts[i] = fmt.Sprint(d)
	}
	var aged []struct {
		Bucket              int
		Cases, BalanceCents int64
	}
	err = db.Raw(`SELECT width_bucket(CAST(@today AS date) - o.oldest, ARRAY[`+strings.Join(starts, ",")+`]::int[]) AS bucket,
			count(*) AS cases, coalesce(sum(c.balance_cents), 0) AS balance_cents
		FROM cases c
		CROSS JOIN LATERAL (SELECT min(cl.due_on) AS oldest FROM claims cl WHERE cl.case_id = c.id AND cl.amount_cents > 0) o
		WHERE c.stage <> 'closed' AND o.oldest IS NOT NULL AND `+where+` GROUP BY 1`, args).Scan(&aged).Error
	if err != nil {
		return out, dbErr(err, whatCase)
	}
	for _, a := range aged {
		from := 0
		if a.Bucket > 0 {
			from = q.AgeingStarts[a.Bucket-1]
		}
		out.Ageing = append(out.Ageing, app.AgeingBucket{FromDays: from, Cases: a.Cases, BalanceCents: a.BalanceCents})
	}

	// A period issued again counts once: its latest statement.
	rwhere, rargs := portfolioWhere(scope, q.CreditorID, q.Currency, "")
	err = db.Raw(`SELECT coalesce(sum(net_cents), 0) FROM (
			SELECT DISTINCT ON (creditor_id, period_from, period_to) net_cents FROM remittances
			WHERE `+rwhere+` ORDER BY creditor_id, period_from, period_to, created_at DESC) latest`, rargs).Scan(&out.RemittedCents).Error
	if err != nil {
		return out, dbErr(err, whatRemittance)
	}

	// Every currency the same cases have, whatever the one asked for.
	cwhere, cargs := portfolioWhere(scope, q.CreditorID, "", "")
	var currencies []string
	query := db.Raw(`SELECT DISTINCT currency FROM cases WHERE ` + cwhere + ` ORDER BY 1`)
	if len(cargs) > 0 { // gorm takes an empty map for a positional argument
		query = db.Raw(`SELECT DISTINCT currency FROM cases WHERE `+cwhere+` ORDER BY 1`, cargs)
	}
	if err := query.Scan(&currencies).Error; err != nil {
		return out, dbErr(err, whatCase)
	}
	for _, c := range currencies {
		out.Currencies = append(out.Currencies, strings.TrimSpace(c))
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
