package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatRun = "Reversement"

type runRow struct {
	ID            uuid.UUID
	RunKey        string
	Reference     string
	CreditorID    *uuid.UUID
	State         string
	Currency      string
	Transfers     int
	TotalNetCents int64
	Pain001       []byte
	CreatedBy     *uuid.UUID
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	BookedAt      *time.Time
	SentAt        *time.Time
	CancelledAt   *time.Time
}

func (runRow) TableName() string { return "remittance_runs" }

type runLineRow struct {
	RunID                 uuid.UUID `gorm:"primaryKey"`
	CreditorID            uuid.UUID `gorm:"primaryKey"`
	EndToEndID            string    `gorm:"column:end_to_end_id"`
	State                 string
	LegalName             string
	IBAN                  string `gorm:"column:iban"`
	BIC                   string `gorm:"column:bic"`
	Currency              string
	HeldCents             int64
	CommissionCents       int64
	DirectCommissionCents int64
	FeesCents             int64
	VATRateBps            int64 `gorm:"column:vat_rate_bps"`
	VATCents              int64 `gorm:"column:vat_cents"`
	NetCents              int64
	PeriodFrom            recouvra.Date
	PeriodTo              recouvra.Date
	DocumentID            *uuid.UUID
	CreatedAt             time.Time  `gorm:"autoCreateTime:false"`
	Reference             string     `gorm:"->;-:migration"` // read with the run's reference
	InvoiceID             *uuid.UUID `gorm:"->;-:migration"` // read: the standing invoice of the line
}

func (runLineRow) TableName() string { return "remittance_run_lines" }

func (l runLineRow) domain() app.RunLine {
	f := recouvra.RemittanceFigures{HeldCents: l.HeldCents, CommissionCents: l.CommissionCents, DirectCommCents: l.DirectCommissionCents, FeesCents: l.FeesCents,
		VATCents: l.VATCents, VATRateBps: l.VATRateBps, NetCents: l.NetCents}
	f.CommissionNetCents = f.CommissionCents + f.DirectCommCents + f.FeesCents
	f.CommissionGrossCents = f.CommissionNetCents + f.VATCents
	return app.RunLine{RunID: l.RunID, Reference: l.Reference, CreditorID: l.CreditorID, LegalName: l.LegalName, IBAN: l.IBAN, BIC: l.BIC, EndToEndID: l.EndToEndID,
		Currency: strings.TrimSpace(l.Currency), Figures: f, From: l.PeriodFrom, To: l.PeriodTo, DocumentID: l.DocumentID, State: recouvra.RunState(l.State),
		CreatedAt: l.CreatedAt.UTC(), InvoiceID: l.InvoiceID}
}

func lineRow(l app.RunLine) runLineRow {
	f := l.Figures
	return runLineRow{RunID: l.RunID, CreditorID: l.CreditorID, EndToEndID: l.EndToEndID, State: string(l.State), LegalName: l.LegalName, IBAN: l.IBAN, BIC: l.BIC,
		Currency: l.Currency, HeldCents: f.HeldCents, CommissionCents: f.CommissionCents, DirectCommissionCents: f.DirectCommCents, FeesCents: f.FeesCents,
		VATRateBps: f.VATRateBps, VATCents: f.VATCents, NetCents: f.NetCents, PeriodFrom: l.From, PeriodTo: l.To, DocumentID: l.DocumentID, CreatedAt: l.CreatedAt}
}

func (r runRow) domain() app.RemittanceRun {
	return app.RemittanceRun{ID: r.ID, RunKey: r.RunKey, Reference: r.Reference, CreditorID: r.CreditorID, State: recouvra.RunState(r.State),
		Currency: strings.TrimSpace(r.Currency), Transfers: r.Transfers, TotalNetCents: r.TotalNetCents, Pain001: r.Pain001, CreatedAt: r.CreatedAt.UTC(),
		BookedAt: utcPtr(r.BookedAt), SentAt: utcPtr(r.SentAt), CancelledAt: utcPtr(r.CancelledAt)}
}

func (r repo) InsertRemittanceRun(ctx context.Context, run app.RemittanceRun, by *uuid.UUID) error {
	row := runRow{ID: run.ID, RunKey: run.RunKey, Reference: run.Reference, CreditorID: run.CreditorID, State: string(run.State), Currency: run.Currency,
		Transfers: run.Transfers, TotalNetCents: run.TotalNetCents, CreatedBy: by, CreatedAt: run.CreatedAt}
	if err := r.q(ctx).Create(&row).Error; err != nil {
		return dbErr(err, whatRun)
	}
	lines := make([]runLineRow, len(run.Lines))
	for i, l := range run.Lines {
		lines[i] = lineRow(l)
	}
	return dbErr(r.q(ctx).Omit("Reference", "InvoiceID").Create(&lines).Error, whatRun)
}

func (r repo) RemittanceRunByID(ctx context.Context, id uuid.UUID, lock bool) (app.RemittanceRun, error) {
	var row runRow
	q := r.q(ctx).Where("id = ?", id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return app.RemittanceRun{}, dbErr(err, whatRun)
	}
	run := row.domain()
	var lines []runLineRow
	if err := r.q(ctx).Where("run_id = ?", id).Order("legal_name, creditor_id").Find(&lines).Error; err != nil {
		return app.RemittanceRun{}, dbErr(err, whatRun)
	}
	for _, l := range lines {
		l.Reference = run.Reference
		run.Lines = append(run.Lines, l.domain())
	}
	return run, nil
}

func (r repo) RemittanceRuns(ctx context.Context, limit int) ([]app.RemittanceRun, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var rows []runRow
	if err := r.q(ctx).Omit("pain001").Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatRun)
	}
	out := make([]app.RemittanceRun, len(rows))
	for i, x := range rows {
		out[i] = x.domain()
	}
	return out, nil
}

// UpdateRemittanceRun writes a run's new state (from the state it was
// read in, under its lock), its times and file, and its lines' state and
// statements.
func (r repo) UpdateRemittanceRun(ctx context.Context, run app.RemittanceRun, from recouvra.RunState) error {
	res := r.q(ctx).Model(&runRow{}).Where("id = ? AND state = ?", run.ID, string(from)).Updates(map[string]any{
		"state": string(run.State), "pain001": run.Pain001, "booked_at": run.BookedAt, "sent_at": run.SentAt, "cancelled_at": run.CancelledAt})
	if res.Error != nil {
		return dbErr(res.Error, whatRun)
	}
	if res.RowsAffected != 1 {
		return recouvra.Errorf(recouvra.ECodeConflict, "Le reversement a changé entre-temps : rechargez-le.")
	}
	for _, l := range run.Lines {
		if err := r.q(ctx).Model(&runLineRow{}).Where("run_id = ? AND creditor_id = ?", run.ID, l.CreditorID).
			Updates(map[string]any{"state": string(l.State), "document_id": l.DocumentID}).Error; err != nil {
			return dbErr(err, whatRun)
		}
	}
	return nil
}

func (r repo) RemittanceLines(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID) ([]app.RunLine, error) {
	var rows []runLineRow
	q := scoped(r.q(ctx).Table("remittance_run_lines l"), scope, "l.creditor_id").Where("l.state IN ('booked', 'sent')")
	if creditorID != nil {
		q = q.Where("l.creditor_id = ?", *creditorID)
	}
	// The run's reference is the first part of the end-to-end id; the
	// creditor scope may not read remittance_runs.
	// The line's invoice: the latest not cancelled by a credit note (the
	// creditor scope reads its own invoices).
	if err := q.Select(`l.*, split_part(l.end_to_end_id, '-', 1) || '-' || split_part(l.end_to_end_id, '-', 2) || '-' || split_part(l.end_to_end_id, '-', 3) AS reference,
		(SELECT i.id FROM invoices i WHERE i.run_id = l.run_id AND i.creditor_id = l.creditor_id AND i.kind = 'invoice'
		    AND NOT EXISTS (SELECT 1 FROM invoices x WHERE x.corrects_id = i.id) ORDER BY i.series DESC, i.seq DESC LIMIT 1) AS invoice_id`).
		Order("l.created_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatRun)
	}
	out := make([]app.RunLine, len(rows))
	for i, x := range rows {
		out[i] = x.domain()
	}
	return out, nil
}

// PostLedger books transactions of a run in one statement.
func (r repo) PostLedger(ctx context.Context, runID uuid.UUID, txns []recouvra.LedgerTxn) error {
	var ids, kinds, accounts, currencies []string
	var creditors []*string
	var amounts []int64
	var days []string
	for _, t := range txns {
		if err := t.Check(); err != nil {
			return err
		}
		a, c, m := ledgerColumns(t.Entries)
		for i := range a {
			ids = append(ids, t.ID.String())
			kinds = append(kinds, string(t.Kind))
			days = append(days, t.BookedOn.String())
			currencies = append(currencies, t.Entries[i].Currency)
		}
		accounts, creditors, amounts = append(accounts, a...), append(creditors, c...), append(amounts, m...)
	}
	if len(ids) == 0 {
		return nil
	}
	err := r.q(ctx).Exec(`INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, run_id)
		SELECT e.txn, e.kind, e.account, e.creditor, e.amount, e.currency, e.day, ?
		  FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::bigint[], ?::text[], ?::date[]) AS e(txn, kind, account, creditor, amount, currency, day)`,
		runID, textArray(ids), textArray(kinds), textArray(accounts), arrayLiteral(creditors), intArray(amounts), textArray(currencies), textArray(days)).Error
	return dbErr(err, whatLedger)
}

func (r repo) LastRemittedOn(ctx context.Context, creditorID uuid.UUID) (recouvra.Date, error) {
	var d *recouvra.Date
	err := r.q(ctx).Raw(`SELECT max(period_to) FROM remittance_run_lines WHERE creditor_id = ? AND state IN ('booked', 'sent')`, creditorID).Scan(&d).Error
	if err != nil || d == nil {
		return recouvra.Date{}, dbErr(err, whatRun)
	}
	return *d, nil
}

// CasesFirstPaidAfter counts the creditor's cases whose first payment
// still standing was received after after (any day when zero) and by upTo.
func (r repo) CasesFirstPaidAfter(ctx context.Context, creditorID uuid.UUID, after, upTo recouvra.Date) (int, error) {
	var n int
	var since any
	if !after.IsZero() {
		since = after
	}
	err := r.q(ctx).Raw(`SELECT count(*) FROM (
		SELECT case_id, min(received_on) AS first FROM payments WHERE creditor_id = ? AND reversed_at IS NULL GROUP BY case_id) f
		WHERE (?::date IS NULL OR f.first > ?::date) AND f.first <= ?`, creditorID, since, since, upTo).Scan(&n).Error
	return n, dbErr(err, whatRun)
}
