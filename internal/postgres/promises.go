package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatPromise = "Promesse"

type promiseRow struct {
	ID          uuid.UUID
	CaseID      uuid.UUID
	CreditorID  uuid.UUID
	AmountCents int64
	Currency    string
	MadeOn      recouvra.Date
	DueOn       recouvra.Date
	Status      string
	DecidedOn   recouvra.Date
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"`
}

func (promiseRow) TableName() string { return "promises" }

func (p promiseRow) domain() recouvra.Promise {
	return recouvra.Promise{ID: p.ID, CaseID: p.CaseID, CreditorID: p.CreditorID, AmountCents: p.AmountCents, Currency: strings.TrimSpace(p.Currency),
		MadeOn: p.MadeOn, DueOn: p.DueOn, Status: recouvra.PromiseStatus(p.Status), DecidedOn: p.DecidedOn, CreatedAt: p.CreatedAt.UTC()}
}

func (r repo) InsertPromise(ctx context.Context, p *recouvra.Promise) error {
	row := promiseRow{ID: p.ID, CaseID: p.CaseID, CreditorID: p.CreditorID, AmountCents: p.AmountCents, Currency: p.Currency,
		MadeOn: p.MadeOn, DueOn: p.DueOn, Status: string(p.Status), DecidedOn: p.DecidedOn, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
	return dbErr(r.q(ctx).Create(&row).Error, whatPromise)
}

func (r repo) PromisesOfCase(ctx context.Context, caseID uuid.UUID) ([]recouvra.Promise, error) {
	var rows []promiseRow
	if err := r.q(ctx).Where("case_id = ?", caseID).Order("made_on, created_at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatPromise)
	}
	return domains(rows), nil
}

func (r repo) SetPromiseStatus(ctx context.Context, p recouvra.Promise, at time.Time) error {
	return dbErr(r.q(ctx).Model(&promiseRow{}).Where("id = ?", p.ID).
		Updates(map[string]any{"status": string(p.Status), "decided_on": p.DecidedOn, "updated_at": at}).Error, whatPromise)
}

func (r repo) ReplacePendingPromises(ctx context.Context, caseID uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Model(&promiseRow{}).Where("case_id = ? AND status = 'pending'", caseID).
		Updates(map[string]any{"status": string(recouvra.PromiseReplaced), "updated_at": at}).Error, whatPromise)
}

// CasesWithPromisesDueBefore reads the partial index of pending promises
// by due date (promises_pending_by_due): the cases to judge, never a walk
// over every case.
func (r repo) CasesWithPromisesDueBefore(ctx context.Context, day recouvra.Date, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`SELECT case_id FROM (
		SELECT case_id, min(due_on) AS due FROM promises WHERE status = 'pending' AND due_on < ? GROUP BY case_id
	) d ORDER BY due, case_id LIMIT ?`, day, limit).Scan(&ids).Error
	return ids, dbErr(err, whatPromise)
}

func (r repo) ForecastRows(ctx context.Context, scope recouvra.Scope, q app.ForecastQuery) (app.ForecastRows, error) {
	var out app.ForecastRows
	if scope.Denied() || scope.CreditorID != nil && *scope.CreditorID != q.CreditorID {
		return out, nil
	}
	db := r.q(ctx)
	args := map[string]any{"creditor": q.CreditorID, "currency": q.Currency, "today": q.Today, "grace": q.GraceDays,
		"last": q.Last, "from": q.ReceivedFrom, "until": q.ReceivedUntil}
	// Each pending promise still within its grace and due by the last day
	// forecast, less what the payments already counting towards it paid.
	if err := db.Raw(`SELECT p.due_on,
			CAST(greatest(p.amount_cents - coalesce(sum(pay.amount_cents), 0), 0) AS bigint) AS remaining_cents
		FROM promises p
		LEFT JOIN payments pay ON pay.case_id = p.case_id AND pay.reversed_at IS NULL
			AND pay.received_on >= p.made_on AND pay.received_on <= p.due_on + CAST(@grace AS integer)
		WHERE p.creditor_id = @creditor AND p.currency = @currency AND p.status = 'pending'
			AND p.due_on + CAST(@grace AS integer) >= @today AND p.due_on <= @last
		GROUP BY p.id, p.due_on, p.amount_cents`, args).Scan(&out.Pending).Error; err != nil {
		return out, dbErr(err, whatPromise)
	}
	// The unpaid instalments of the plans being kept, still within their
	// grace and due by the last day, weighted like promises (plans.go).
	var instalments []app.PendingPromise
	if err := db.Raw(`SELECT i.due_on, i.amount_cents - i.paid_cents AS remaining_cents
		FROM plan_instalments i JOIN plans p ON p.id = i.plan_id
		WHERE i.creditor_id = @creditor AND p.currency = @currency AND p.status = 'kept' AND i.status IN ('due', 'late')
			AND i.due_on + p.grace_days >= @today AND i.due_on <= @last`, args).Scan(&instalments).Error; err != nil {
		return out, dbErr(err, whatPlan)
	}
	out.Pending = append(out.Pending, instalments...)
	var judged struct{ Kept, Broken int64 }
	if err := db.Raw(`SELECT count(*) FILTER (WHERE status = 'kept') AS kept, count(*) FILTER (WHERE status = 'broken') AS broken
		FROM promises WHERE creditor_id = @creditor AND currency = @currency AND status IN ('kept', 'broken')`, args).Scan(&judged).Error; err != nil {
		return out, dbErr(err, whatPromise)
	}
	out.Kept, out.Broken = judged.Kept, judged.Broken
	if err := db.Raw(`SELECT CAST(date_trunc('week', received_on) AS date) AS week, CAST(sum(amount_cents) AS bigint) AS cents
		FROM payments WHERE creditor_id = @creditor AND currency = @currency AND reversed_at IS NULL
			AND received_on BETWEEN @from AND @until
		GROUP BY 1`, args).Scan(&out.Received).Error; err != nil {
		return out, dbErr(err, whatPayment)
	}
	return out, nil
}
