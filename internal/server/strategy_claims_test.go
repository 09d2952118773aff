package server_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/postgres"
)

// TestStrategyClaimsSkipStepsAlreadyRun: a pass claims at most its limit of
// due steps; steps that already have a run (a failed one waiting for its
// retry) must not take those places, or the due steps behind them would
// never be claimed while the head keeps failing.
func TestStrategyClaimsSkipStepsAlreadyRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	st := w.createStrategy(strategyBody("Une lettre", map[string]any{"channel": "letter", "from": "placement"}))
	ids := []uuid.UUID{w.caseA.Case.ID}
	for range 3 {
		ids = append(ids, w.newCase(w.credA.ID, "Tuilerie Martin "+w.unique(), "").Case.ID)
	}
	for _, id := range ids {
		if r := w.as("agent").Do("PUT", "/api/v1/cases/"+id.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
	}
	// The two cases first in the claim's order (due date, then case id: all
	// are due today) already failed and wait for a retry tomorrow.
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ctx := context.Background()
	var pass uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, `INSERT INTO strategy_passes (run_on) VALUES (current_date) RETURNING id`).Scan(&pass); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if _, err := w.db.Pool.Exec(ctx, `INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, attempts, reason, next_attempt_at, claimed_at)
			VALUES ($1, $2, $3, 0, $4, current_date, 'letter', 'failed', 1, 'test: canal en panne', $5, $6)`,
			id, w.credA.ID, st.Id, pass, w.clock.Now().AddDate(0, 0, 1), w.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	claim := func(limit int) []uuid.UUID {
		var got []uuid.UUID
		err := postgres.NewStore(w.db).Tx(ctx, func(r app.Repo) error {
			runs, err := r.ClaimDueSteps(ctx, pass, w.today(), w.clock.Now(), limit)
			for _, run := range runs {
				got = append(got, run.CaseID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := claim(2); len(got) != 2 || !slices.Contains(got, ids[2]) || !slices.Contains(got, ids[3]) {
		t.Fatalf("a pass of 2 behind 2 waiting retries claimed %v, want %v", got, ids[2:])
	}
	if got := claim(2); len(got) != 0 {
		t.Fatalf("a second pass claimed %v again", got)
	}
}

// TestStrategyNightClaimsWalkPastPausedSteps: the night claims batch after
// batch along the due index, each batch taking the next keys of the index
// and claiming those of them that are due and not paused. A batch whose
// keys are all paused claims nothing and the walk goes on; a step that
// already has a run is not claimed again; every other due step is claimed
// once, and the walk ends.
func TestStrategyNightClaimsWalkPastPausedSteps(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	st := w.createStrategy(strategyBody("Une lettre la nuit", map[string]any{"channel": "letter", "from": "placement"}))
	ids := []uuid.UUID{w.caseA.Case.ID}
	for range 5 {
		ids = append(ids, w.newCase(w.credA.ID, "Tuilerie Morel "+w.unique(), "").Case.ID)
	}
	for _, id := range ids {
		if r := w.as("agent").Do("PUT", "/api/v1/cases/"+id.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
	}
	// All are due today, so the walk's order is the cases' ids: the first
	// two are disputed (paused), the fourth already failed and waits for
	// its retry.
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ctx := context.Background()
	if _, err := w.db.Pool.Exec(ctx, "UPDATE cases SET open_dispute = true WHERE id = ANY($1)", ids[:2]); err != nil {
		t.Fatal(err)
	}
	var pass uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, `INSERT INTO strategy_passes (run_on) VALUES (current_date) RETURNING id`).Scan(&pass); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, attempts, reason, next_attempt_at, claimed_at)
		VALUES ($1, $2, $3, 0, $4, current_date, 'letter', 'failed', 1, 'test: canal en panne', $5, $6)`,
		ids[3], w.credA.ID, st.Id, pass, w.clock.Now().AddDate(0, 0, 1), w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var batches [][]uuid.UUID
	var key app.NightKey
	for len(batches) < 10 {
		var got []uuid.UUID
		var next *app.NightKey
		err := postgres.NewStore(w.db).Tx(ctx, func(r app.Repo) error {
			runs, n, err := r.ClaimNightSteps(ctx, pass, w.today(), w.clock.Now(), key, 2)
			for _, run := range runs {
				got = append(got, run.CaseID)
			}
			next = n
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if next == nil {
			break
		}
		batches, key = append(batches, got), *next
	}
	want := [][]uuid.UUID{nil, {ids[2]}, {ids[4], ids[5]}}
	if len(batches) != len(want) {
		t.Fatalf("the walk took %d batches %v, want %v", len(batches), batches, want)
	}
	for i := range want {
		slices.SortFunc(batches[i], func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
		if !slices.Equal(batches[i], want[i]) {
			t.Fatalf("batch %d claimed %v, want %v (all: %v)", i, batches[i], want[i], batches)
		}
	}
}
