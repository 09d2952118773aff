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

// DateUnplannedStates dates, in ONE statement, up to limit unplanned
// states after the case id after: the next step's date computed in SQL by
// the rules of recouvra.StrategyStep.DueOn and CaseStrategyState.Plan —
//
//   - no date when the strategy is done or waits for a call task;
//   - the base: the placement (the case's creation, a day in Paris), the
//     step before (last_step_on; the placement when none) or the oldest
//     due date (the placement when none);
//   - calendar days: base + delay; working days: the working day whose
//     index is the base's + delay (working_days, migration 00039).
//
// A state whose working days fall outside the calendar is left unplanned
// (the caller dates it in Go), and so is one changed since the statement's
// snapshot (its updated_at moved: the write is guarded as SavePlans's). It
// returns the last case id of the batch (uuid.Nil: nothing was unplanned
// after after) and how many states it dated.
func (r repo) DateUnplannedStates(ctx context.Context, after uuid.UUID, limit int) (uuid.UUID, int64, error) {
	var rows []struct {
		Tail  *uuid.UUID
		Dated int64
	}
	err := r.q(ctx).Raw(`WITH batch AS (
			SELECT case_id FROM case_strategies WHERE NOT planned AND case_id > ? ORDER BY case_id LIMIT ?
		), state AS (
			SELECT cs.case_id, cs.updated_at AS read_at,
			       cs.waiting_task_id IS NULL AND cs.position < jsonb_array_length(s.steps) AS has_step,
			       coalesce((s.steps -> cs.position ->> 'delay')::int, 0) AS delay,
			       coalesce(s.steps -> cs.position ->> 'unit' = 'working_days', false) AS in_working_days,
			       CASE s.steps -> cs.position ->> 'from'
			           WHEN 'previous_step' THEN coalesce(cs.last_step_on, (c.created_at AT TIME ZONE 'Europe/Paris')::date)
			           WHEN 'oldest_due' THEN coalesce(c.oldest_due_on, (c.created_at AT TIME ZONE 'Europe/Paris')::date)
			           ELSE (c.created_at AT TIME ZONE 'Europe/Paris')::date
			       END AS base
			FROM batch b
			JOIN case_strategies cs ON cs.case_id = b.case_id
			JOIN strategies s ON s.id = cs.strategy_id
			JOIN cases c ON c.id = cs.case_id
		), dated AS (
			SELECT st.case_id, st.read_at, st.has_step,
			       CASE WHEN NOT st.has_step THEN NULL
			            WHEN NOT st.in_working_days THEN st.base + st.delay
			            ELSE later.day END AS due
			FROM state st
			LEFT JOIN working_days base ON st.has_step AND st.in_working_days AND base.day = st.base
			LEFT JOIN working_days later ON later.working AND later.working_index = base.working_index + st.delay
		), written AS (
			UPDATE case_strategies cs SET next_due_on = d.due, planned = true, updated_at = now()
			FROM dated d
			WHERE cs.case_id = d.case_id AND NOT cs.planned AND cs.updated_at = d.read_at
			  AND (d.due IS NOT NULL OR NOT d.has_step)
			RETURNING 1
		)
		SELECT (SELECT case_id FROM batch ORDER BY case_id DESC LIMIT 1) AS tail, (SELECT count(*) FROM written) AS dated`, after, limit).Scan(&rows).Error
	if err != nil || len(rows) == 0 || rows[0].Tail == nil {
		return uuid.Nil, 0, dbErr(err, whatStrategy)
	}
	return *rows[0].Tail, rows[0].Dated, nil
}
