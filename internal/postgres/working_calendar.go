package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// The working-day calendar (migration 00039) and the nightly pass's
// set-based dating of steps with it (app.DateUnplanned).

// EnsureWorkingCalendar writes the calendar's days up to to that the table
// lacks, in one statement, from the domain's rules
// (recouvra.WorkingCalendar). It returns how many days it wrote.
func (r repo) EnsureWorkingCalendar(ctx context.Context, to recouvra.Date) (int64, error) {
	var last []recouvra.Date
	if err := r.q(ctx).Raw("SELECT max(day) FROM working_days").Scan(&last).Error; err != nil {
		return 0, dbErr(err, whatStrategy)
	}
	from := recouvra.WorkingCalendarEpoch
	if len(last) == 1 && !last[0].IsZero() {
		from = last[0].AddDays(1)
	}
	days := recouvra.WorkingCalendar(from, to)
	if len(days) == 0 {
		return 0, nil
	}
	// Array literals: gorm would spread a Go slice into a list of values.
	dates, working, holidays, index := make([]string, len(days)), make([]string, len(days)), make([]string, len(days)), make([]string, len(days))
	for i, d := range days {
		dates[i], working[i], index[i], holidays[i] = d.Day.String(), strconv.FormatBool(d.Working), strconv.Itoa(d.Index), "NULL"
		if d.Holiday != "" {
			holidays[i] = `"` + strings.ReplaceAll(d.Holiday, `"`, `\"`) + `"`
		}
	}
	array := func(v []string) string { return "{" + strings.Join(v, ",") + "}" }
	res := r.q(ctx).Exec(`INSERT INTO working_days (day, working, holiday, working_index)
		SELECT * FROM unnest(?::date[], ?::boolean[], ?::text[], ?::integer[])
		ON CONFLICT DO NOTHING`, array(dates), array(working), array(holidays), array(index))
	return res.RowsAffected, dbErr(res.Error, whatStrategy)
}

// stepDue is a LATERAL subquery giving a step's date (due) by the rules of
// recouvra.StrategyStep.DueOn, in SQL, and whether SQL could not date it
// (undated: its working days fall outside the calendar) — from the step
// (jsonb; NULL when the strategy is done or waits for a call task, so no
// date) and the dates it may count from:
//
//   - the base: the placement (the case's creation, a day in Paris), the
//     step before (the placement when none) or the oldest due date (the
//     placement when none);
//   - calendar days: base + delay; working days: the working day whose
//     index is the base's + delay (working_days, migration 00039).
func stepDue(step, createdAt, lastStepOn, oldestDue string) string {
	placed := "(" + createdAt + " AT TIME ZONE 'Europe/Paris')::date"
	return `LATERAL (
		SELECT d.due, d.due IS NULL AND k.step IS NOT NULL AS undated
		FROM (SELECT ` + step + ` AS step) k
		CROSS JOIN LATERAL (SELECT coalesce((k.step ->> 'delay')::int, 0) AS delay,
			CASE k.step ->> 'from'
				WHEN 'previous_step' THEN coalesce(` + lastStepOn + `, ` + placed + `)
				WHEN 'oldest_due' THEN coalesce(` + oldestDue + `, ` + placed + `)
				ELSE ` + placed + `
			END AS base) b
		CROSS JOIN LATERAL (SELECT CASE
			WHEN k.step IS NULL THEN NULL
			WHEN k.step ->> 'unit' = 'working_days' THEN
				(SELECT later.day FROM working_days here JOIN working_days later ON later.working AND later.working_index = here.working_index + b.delay
				 WHERE here.day = b.base)
			ELSE b.base + b.delay
		END AS due) d) due`
}

// DateUnplannedStates dates, in ONE statement, up to limit unplanned
// states after the case id after (stepDue). A state SQL cannot date is
// left unplanned (the caller dates it in Go), and so is one changed since
// the statement's snapshot (its updated_at moved: the write is guarded as
// SavePlans's). It returns the last case id of the batch (uuid.Nil:
// nothing was unplanned after after) and how many states it dated.
func (r repo) DateUnplannedStates(ctx context.Context, after uuid.UUID, limit int) (uuid.UUID, int64, error) {
	var rows []struct {
		Tail  *uuid.UUID
		Dated int64
	}
	err := r.q(ctx).Raw(`WITH batch AS (
			SELECT case_id FROM case_strategies WHERE NOT planned AND case_id > ? ORDER BY case_id LIMIT ?
		), dated AS (
			SELECT cs.case_id, cs.updated_at AS read_at, due.due, due.undated
			FROM batch b
			JOIN case_strategies cs ON cs.case_id = b.case_id
			JOIN strategies s ON s.id = cs.strategy_id
			JOIN cases c ON c.id = cs.case_id
			CROSS JOIN `+stepDue(`CASE WHEN cs.waiting_task_id IS NULL THEN s.steps -> cs.position END`, "c.created_at", "cs.last_step_on", "c.oldest_due_on")+`
		), written AS (
			UPDATE case_strategies cs SET next_due_on = d.due, planned = true, updated_at = now()
			FROM dated d
			WHERE cs.case_id = d.case_id AND NOT cs.planned AND cs.updated_at = d.read_at AND NOT d.undated
			RETURNING 1
		)
		SELECT (SELECT case_id FROM batch ORDER BY case_id DESC LIMIT 1) AS tail, (SELECT count(*) FROM written) AS dated`, after, limit).Scan(&rows).Error
	if err != nil || len(rows) == 0 || rows[0].Tail == nil {
		return uuid.Nil, 0, dbErr(err, whatStrategy)
	}
	return *rows[0].Tail, rows[0].Dated, nil
}

// EnrollCasesDated is EnrollCases with each new state dated in the same
// statement (stepDue, first step: no step before): the nightly pass
// enrols hundreds of thousands of cases, and writing each row once, dated,
// spares rewriting each. A state SQL cannot date is enrolled unplanned
// (the pass then dates it in Go).
func (r repo) EnrollCasesDated(ctx context.Context, on recouvra.Date, limit int) (int64, error) {
	res := r.q(ctx).Exec(`INSERT INTO case_strategies (case_id, creditor_id, strategy_id, assigned_on, next_due_on, planned)
		SELECT c.id, c.creditor_id, m.strategy_id, @on, due.due, NOT due.undated
		FROM cases c JOIN strategy_mandates m ON m.creditor_id = c.creditor_id
		JOIN strategies s ON s.id = m.strategy_id
		CROSS JOIN `+stepDue("s.steps -> 0", "c.created_at", "NULL::date", "c.oldest_due_on")+`
		WHERE c.stage IN ('amicable', 'formal_notice')
		  AND NOT EXISTS (SELECT 1 FROM case_strategies cs WHERE cs.case_id = c.id)
		  AND NOT EXISTS (SELECT 1 FROM strategy_experiments e WHERE e.creditor_id = c.creditor_id AND e.stopped_at IS NULL) -- drawn by EnrollExperimentCases
		ORDER BY c.id LIMIT @limit
		ON CONFLICT (case_id) DO NOTHING`, map[string]any{"on": on, "limit": limit})
	return res.RowsAffected, dbErr(res.Error, whatStrategy)
}
