package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatPlan = "Échéancier"

type deviationDoc struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type planRow struct {
	ID                 uuid.UUID
	CaseID             uuid.UUID
	CreditorID         uuid.UUID
	Origin             string
	Status             string
	Currency           string
	TotalCents         int64
	InterestFrozen     bool
	GraceDays          int
	MissesBeforeBroken int
	MadeOn             recouvra.Date
	RunningFrom        recouvra.Date
	Deviations         jsonCol[[]deviationDoc]
	Court              string
	CourtDecisionOn    recouvra.Date
	ResumesPlanID      *uuid.UUID
	DecisionReason     string
	DecidedOn          recouvra.Date
	SignedOn           recouvra.Date
	CreatedBy          *uuid.UUID
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
}

func (planRow) TableName() string { return "plans" }

type instalmentRow struct {
	PlanID      uuid.UUID
	Seq         int
	CreditorID  uuid.UUID
	DueOn       recouvra.Date
	AmountCents int64
	PaidCents   int64
	Status      string
}

func (instalmentRow) TableName() string { return "plan_instalments" }

func (p planRow) domain() recouvra.Plan {
	out := recouvra.Plan{ID: p.ID, CaseID: p.CaseID, CreditorID: p.CreditorID, Origin: recouvra.PlanOrigin(p.Origin), Status: recouvra.PlanStatus(p.Status),
		Currency: strings.TrimSpace(p.Currency), TotalCents: p.TotalCents, InterestFrozen: p.InterestFrozen, GraceDays: p.GraceDays,
		MissesBeforeBroken: p.MissesBeforeBroken, MadeOn: p.MadeOn, RunningFrom: p.RunningFrom, Court: p.Court, CourtDecisionOn: p.CourtDecisionOn,
		ResumesPlanID: p.ResumesPlanID, DecisionReason: p.DecisionReason, DecidedOn: p.DecidedOn, SignedOn: p.SignedOn, CreatedAt: p.CreatedAt.UTC()}
	for _, d := range p.Deviations.V {
		out.Deviations = append(out.Deviations, recouvra.FieldError{Field: d.Field, Code: d.Code, Message: d.Message})
	}
	return out
}

func (r repo) InsertPlan(ctx context.Context, p *recouvra.Plan, by *uuid.UUID) error {
	devs := make([]deviationDoc, len(p.Deviations))
	for i, d := range p.Deviations {
		devs[i] = deviationDoc{d.Field, d.Code, d.Message}
	}
	row := planRow{ID: p.ID, CaseID: p.CaseID, CreditorID: p.CreditorID, Origin: string(p.Origin), Status: string(p.Status), Currency: p.Currency,
		TotalCents: p.TotalCents, InterestFrozen: p.InterestFrozen, GraceDays: p.GraceDays, MissesBeforeBroken: p.MissesBeforeBroken,
		MadeOn: p.MadeOn, RunningFrom: p.RunningFrom, Deviations: jsonCol[[]deviationDoc]{devs}, Court: p.Court, CourtDecisionOn: p.CourtDecisionOn,
		ResumesPlanID: p.ResumesPlanID, DecisionReason: p.DecisionReason, DecidedOn: p.DecidedOn, SignedOn: p.SignedOn,
		CreatedBy: by, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
	db := r.q(ctx)
	if err := db.Create(&row).Error; err != nil {
		return dbErr(err, whatPlan)
	}
	rows := make([]instalmentRow, len(p.Instalments))
	for i, in := range p.Instalments {
		rows[i] = instalmentRow{PlanID: p.ID, Seq: in.Seq, CreditorID: p.CreditorID, DueOn: in.DueOn, AmountCents: in.AmountCents,
			PaidCents: in.PaidCents, Status: string(in.Status)}
	}
	return dbErr(db.Create(&rows).Error, whatPlan)
}

// plansWith reads plans and their instalments (one query each).
func (r repo) plansWith(ctx context.Context, scope recouvra.Scope, where string, args ...any) ([]recouvra.Plan, error) {
	var rows []planRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where(where, args...).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatPlan)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	var ins []instalmentRow
	if err := r.q(ctx).Where("plan_id IN ?", ids).Order("plan_id, seq").Find(&ins).Error; err != nil {
		return nil, dbErr(err, whatPlan)
	}
	by := map[uuid.UUID][]recouvra.Instalment{}
	for _, in := range ins {
		by[in.PlanID] = append(by[in.PlanID], recouvra.Instalment{Seq: in.Seq, DueOn: in.DueOn, AmountCents: in.AmountCents,
			PaidCents: in.PaidCents, Status: recouvra.InstalmentStatus(in.Status)})
	}
	out := make([]recouvra.Plan, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
		out[i].Instalments = by[row.ID]
	}
	return out, nil
}

func (r repo) PlanByID(ctx context.Context, scope recouvra.Scope, planID uuid.UUID) (recouvra.Plan, error) {
	plans, err := r.plansWith(ctx, scope, "id = ?", planID)
	if err != nil {
		return recouvra.Plan{}, err
	}
	if len(plans) == 0 {
		return recouvra.Plan{}, recouvra.Errorf(recouvra.ECodeNotFound, "%s introuvable.", whatPlan)
	}
	return plans[0], nil
}

func (r repo) PlansOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Plan, error) {
	return r.plansWith(ctx, scope, "case_id = ?", caseID)
}

// UpdatePlan writes the plan's row, then its instalments in one statement.
func (r repo) UpdatePlan(ctx context.Context, p recouvra.Plan, at time.Time) error {
	db := r.q(ctx)
	if err := db.Model(&planRow{}).Where("id = ?", p.ID).Updates(map[string]any{"status": string(p.Status),
		"decision_reason": p.DecisionReason, "decided_on": p.DecidedOn, "signed_on": p.SignedOn, "running_from": p.RunningFrom, "updated_at": at}).Error; err != nil {
		return dbErr(err, whatPlan)
	}
	if len(p.Instalments) == 0 {
		return nil
	}
	values := make([]string, len(p.Instalments))
	args := []any{}
	for i, in := range p.Instalments {
		values[i] = "(?::integer, ?::bigint, ?::text)"
		args = append(args, in.Seq, in.PaidCents, string(in.Status))
	}
	args = append(args, p.ID)
	sql := fmt.Sprintf(`UPDATE plan_instalments i SET paid_cents = v.paid, status = v.status
		FROM (VALUES %s) AS v(seq, paid, status)
		WHERE i.seq = v.seq AND i.plan_id = ? AND (i.paid_cents, i.status) IS DISTINCT FROM (v.paid, v.status)`, strings.Join(values, ", "))
	return dbErr(db.Exec(sql, args...).Error, whatPlan)
}

// CasesWithPlanInstalmentsPast reads the open instalments by due date
// (plan_instalments_open_by_due): those past their plan's grace, on a kept
// plan.
func (r repo) CasesWithPlanInstalmentsPast(ctx context.Context, today recouvra.Date, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`SELECT case_id FROM (
		SELECT p.case_id, min(i.due_on) AS due FROM plan_instalments i JOIN plans p ON p.id = i.plan_id
		WHERE i.status IN ('due', 'late') AND i.due_on < ? AND p.status = 'kept' AND i.due_on + p.grace_days < ?
		GROUP BY p.case_id
	) d ORDER BY due, case_id LIMIT ?`, today, today, limit).Scan(&ids).Error
	return ids, dbErr(err, whatPlan)
}
