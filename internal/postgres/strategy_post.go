package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Letters by post and the nightly pass of the strategy engine (migration
// 00033; app/strategy_post.go, app/strategy_nightly.go).

const whatRunLetter = "Lettre du passage"

func (r repo) SetStepRunDocument(ctx context.Context, runID, documentID uuid.UUID) error {
	return dbErr(r.q(ctx).Exec("UPDATE strategy_step_runs SET document_id = ? WHERE id = ?", documentID, runID).Error, whatStrategy)
}

func (r repo) StrategyPassByID(ctx context.Context, id uuid.UUID) (app.StrategyPass, error) {
	var rows []struct {
		ID         uuid.UUID
		RunOn      recouvra.Date
		StartedAt  time.Time
		FinishedAt *time.Time
		Enrolled   int
		Claimed    int
	}
	if err := r.q(ctx).Raw("SELECT id, run_on, started_at, finished_at, enrolled, claimed FROM strategy_passes WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return app.StrategyPass{}, dbErr(err, "Passage")
	}
	if len(rows) == 0 {
		return app.StrategyPass{}, recouvra.Errorf(recouvra.ECodeNotFound, "Aucun passage du moteur ne porte cet identifiant.")
	}
	p := rows[0]
	return app.StrategyPass{ID: p.ID, RunOn: p.RunOn, StartedAt: p.StartedAt.UTC(), FinishedAt: p.FinishedAt, Enrolled: p.Enrolled, Claimed: p.Claimed}, nil
}

func (r repo) RunLetters(ctx context.Context, passID uuid.UUID) ([]app.RunLetter, error) {
	var rows []app.RunLetter
	err := r.q(ctx).Raw(`SELECT d.id AS document_id, c.id AS case_id, c.creditor_id, c.reference AS case_reference, d.kind, d.reference, d.sha256,
			deb.name AS debtor_name, coalesce(rl.number, '') AS number
		FROM strategy_step_runs sr
		JOIN documents d ON d.id = sr.document_id
		JOIN cases c ON c.id = sr.case_id
		JOIN debtors deb ON deb.id = c.debtor_id
		LEFT JOIN registered_letters rl ON rl.document_id = d.id
		WHERE sr.pass_id = ? AND sr.document_id IS NOT NULL AND sr.state = 'done'
		ORDER BY d.kind DESC, c.reference, d.id`, passID).Scan(&rows).Error
	return rows, dbErr(err, whatRunLetter)
}

type registeredLetterRow struct {
	DocumentID uuid.UUID
	CaseID     uuid.UUID
	CreditorID uuid.UUID
	PassID     uuid.UUID
	Number     string
	SentOn     recouvra.Date
	RecordedBy *uuid.UUID
	RecordedAt time.Time
}

func (r repo) InsertRegisteredLetter(ctx context.Context, rl *app.RegisteredLetter) (bool, *app.RegisteredLetter, error) {
	res := r.q(ctx).Exec(`INSERT INTO registered_letters (document_id, case_id, creditor_id, pass_id, number, sent_on, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		rl.DocumentID, rl.CaseID, rl.CreditorID, rl.PassID, rl.Number, rl.SentOn, rl.RecordedBy, rl.RecordedAt)
	if res.Error != nil {
		return false, nil, dbErr(res.Error, whatRunLetter)
	}
	if res.RowsAffected == 1 {
		return true, nil, nil
	}
	// What is there: the letter's own record first, else the number's.
	var rows []registeredLetterRow
	if err := r.q(ctx).Raw(`SELECT document_id, case_id, creditor_id, pass_id, number, sent_on, recorded_by, recorded_at FROM registered_letters
		WHERE document_id = ? OR number = ? ORDER BY (document_id = ?) DESC LIMIT 1`, rl.DocumentID, rl.Number, rl.DocumentID).Scan(&rows).Error; err != nil {
		return false, nil, dbErr(err, whatRunLetter)
	}
	if len(rows) == 0 {
		return false, nil, nil
	}
	x := app.RegisteredLetter(rows[0])
	return false, &x, nil
}

func (r repo) SetRegisteredLetterEvent(ctx context.Context, documentID, eventID uuid.UUID) error {
	return dbErr(r.q(ctx).Exec("UPDATE registered_letters SET event_id = ? WHERE document_id = ?", eventID, documentID).Error, whatRunLetter)
}

// ClaimNight inserts the night's pass; the unique index on the nightly
// pass's day lets one instance in. A pass of the night left unfinished
// since before stale (its instance stopped) is taken over: its id becomes
// p's.
func (r repo) ClaimNight(ctx context.Context, p *app.StrategyPass, stale time.Time) (bool, error) {
	res := r.q(ctx).Exec(`INSERT INTO strategy_passes (id, run_on, started_at, kind) VALUES (?, ?, ?, 'nightly')
		ON CONFLICT (run_on) WHERE kind = 'nightly' DO NOTHING`, p.ID, p.RunOn, p.StartedAt)
	if res.Error != nil {
		return false, dbErr(res.Error, whatStrategy)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`UPDATE strategy_passes SET started_at = ? WHERE run_on = ? AND kind = 'nightly' AND finished_at IS NULL AND started_at < ?
		RETURNING id`, p.StartedAt, p.RunOn, stale).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return false, dbErr(err, whatStrategy)
	}
	p.ID = ids[0]
	return true, nil
}

// MarkStaleDates: one UPDATE over the states dated before their strategy's
// steps last changed (steps_changed_at, set by a trigger), or whose next step counts from the oldest due date.
func (r repo) MarkStaleDates(ctx context.Context) (int64, error) {
	res := r.q(ctx).Exec(`UPDATE case_strategies cs SET planned = false
		FROM strategies s
		WHERE s.id = cs.strategy_id AND cs.planned AND cs.waiting_task_id IS NULL AND cs.position < jsonb_array_length(s.steps)
		  AND (s.steps_changed_at > cs.updated_at OR s.steps -> cs.position ->> 'from' = 'oldest_due')`)
	return res.RowsAffected, dbErr(res.Error, whatStrategy)
}

func (r repo) UnplannedStates(ctx context.Context, after uuid.UUID, limit int) ([]app.PlanRow, error) {
	var rows []struct {
		CaseID        uuid.UUID
		CreditorID    uuid.UUID
		StrategyID    uuid.UUID
		Position      int
		LastStep      *int
		LastStepOn    recouvra.Date
		NextDueOn     recouvra.Date
		WaitingTaskID *uuid.UUID
		AssignedOn    recouvra.Date
		UpdatedAt     time.Time
		PlacedAt      time.Time
		OldestDueOn   recouvra.Date
	}
	err := r.q(ctx).Raw(`SELECT cs.case_id, cs.creditor_id, cs.strategy_id, cs.position, cs.last_step, cs.last_step_on, cs.next_due_on,
			cs.waiting_task_id, cs.assigned_on, cs.updated_at, c.created_at AS placed_at, c.oldest_due_on
		FROM case_strategies cs JOIN cases c ON c.id = cs.case_id
		WHERE NOT cs.planned AND cs.case_id > ? ORDER BY cs.case_id LIMIT ?`, after, limit).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatStrategy)
	}
	out := make([]app.PlanRow, len(rows))
	for i, row := range rows {
		st := recouvra.CaseStrategyState{CaseID: row.CaseID, CreditorID: row.CreditorID, StrategyID: row.StrategyID, Position: row.Position,
			LastStep: row.LastStep, LastStepOn: row.LastStepOn, NextDueOn: row.NextDueOn, WaitingTaskID: row.WaitingTaskID, AssignedOn: row.AssignedOn,
			UpdatedAt: row.UpdatedAt} // as stored: the write's guard compares it exactly
		out[i] = app.PlanRow{State: st, PlacedAt: row.PlacedAt, OldestDue: row.OldestDueOn}
	}
	return out, nil
}

// SavePlans: one UPDATE … FROM unnest over the batch; a state changed
// since it was read (its updated_at moved) is left for the next pass.
func (r repo) SavePlans(ctx context.Context, rows []app.PlanRow) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	// Array literals: gorm would spread a Go slice into a list of values.
	ids := make([]string, len(rows))
	dues := make([]string, len(rows))
	read := make([]string, len(rows))
	for i, row := range rows {
		ids[i], dues[i] = row.State.CaseID.String(), "NULL"
		read[i] = `"` + row.State.UpdatedAt.UTC().Format("2006-01-02 15:04:05.999999") + `+00"`
		if !row.State.NextDueOn.IsZero() {
			dues[i] = row.State.NextDueOn.String()
		}
	}
	array := func(v []string) string { return "{" + strings.Join(v, ",") + "}" }
	res := r.q(ctx).Exec(`UPDATE case_strategies cs SET next_due_on = x.due, planned = true, updated_at = now()
		FROM unnest(?::uuid[], ?::date[], ?::timestamptz[]) AS x(case_id, due, read_at)
		WHERE cs.case_id = x.case_id AND NOT cs.planned AND cs.updated_at = x.read_at`, array(ids), array(dues), array(read))
	return res.RowsAffected, dbErr(res.Error, whatStrategy)
}

// AnalyzeStrategyStates: ANALYZE case_strategies (a sample of 30,000
// rows whatever the table's size). Without it, right after the night's
// enrolment wrote hundreds of thousands of states, the planner still
// believes the table nearly empty until autovacuum's next analyze, and
// each claim batch reads and sorts every due state (a hash join over them
// all) to keep 2,000: quadratic over the night.
func (r repo) AnalyzeStrategyStates(ctx context.Context) error {
	return dbErr(r.q(ctx).Exec("ANALYZE case_strategies").Error, whatStrategy)
}

// ClaimNightSteps claims, for the night's pass, the due steps among the
// next limit keys of the due index after the key (due date, case) where
// the previous batch ended, in one statement: the keys first (a range of
// the index, limit rows), then the same selection as ClaimDueSteps
// (dueSteps) over those states only — so each batch reads limit states
// and the night reads each due state once, however many are paused or
// already claimed (ON CONFLICT leaves those). (Limiting after the
// selection instead made each batch select every due state left and sort
// them to keep limit: quadratic over a night of 600,000 claims.) It
// returns the claims and the key the batch ended at; no key when the
// index holds nothing due after the key.
func (r repo) ClaimNightSteps(ctx context.Context, pass uuid.UUID, today recouvra.Date, now time.Time, after app.NightKey, limit int) ([]app.StepRun, *app.NightKey, error) {
	if after.DueOn.IsZero() { // the walk's start: before any date
		after.DueOn = recouvra.DateOf(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	var rows []struct {
		TailDue    recouvra.Date
		TailCase   uuid.UUID
		ID         *uuid.UUID
		CaseID     *uuid.UUID
		StrategyID *uuid.UUID
		StepIndex  *int
		Channel    *string
	}
	err := r.q(ctx).Raw(`WITH keys AS MATERIALIZED (
			SELECT next_due_on, case_id FROM case_strategies
			WHERE next_due_on <= @today AND waiting_task_id IS NULL
			  AND (next_due_on, case_id) > (CAST(@after_due AS date), CAST(@after_case AS uuid))
			ORDER BY next_due_on, case_id LIMIT @limit),
		due AS (`+dueSteps+`
			AND cs.case_id IN (SELECT case_id FROM keys)),
		tail AS (SELECT next_due_on AS tail_due, case_id AS tail_case FROM keys ORDER BY next_due_on DESC, case_id DESC LIMIT 1),
		ins AS (INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, claimed_at)
			SELECT case_id, creditor_id, strategy_id, step_index, @pass, due_on, channel, 'claimed', @now FROM due
			ON CONFLICT (case_id, strategy_id, step_index) DO NOTHING
			RETURNING id, case_id, strategy_id, step_index, channel)
		SELECT tail.tail_due, tail.tail_case, ins.id, ins.case_id, ins.strategy_id, ins.step_index, ins.channel FROM tail LEFT JOIN ins ON true`,
		map[string]any{"today": today, "limit": limit, "pass": pass, "now": now, "after_due": after.DueOn, "after_case": after.CaseID}).Scan(&rows).Error
	if err != nil {
		return nil, nil, dbErr(err, whatStrategy)
	}
	if len(rows) == 0 {
		return nil, nil, nil
	}
	key := app.NightKey{DueOn: rows[0].TailDue, CaseID: rows[0].TailCase}
	var out []app.StepRun
	for _, row := range rows {
		if row.ID != nil {
			out = append(out, app.StepRun{ID: *row.ID, CaseID: *row.CaseID, StrategyID: *row.StrategyID, StepIndex: *row.StepIndex, PassID: pass,
				Channel: *row.Channel, State: app.RunClaimed, ClaimedAt: now})
		}
	}
	return out, &key, nil
}
