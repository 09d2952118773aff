package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const (
	whatStrategy = "Stratégie"
	whatCallTask = "Tâche d'appel"
)

type strategyRow struct {
	ID                    uuid.UUID
	Name                  string
	Description           string
	Steps                 jsonCol[[]recouvra.StrategyStep] `gorm:"type:jsonb"`
	PauseAfterPaymentDays int
	Version               int
	CreatedAt             time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt             time.Time `gorm:"autoUpdateTime:false"`
}

func (strategyRow) TableName() string { return "strategies" }

func (s strategyRow) domain() recouvra.Strategy {
	return recouvra.Strategy{ID: s.ID, Name: s.Name, Description: s.Description, Steps: s.Steps.V, PauseAfterPaymentDays: s.PauseAfterPaymentDays,
		Version: s.Version, CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
}

func strategyRowOf(st *recouvra.Strategy) strategyRow {
	return strategyRow{ID: st.ID, Name: st.Name, Description: st.Description, Steps: jsonCol[[]recouvra.StrategyStep]{V: st.Steps},
		PauseAfterPaymentDays: st.PauseAfterPaymentDays, Version: st.Version, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt}
}

func (r repo) InsertStrategy(ctx context.Context, st *recouvra.Strategy) error {
	row := strategyRowOf(st)
	return dbErr(r.q(ctx).Create(&row).Error, whatStrategy)
}

func (r repo) UpdateStrategy(ctx context.Context, st *recouvra.Strategy, expected int) error {
	st.Version = expected + 1
	row := strategyRowOf(st)
	res := r.q(ctx).Model(&strategyRow{}).Where("id = ? AND version = ?", st.ID, expected).
		Select("name", "description", "steps", "pause_after_payment_days", "version", "updated_at").Updates(&row)
	if res.Error != nil {
		return dbErr(res.Error, whatStrategy)
	}
	if res.RowsAffected == 0 {
		return recouvra.Errorf(recouvra.ECodePrecondition, "La stratégie a été modifiée entre-temps : rechargez-la.")
	}
	return nil
}

func (r repo) StrategyByID(ctx context.Context, id uuid.UUID) (recouvra.Strategy, error) {
	var row strategyRow
	if err := r.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.Strategy{}, dbErr(err, whatStrategy)
	}
	return row.domain(), nil
}

func (r repo) StrategyByName(ctx context.Context, name string) (recouvra.Strategy, error) {
	var row strategyRow
	if err := r.q(ctx).Where("name = ?", name).Take(&row).Error; err != nil {
		return recouvra.Strategy{}, dbErr(err, whatStrategy)
	}
	return row.domain(), nil
}

func (r repo) ListStrategies(ctx context.Context) ([]recouvra.Strategy, error) {
	var rows []strategyRow
	if err := r.q(ctx).Order("name, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	return domains(rows), nil
}

func (r repo) DeleteStrategy(ctx context.Context, id uuid.UUID) error {
	return dbErr(r.q(ctx).Exec("DELETE FROM strategies WHERE id = ?", id).Error, whatStrategy)
}

// StrategyUse counts the open cases on the strategy and its mandates; a
// strategy whose claims still exist is in use too (its history), and so is
// an arm of an experiment (its record), counted with the mandates.
func (r repo) StrategyUse(ctx context.Context, id uuid.UUID) (cases, mandates int64, err error) {
	var row struct{ Cases, Mandates int64 }
	err = r.q(ctx).Raw(`SELECT
		(SELECT count(*) FROM case_strategies WHERE strategy_id = @id) + (SELECT count(*) FROM strategy_step_runs WHERE strategy_id = @id) AS cases,
		(SELECT count(*) FROM strategy_mandates WHERE strategy_id = @id) + (SELECT count(*) FROM strategy_experiment_arms WHERE strategy_id = @id) AS mandates`, map[string]any{"id": id}).Scan(&row).Error
	return row.Cases, row.Mandates, dbErr(err, whatStrategy)
}

func (r repo) SetMandateStrategy(ctx context.Context, creditorID, strategyID uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Exec(`INSERT INTO strategy_mandates (creditor_id, strategy_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (creditor_id) DO UPDATE SET strategy_id = EXCLUDED.strategy_id, updated_at = EXCLUDED.updated_at`, creditorID, strategyID, at).Error, whatStrategy)
}

func (r repo) MandateStrategy(ctx context.Context, creditorID uuid.UUID) (*uuid.UUID, error) {
	var ids []uuid.UUID
	if err := r.q(ctx).Raw("SELECT strategy_id FROM strategy_mandates WHERE creditor_id = ?", creditorID).Scan(&ids).Error; err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}

type caseStrategyRow struct {
	CaseID        uuid.UUID `gorm:"primaryKey"`
	CreditorID    uuid.UUID
	StrategyID    uuid.UUID
	Position      int
	LastStep      *int
	LastStepOn    recouvra.Date
	NextDueOn     recouvra.Date
	WaitingTaskID *uuid.UUID
	AssignedOn    recouvra.Date
	Planned       bool
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
}

func (caseStrategyRow) TableName() string { return "case_strategies" }

func (s caseStrategyRow) domain() recouvra.CaseStrategyState {
	return recouvra.CaseStrategyState{CaseID: s.CaseID, CreditorID: s.CreditorID, StrategyID: s.StrategyID, Position: s.Position, LastStep: s.LastStep,
		LastStepOn: s.LastStepOn, NextDueOn: s.NextDueOn, WaitingTaskID: s.WaitingTaskID, AssignedOn: s.AssignedOn, UpdatedAt: s.UpdatedAt.UTC()}
}

func (r repo) CaseStrategy(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID, lock app.RowLock) (recouvra.CaseStrategyState, error) {
	var row caseStrategyRow
	q := scoped(r.q(ctx), scope, "creditor_id").Where("case_id = ?", caseID)
	if lock == app.ForUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return recouvra.CaseStrategyState{}, dbErr(err, whatStrategy)
	}
	return row.domain(), nil
}

func (r repo) PutCaseStrategy(ctx context.Context, st *recouvra.CaseStrategyState, planned bool) error {
	st.UpdatedAt = time.Now().UTC()
	row := caseStrategyRow{CaseID: st.CaseID, CreditorID: st.CreditorID, StrategyID: st.StrategyID, Position: st.Position, LastStep: st.LastStep,
		LastStepOn: st.LastStepOn, NextDueOn: st.NextDueOn, WaitingTaskID: st.WaitingTaskID, AssignedOn: st.AssignedOn, Planned: planned, UpdatedAt: st.UpdatedAt}
	return dbErr(r.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "case_id"}}, UpdateAll: true}).Create(&row).Error, whatStrategy)
}

// EnrollCases: one INSERT … SELECT over the open cases of mandates with a
// default strategy that follow none yet.
func (r repo) EnrollCases(ctx context.Context, on recouvra.Date, limit int) (int64, error) {
	res := r.q(ctx).Exec(`INSERT INTO case_strategies (case_id, creditor_id, strategy_id, assigned_on, planned)
		SELECT c.id, c.creditor_id, m.strategy_id, @on, false
		FROM cases c JOIN strategy_mandates m ON m.creditor_id = c.creditor_id
		WHERE c.stage IN ('amicable', 'formal_notice')
		  AND NOT EXISTS (SELECT 1 FROM case_strategies cs WHERE cs.case_id = c.id)
		  AND NOT EXISTS (SELECT 1 FROM strategy_experiments e WHERE e.creditor_id = c.creditor_id AND e.stopped_at IS NULL) -- drawn by EnrollExperimentCases
		ORDER BY c.id LIMIT @limit
		ON CONFLICT (case_id) DO NOTHING`, map[string]any{"on": on, "limit": limit})
	return res.RowsAffected, dbErr(res.Error, whatStrategy)
}

func (r repo) UnplannedCases(ctx context.Context, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw("SELECT case_id FROM case_strategies WHERE NOT planned ORDER BY case_id LIMIT ?", limit).Scan(&ids).Error
	return ids, dbErr(err, whatStrategy)
}

func (r repo) LastPaymentOn(ctx context.Context, caseID uuid.UUID) (recouvra.Date, error) {
	var d []recouvra.Date
	err := r.q(ctx).Raw("SELECT max(received_on) FROM payments WHERE case_id = ? AND reversed_at IS NULL HAVING max(received_on) IS NOT NULL", caseID).Scan(&d).Error
	if err != nil || len(d) == 0 {
		return recouvra.Date{}, dbErr(err, "Paiement")
	}
	return d[0], nil
}

func (r repo) InsertStrategyPass(ctx context.Context, p *app.StrategyPass) error {
	return dbErr(r.q(ctx).Exec(`INSERT INTO strategy_passes (id, run_on, started_at, enrolled) VALUES (?, ?, ?, ?)`,
		p.ID, p.RunOn, p.StartedAt, p.Enrolled).Error, whatStrategy)
}

func (r repo) FinishStrategyPass(ctx context.Context, p app.StrategyPass) error {
	return dbErr(r.q(ctx).Exec(`UPDATE strategy_passes SET finished_at = ?, claimed = ? WHERE id = ?`, p.FinishedAt, p.Claimed, p.ID).Error, whatStrategy)
}

// dueSteps selects the (case, step) pairs due on @today whose strategy is
// not paused: the same rules as recouvra.PauseReasons, in SQL, over the
// partial index of planned due states — never a walk over every case.
const dueSteps = `
	SELECT cs.case_id, cs.creditor_id, cs.strategy_id, cs.position AS step_index, cs.next_due_on AS due_on,
	       coalesce(s.steps -> cs.position ->> 'channel', '') AS channel
	FROM case_strategies cs
	JOIN cases c ON c.id = cs.case_id
	JOIN debtors d ON d.id = c.debtor_id
	JOIN strategies s ON s.id = cs.strategy_id
	WHERE cs.next_due_on <= @today AND cs.waiting_task_id IS NULL AND cs.planned
	  AND cs.position < jsonb_array_length(s.steps)
	  AND c.stage IN ('amicable', 'formal_notice')
	  AND NOT c.open_dispute AND c.promise_due_on IS NULL AND c.running_plan_id IS NULL AND NOT c.withdrawal_requested
	  AND d.insolvency_proceedings IS NULL
	  AND NOT (s.pause_after_payment_days > 0 AND EXISTS (
	      SELECT 1 FROM payments p WHERE p.case_id = c.id AND p.reversed_at IS NULL
	        AND p.received_on >= CAST(@today AS date) - s.pause_after_payment_days))`

type stepRunRow struct {
	ID            uuid.UUID
	CaseID        uuid.UUID
	CreditorID    uuid.UUID
	StrategyID    uuid.UUID
	StepIndex     int
	PassID        uuid.UUID
	DueOn         recouvra.Date
	Channel       string
	ActedChannel  string
	State         string
	Attempts      int
	Reason        string
	NextAttemptAt *time.Time
	ClaimedAt     time.Time `gorm:"autoCreateTime:false"`
	FinishedAt    *time.Time
}

func (stepRunRow) TableName() string { return "strategy_step_runs" }

func (s stepRunRow) domain() app.StepRun {
	return app.StepRun{ID: s.ID, CaseID: s.CaseID, CreditorID: s.CreditorID, StrategyID: s.StrategyID, StepIndex: s.StepIndex, PassID: s.PassID,
		DueOn: s.DueOn, Channel: s.Channel, ActedChannel: s.ActedChannel, State: s.State, Attempts: s.Attempts, Reason: s.Reason,
		NextAttemptAt: s.NextAttemptAt, ClaimedAt: s.ClaimedAt.UTC(), FinishedAt: s.FinishedAt}
}

// ClaimDueSteps: the selection and the claim in ONE statement. The unique
// (case_id, strategy_id, step_index) turns a pair another engine claimed,
// or that ran before, into nothing (ON CONFLICT DO NOTHING); RETURNING
// gives only the rows this statement inserted. Pairs that already have a
// run (a failed step waiting for its retry, another engine's claim) are
// left out BEFORE the limit: otherwise a head of limit such pairs would
// fill every pass and the due steps behind them would never be claimed.
func (r repo) ClaimDueSteps(ctx context.Context, pass uuid.UUID, today recouvra.Date, now time.Time, limit int) ([]app.StepRun, error) {
	var rows []stepRunRow
	err := r.q(ctx).Raw(`WITH due AS (`+dueSteps+`
		  AND NOT EXISTS (SELECT 1 FROM strategy_step_runs sr
		      WHERE sr.case_id = cs.case_id AND sr.strategy_id = cs.strategy_id AND sr.step_index = cs.position)
		ORDER BY cs.next_due_on, cs.case_id LIMIT @limit)
		INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, claimed_at)
		SELECT case_id, creditor_id, strategy_id, step_index, @pass, due_on, channel, 'claimed', @now FROM due
		ON CONFLICT (case_id, strategy_id, step_index) DO NOTHING
		RETURNING *`, map[string]any{"today": today, "limit": limit, "pass": pass, "now": now}).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	return domains(rows), nil
}

// ReclaimSteps: failed claims whose retry time has come, and claims whose
// engine stopped (older than stale and not locked by a running step).
func (r repo) ReclaimSteps(ctx context.Context, pass uuid.UUID, now, stale time.Time, limit int) ([]app.StepRun, error) {
	var rows []stepRunRow
	err := r.q(ctx).Raw(`UPDATE strategy_step_runs SET pass_id = @pass, state = 'claimed', claimed_at = @now
		WHERE id IN (SELECT id FROM strategy_step_runs
			WHERE (state = 'failed' AND next_attempt_at <= @now) OR (state = 'claimed' AND claimed_at < @stale)
			ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED)
		RETURNING *`, map[string]any{"pass": pass, "now": now, "stale": stale, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	return domains(rows), nil
}

func (r repo) StepRunByID(ctx context.Context, id uuid.UUID, lock app.RowLock) (app.StepRun, error) {
	var row stepRunRow
	q := r.q(ctx).Where("id = ?", id)
	if lock == app.ForUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&row).Error; err != nil {
		return app.StepRun{}, dbErr(err, whatStrategy)
	}
	return row.domain(), nil
}

func (r repo) UpdateStepRun(ctx context.Context, run *app.StepRun) error {
	return dbErr(r.q(ctx).Exec(`UPDATE strategy_step_runs SET state = ?, attempts = ?, reason = ?, next_attempt_at = ?, finished_at = ?, acted_channel = ?
		WHERE id = ?`, run.State, run.Attempts, run.Reason, run.NextAttemptAt, run.FinishedAt, run.ActedChannel, run.ID).Error, whatStrategy)
}

func (r repo) ReleaseStepRun(ctx context.Context, id uuid.UUID) error {
	return dbErr(r.q(ctx).Exec("DELETE FROM strategy_step_runs WHERE id = ?", id).Error, whatStrategy)
}

func (r repo) DueSteps(ctx context.Context, today recouvra.Date, limit int) (app.DuePreview, error) {
	var out app.DuePreview
	args := map[string]any{"today": today, "limit": limit}
	var counts []struct {
		Channel string
		Count   int64
	}
	if err := r.q(ctx).Raw(`SELECT channel, count(*) AS count FROM (`+dueSteps+`) due GROUP BY channel ORDER BY channel`, args).Scan(&counts).Error; err != nil {
		return out, dbErr(err, whatStrategy)
	}
	for _, c := range counts {
		out.Total += c.Count
		out.ByChannel = append(out.ByChannel, app.ChannelCount{Channel: c.Channel, Count: c.Count})
	}
	var sample []struct {
		CaseID        uuid.UUID
		CaseReference string
		StrategyID    uuid.UUID
		StrategyName  string
		StepIndex     int
		StepName      string
		Channel       string
		DueOn         recouvra.Date
	}
	err := r.q(ctx).Raw(`SELECT due.case_id, c.reference AS case_reference, due.strategy_id, s.name AS strategy_name, due.step_index,
			coalesce(s.steps -> due.step_index ->> 'name', '') AS step_name, due.channel, due.due_on
		FROM (`+dueSteps+` ORDER BY cs.next_due_on, cs.case_id LIMIT @limit) due
		JOIN cases c ON c.id = due.case_id JOIN strategies s ON s.id = due.strategy_id
		ORDER BY due.due_on, due.case_id`, args).Scan(&sample).Error
	if err != nil {
		return out, dbErr(err, whatStrategy)
	}
	for _, s := range sample {
		out.Sample = append(out.Sample, app.DueStep(s))
	}
	return out, nil
}

func (r repo) ListStrategyPasses(ctx context.Context, limit int) ([]app.StrategyPassSummary, error) {
	var passes []struct {
		ID         uuid.UUID
		RunOn      recouvra.Date
		StartedAt  time.Time
		FinishedAt *time.Time
		Enrolled   int
		Claimed    int
	}
	if err := r.q(ctx).Raw(`SELECT id, run_on, started_at, finished_at, enrolled, claimed FROM strategy_passes ORDER BY started_at DESC, id DESC LIMIT ?`, limit).
		Scan(&passes).Error; err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	out := make([]app.StrategyPassSummary, len(passes))
	ids := make([]uuid.UUID, len(passes))
	at := map[uuid.UUID]int{}
	for i, p := range passes {
		out[i].StrategyPass = app.StrategyPass{ID: p.ID, RunOn: p.RunOn, StartedAt: p.StartedAt.UTC(), FinishedAt: p.FinishedAt, Enrolled: p.Enrolled, Claimed: p.Claimed}
		ids[i], at[p.ID] = p.ID, i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var counts []struct {
		PassID  uuid.UUID
		Channel string
		State   string
		Count   int64
	}
	if err := r.q(ctx).Raw(`SELECT pass_id, CASE WHEN acted_channel <> '' THEN acted_channel ELSE channel END AS channel, state, count(*) AS count
		FROM strategy_step_runs WHERE pass_id IN ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, ids).Scan(&counts).Error; err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	for _, c := range counts {
		i := at[c.PassID]
		out[i].Counts = append(out[i].Counts, app.ChannelCount{Channel: c.Channel, State: c.State, Count: c.Count})
	}
	var failed []stepRunRow
	if err := r.q(ctx).Where("pass_id IN ? AND state IN ('failed', 'abandoned')", ids).Order("id").Limit(1000).Find(&failed).Error; err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	for _, f := range failed {
		i := at[f.PassID]
		out[i].Failures = append(out[i].Failures, f.domain())
	}
	return out, nil
}

// LeastBusyLawyer is the active lawyer with the fewest open cases.
func (r repo) LeastBusyLawyer(ctx context.Context) (*uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`SELECT u.id FROM users u
		WHERE u.role = 'lawyer' AND u.active
		ORDER BY (SELECT count(*) FROM cases c WHERE c.assigned_lawyer_id = u.id AND c.stage <> 'closed'), u.id LIMIT 1`).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return nil, dbErr(err, "Utilisateur")
	}
	return &ids[0], nil
}

type callTaskRow struct {
	ID          uuid.UUID
	CaseID      uuid.UUID
	CreditorID  uuid.UUID
	StepRunID   *uuid.UUID
	DueAt       time.Time
	Script      string
	State       string
	Outcome     string
	CompletedBy *uuid.UUID
	CompletedAt *time.Time
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

func (callTaskRow) TableName() string { return "call_tasks" }

func (t callTaskRow) domain() recouvra.CallTask {
	return recouvra.CallTask{ID: t.ID, CaseID: t.CaseID, CreditorID: t.CreditorID, DueAt: t.DueAt.UTC(), Script: t.Script, State: recouvra.CallTaskState(t.State),
		Outcome: t.Outcome, CompletedBy: t.CompletedBy, CompletedAt: t.CompletedAt, CreatedAt: t.CreatedAt.UTC()}
}

func (r repo) InsertCallTask(ctx context.Context, t *recouvra.CallTask) error {
	row := callTaskRow{ID: t.ID, CaseID: t.CaseID, CreditorID: t.CreditorID, DueAt: t.DueAt, Script: t.Script, State: string(t.State), CreatedAt: t.CreatedAt}
	return dbErr(r.q(ctx).Create(&row).Error, whatCallTask)
}

func (r repo) CallTaskByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.CallTask, error) {
	var row callTaskRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatCallTask); err != nil {
		return recouvra.CallTask{}, err
	}
	return row.domain(), nil
}

func (r repo) UpdateCallTask(ctx context.Context, t *recouvra.CallTask) error {
	return dbErr(r.q(ctx).Exec(`UPDATE call_tasks SET state = ?, outcome = ?, completed_by = ?, completed_at = ? WHERE id = ?`,
		string(t.State), t.Outcome, t.CompletedBy, t.CompletedAt, t.ID).Error, whatCallTask)
}

func (r repo) OpenCallTasks(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]recouvra.CallTask, error) {
	out := map[uuid.UUID]recouvra.CallTask{}
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return out, openCallTasksDirect(ctx, q, ids, out)
	}
	var rows []callTaskRow
	if err := r.q(ctx).Raw(`SELECT DISTINCT ON (case_id) * FROM call_tasks WHERE case_id IN ? AND state = 'open' ORDER BY case_id, due_at, id`, ids).
		Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatCallTask)
	}
	for _, row := range rows {
		out[row.CaseID] = row.domain()
	}
	return out, nil
}
