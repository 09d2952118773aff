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

const (
	whatRate    = "Taux"
	whatPayment = "Paiement"
)

type rateRow struct {
	Kind        string        `gorm:"primaryKey"`
	PeriodStart recouvra.Date `gorm:"primaryKey"`
	Value       int64
	Source      string
	UpdatedBy   *uuid.UUID
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"`
}

func (rateRow) TableName() string { return "rates" }

func (r rateRow) domain() recouvra.Rate {
	return recouvra.Rate{Kind: recouvra.RateKind(r.Kind), PeriodStart: r.PeriodStart, Value: r.Value, Source: r.Source}
}

// SeedRates inserts the shipped rows that are missing; rows already there
// (possibly corrected by an admin) are left alone.
func (r repo) SeedRates(ctx context.Context, rates []recouvra.Rate, at time.Time) (int64, error) {
	if len(rates) == 0 {
		return 0, nil
	}
	rows := make([]rateRow, len(rates))
	for i, x := range rates {
		rows[i] = rateRow{Kind: string(x.Kind), PeriodStart: x.PeriodStart, Value: x.Value, Source: x.Source, UpdatedAt: at}
	}
	res := r.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
	return res.RowsAffected, dbErr(res.Error, whatRate)
}

func (r repo) ListRates(ctx context.Context) ([]recouvra.Rate, error) {
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return ratesDirect(ctx, q)
	}
	var rows []rateRow
	if err := r.q(ctx).Order("kind, period_start").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatRate)
	}
	return domains(rows), nil
}

// PutRate adds or corrects a row and returns the one it replaced, if any.
func (r repo) PutRate(ctx context.Context, rate recouvra.Rate, by *uuid.UUID, at time.Time) (*recouvra.Rate, error) {
	var old []rateRow
	if err := r.q(ctx).Where("kind = ? AND period_start = ?", rate.Kind, rate.PeriodStart).Clauses(clause.Locking{Strength: "UPDATE"}).Find(&old).Error; err != nil {
		return nil, dbErr(err, whatRate)
	}
	row := rateRow{Kind: string(rate.Kind), PeriodStart: rate.PeriodStart, Value: rate.Value, Source: rate.Source, UpdatedBy: by, UpdatedAt: at}
	err := r.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "kind"}, {Name: "period_start"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "source", "updated_by", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return nil, dbErr(err, whatRate)
	}
	if len(old) == 0 {
		return nil, nil
	}
	prev := old[0].domain()
	return &prev, nil
}

type paymentRow struct {
	ID             uuid.UUID
	CaseID         uuid.UUID
	CreditorID     uuid.UUID
	AmountCents    int64
	Currency       string
	ReceivedOn     recouvra.Date
	Method         string
	PayerReference string
	ClaimID        *uuid.UUID
	ReceiptNumber  string
	RecordedBy     *uuid.UUID
	ReversedAt     *time.Time
	ReversalReason string
	ReversedBy     *uuid.UUID
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

func (paymentRow) TableName() string { return "payments" }

func (p paymentRow) domain() recouvra.Payment {
	return recouvra.Payment{ID: p.ID, CaseID: p.CaseID, AmountCents: p.AmountCents, Currency: strings.TrimSpace(p.Currency), ReceivedOn: p.ReceivedOn,
		Method: recouvra.PaymentMethod(p.Method), PayerReference: p.PayerReference, ClaimID: p.ClaimID, ReceiptNumber: p.ReceiptNumber,
		ReversedAt: utcPtr(p.ReversedAt), ReversalReason: p.ReversalReason, CreatedAt: p.CreatedAt.UTC()}
}

// ledgerColumns spreads entries into the arrays unnest reads.
func ledgerColumns(entries []recouvra.LedgerEntry) (accounts []string, creditors []*string, amounts []int64) {
	for _, e := range entries {
		accounts = append(accounts, string(e.Account))
		var c *string
		if e.CreditorID != nil {
			s := e.CreditorID.String()
			c = &s
		}
		creditors = append(creditors, c)
		amounts = append(amounts, e.AmountCents)
	}
	return accounts, creditors, amounts
}

func (r repo) PaymentsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Payment, error) {
	if q := r.direct(ctx, scope); q != nil {
		return paymentsOfCaseDirect(ctx, q, scope, caseID)
	}
	var rows []paymentRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("case_id = ?", caseID).Order("received_on, created_at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatPayment)
	}
	return domains(rows), nil
}

func (r repo) PaymentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Payment, error) {
	var row paymentRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.Payment{}, dbErr(err, whatPayment)
	}
	return row.domain(), nil
}

// ReversePayment marks a payment reversed and, in the same statement,
// posts the opposite of its ledger posting on the day of the reversal.
func (r repo) ReversePayment(ctx context.Context, id uuid.UUID, at time.Time, reason string, by *uuid.UUID) error {
	var n int64
	err := r.q(ctx).Raw(`WITH u AS (
		UPDATE payments SET reversed_at = ?, reversal_reason = ?, reversed_by = ? WHERE id = ? AND reversed_at IS NULL RETURNING id),
	l AS (INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
		SELECT ?, 'payment_reversal', e.account, e.creditor_id, -e.amount_cents, e.currency, ?, e.payment_id
		  FROM ledger_entries e JOIN u ON u.id = e.payment_id WHERE e.kind = 'payment')
	SELECT count(*) FROM u`, at, reason, by, id, recouvra.PaymentTxnID(id, recouvra.TxnPaymentReversal), recouvra.DateOf(at)).Scan(&n).Error
	if err != nil {
		return dbErr(err, whatPayment)
	}
	if n == 0 {
		return recouvra.Errorf(recouvra.ECodeConflict, "Ce paiement est déjà contrepassé.")
	}
	return nil
}

// idempotencyTTL is how long keys are kept: at least the 24 hours clients
// are promised, and then some.
const idempotencyTTL = 48 * time.Hour

type idempotencyRow struct {
	Principal   string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash []byte
	State       string
	Status      *int
	ContentType *string
	Response    []byte
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// PaymentsOfCreditor lists the payments received for a creditor's cases in
// [from, to], reversed ones left out, with their case and debtor, and
// whether each is its case's first payment.
func (r repo) PaymentsOfCreditor(ctx context.Context, creditorID uuid.UUID, from, to recouvra.Date) ([]app.CreditorPayment, error) {
	var rows []struct {
		Payment       paymentRow `gorm:"embedded"` // an exported field: gorm skips unexported embedded ones
		CaseReference string
		DebtorName    string
		FirstOfCase   bool
	}
	err := r.q(ctx).Raw(`
		SELECT p.*, c.reference AS case_reference, d.name AS debtor_name,
		       NOT EXISTS (SELECT 1 FROM payments e WHERE e.case_id = p.case_id AND e.reversed_at IS NULL
		                   AND (e.received_on, e.created_at) < (p.received_on, p.created_at)) AS first_of_case
		FROM payments p JOIN cases c ON c.id = p.case_id JOIN debtors d ON d.id = c.debtor_id
		WHERE p.creditor_id = ? AND p.reversed_at IS NULL AND p.received_on BETWEEN ? AND ?
		ORDER BY p.received_on, p.created_at`, creditorID, from, to).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatPayment)
	}
	out := make([]app.CreditorPayment, len(rows))
	for i, row := range rows {
		out[i] = app.CreditorPayment{Payment: row.Payment.domain(), CaseReference: row.CaseReference, DebtorName: row.DebtorName, FirstOfCase: row.FirstOfCase}
	}
	return out, nil
}
