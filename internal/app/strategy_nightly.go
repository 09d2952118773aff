package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// The nightly full pass of the strategy engine. The frequent pass
// (RunStrategies, every RECOUVRA_STRATEGY_MINUTES) is bounded — 500
// enrolments, datings and claims each — and dates a case only when its
// state changes. The night pass does what that leaves behind:
//
//   - re-dating: a state is dated when it changes, so a strategy edited
//     since (a delay changed: UpdateStrategy keeps the positions), or a
//     step counted from the oldest due date whose claims changed, keeps a
//     stale date. One UPDATE marks those states unplanned; they are dated
//     again in batches, each ONE UPDATE … FROM computing the dates in SQL
//     with the working-day calendar (table working_days, written from the
//     domain's working days and holidays), each row written only if
//     unchanged; what SQL cannot date (outside the calendar) is dated in
//     Go as before.
//   - catch-up: every due step is claimed, batch after batch, however many
//     fell due while the engine was off or behind, and retries and stale
//     claims are taken over; each batch's claims are run before the next.
//
// It is idempotent with any number of instances: the night is claimed once
// (a unique index on the nightly pass's day; one left by a crashed instance
// is taken over after nightStale), claims are unique per (case, step), and
// dates are written only over the state they were computed from.

// Nightly pass settings.
const (
	nightBatch = 2000
	nightStale = time.Hour
	// sqlDatingBatch: states dated per UPDATE by the SQL dating.
	sqlDatingBatch = 10000
	// calendarYears: the working-day calendar runs this far past today
	// (a step's delay is at most recouvra.MaxStepDelay days: 3,650
	// working days are about 14 years).
	calendarYears = 30
	// analyzeAfter: states written by the planning past which the night
	// refreshes the planner's statistics before claiming.
	analyzeAfter = 10000
)

// NightFigures are what the nightly pass's planning did.
type NightFigures struct {
	Pass     StrategyPass
	Stale    int64 // states marked for re-dating
	Enrolled int64
	Dated    int64
	Claimed  int // steps claimed (with retries and stale claims taken over)
	Ran      int // steps run
	// The planning's parts: marking stale dates, enrolling, dating, the
	// planner's statistics.
	MarkTook, EnrolTook, DateTook, AnalyzeTook time.Duration
}

// RunNightlyStrategies is the nightly full pass (the River periodic job
// strategy_nightly). ok is false when the night was already taken by
// another instance or done.
func (s *Service) RunNightlyStrategies(ctx context.Context) (NightFigures, bool, error) {
	f, ok, err := s.PlanNight(ctx)
	if err != nil || !ok {
		return f, ok, err
	}
	var errs []error
	// Retries whose time has come and claims left by a stopped engine
	// first, then the due steps batch after batch along the due index: a
	// step that falls due tonight behind the walk's key (a delay of zero
	// after a step run tonight) is left to the next frequent pass.
	run := func(claims []StepRun) error {
		f.Claimed += len(claims)
		for _, c := range claims {
			if err := ctx.Err(); err != nil {
				return err // the rest is taken over as stale claims
			}
			if err := s.runStep(ctx, f.Pass.ID, c.ID); err != nil {
				errs = append(errs, fmt.Errorf("step %d of case %s: %w", c.StepIndex, c.CaseID, err))
			}
			f.Ran++
		}
		return nil
	}
	for {
		now := s.now()
		retries, err := s.store.ReclaimSteps(ctx, f.Pass.ID, now, now.Add(-staleClaimAfter), nightBatch)
		if err != nil || len(retries) == 0 {
			errs = append(errs, err)
			break
		}
		if err := run(retries); err != nil {
			return f, true, errors.Join(append(errs, err)...)
		}
	}
	var key NightKey
	for {
		claims, next, err := s.store.ClaimNightSteps(ctx, f.Pass.ID, s.today(), s.now(), key, nightBatch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if next == nil {
			break
		}
		key = *next
		if err := run(claims); err != nil {
			return f, true, errors.Join(append(errs, err)...)
		}
	}
	fin := s.now()
	f.Pass.FinishedAt, f.Pass.Claimed = &fin, f.Claimed
	if err := s.store.FinishStrategyPass(ctx, f.Pass); err != nil {
		errs = append(errs, err)
	}
	return f, true, errors.Join(errs...)
}

// PlanNight claims tonight's pass, marks the stale dates, enrols every
// case its mandate's strategy awaits and dates every unplanned state: the
// night's planning, before any claim. ok is false when the night is taken.
func (s *Service) PlanNight(ctx context.Context) (NightFigures, bool, error) {
	today, now := s.today(), s.now()
	f := NightFigures{Pass: StrategyPass{ID: uuid.Must(uuid.NewV7()), RunOn: today, StartedAt: now}}
	ok, err := s.store.ClaimNight(ctx, &f.Pass, now.Add(-nightStale))
	if err != nil || !ok {
		return f, ok, err
	}
	t0 := time.Now()
	if f.Stale, err = s.store.MarkStaleDates(ctx); err != nil {
		return f, true, err
	}
	t1 := time.Now()
	// The working-day calendar first: the enrolment dates each new state
	// with it. Then every case awaiting its mandate's strategy, in one
	// statement each (batches would walk the cases already enrolled again
	// and again), dated as it is written.
	if _, err := s.store.EnsureWorkingCalendar(ctx, today.AddYears(calendarYears)); err != nil {
		return f, true, err
	}
	drawn, err := s.store.EnrollExperimentCases(ctx, today, math.MaxInt32)
	if err != nil {
		return f, true, err
	}
	n, err := s.store.EnrollCasesDated(ctx, today, math.MaxInt32)
	if err != nil {
		return f, true, err
	}
	f.Enrolled = drawn + n
	t2 := time.Now()
	f.Dated, err = s.DateUnplanned(ctx)
	f.Pass.Enrolled = int(f.Enrolled)
	if err != nil {
		return f, true, err
	}
	t3 := time.Now()
	// The claim batches walk the due index only if the planner knows what
	// the night just wrote (autovacuum analyzes later, if at all before
	// the claims).
	if f.Enrolled+f.Stale+f.Dated >= analyzeAfter {
		err = s.store.AnalyzeStrategyStates(ctx)
	}
	f.MarkTook, f.EnrolTook, f.DateTook, f.AnalyzeTook = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), time.Since(t3)
	return f, true, err
}

// DateUnplanned dates every unplanned state: in SQL first, batch after
// batch (one UPDATE … FROM each, the working days read from the calendar
// table, topped up here to calendarYears ahead), then in Go whatever SQL
// left — a date outside the calendar, or a state changed meanwhile.
func (s *Service) DateUnplanned(ctx context.Context) (int64, error) {
	if _, err := s.store.EnsureWorkingCalendar(ctx, s.today().AddYears(calendarYears)); err != nil {
		return 0, err
	}
	var dated int64
	for after := uuid.Nil; ; {
		tail, n, err := s.store.DateUnplannedStates(ctx, after, sqlDatingBatch)
		if err != nil {
			return dated, err
		}
		if tail == uuid.Nil {
			break
		}
		dated, after = dated+n, tail
	}
	n, err := s.dateUnplannedInGo(ctx)
	return dated + n, err
}

// dateUnplannedInGo dates the unplanned states a batch at a time in Go
// (one read, recouvra.CaseStrategyState.Plan, one write per batch).
func (s *Service) dateUnplannedInGo(ctx context.Context) (int64, error) {
	list, err := s.store.ListStrategies(ctx)
	if err != nil {
		return 0, err
	}
	byID := make(map[uuid.UUID]recouvra.Strategy, len(list))
	for _, st := range list {
		byID[st.ID] = st
	}
	var dated int64
	after := uuid.Nil
	for {
		rows, err := s.store.UnplannedStates(ctx, after, nightBatch)
		if err != nil || len(rows) == 0 {
			return dated, err
		}
		for i := range rows {
			st, ok := byID[rows[i].State.StrategyID]
			if !ok {
				if st, err = s.store.StrategyByID(ctx, rows[i].State.StrategyID); err != nil {
					return dated, err
				}
				byID[st.ID] = st
			}
			rows[i].State.Plan(st, recouvra.StepDates{Placement: recouvra.DateOf(rows[i].PlacedAt), OldestDue: rows[i].OldestDue})
		}
		n, err := s.store.SavePlans(ctx, rows)
		if err != nil {
			return dated, err
		}
		dated += n
		after = rows[len(rows)-1].State.CaseID
	}
}

// PlanRow is an unplanned state read with the dates it may run from.
type PlanRow struct {
	State     recouvra.CaseStrategyState // UpdatedAt: as read, the write's guard
	PlacedAt  time.Time
	OldestDue recouvra.Date
}

// SelectNight claims every due step for the night's pass without running
// them, batch after batch (the benchmark's selection).
func (s *Service) SelectNight(ctx context.Context, pass uuid.UUID) ([]StepRun, error) {
	var out []StepRun
	var key NightKey
	for {
		claims, next, err := s.store.ClaimNightSteps(ctx, pass, s.today(), s.now(), key, nightBatch)
		if err != nil || next == nil {
			return out, err
		}
		out, key = append(out, claims...), *next
	}
}

// RunClaimed runs one claimed step of pass (the benchmark's actions).
func (s *Service) RunClaimed(ctx context.Context, pass, run uuid.UUID) error {
	return s.runStep(ctx, pass, run)
}
