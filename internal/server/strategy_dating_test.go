package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestStrategyDatingSQLAgreesWithGo: the nightly pass dates steps in SQL
// with the working-day calendar (migration 00039); the frequent pass and
// the simulation date them in Go. On the edges — a base on a Saturday, on
// 1 May, 14 July, Christmas, Easter Monday, Ascension, Whit Monday, 24
// December with working days across Christmas and New Year, 29 February,
// delays of 0, a placement just after midnight in Paris (the day before in
// UTC), steps from the placement, the step before and the oldest due date,
// with and without those dates, a strategy done or waiting for a call —
// every date written by the SQL statement is the one Go computes. A date
// before the calendar is left to Go by SQL and dated by the night.
func TestStrategyDatingSQLAgreesWithGo(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	store := postgres.NewStore(w.db)

	// 30 steps: every base × unit × delay; the state's position picks one.
	var steps []map[string]any
	for _, from := range []string{"placement", "previous_step", "oldest_due"} {
		for _, unit := range []string{"calendar_days", "working_days"} {
			for _, delay := range []int{0, 1, 2, 5, 10} {
				steps = append(steps, map[string]any{"name": fmt.Sprintf("%s %s %d", from, unit, delay), "channel": "letter",
					"from": from, "unit": unit, "delay": delay})
			}
		}
	}
	created := w.createStrategy(strategyBody("Dates "+w.unique(), steps...))
	var st recouvra.Strategy
	if err := store.Tx(ctx, func(r app.Repo) error {
		var err error
		if st, err = r.StrategyByID(ctx, created.Id); err != nil {
			return err
		}
		_, err = r.EnsureWorkingCalendar(ctx, w.today().AddYears(30))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// One case per step, one done, one waiting for its call.
	cases := make([]uuid.UUID, len(steps)+2)
	for i := range cases {
		cases[i] = w.newCase(w.credA.ID, "Scierie Jura "+w.unique(), "").Case.ID
	}
	waiting := uuid.New()

	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	d := recouvra.MustDate
	edges := []recouvra.Date{d("2026-05-02"), d("2026-05-01"), d("2026-07-14"), d("2026-12-25"), d("2026-04-06"), d("2026-12-24"),
		d("2027-12-24"), d("2024-02-29"), d("2028-02-29"), d("2026-05-14"), d("2026-05-25"), d("2026-12-31"), d("2027-01-01"), d("2026-03-06")}
	type round struct{ placed, last, oldest recouvra.Date }
	var rounds []round
	for i := range edges {
		rounds = append(rounds, round{edges[i], edges[(i+1)%len(edges)], edges[(i+2)%len(edges)]})
	}
	rounds = append(rounds, round{placed: d("2026-12-24")}, round{placed: d("2026-05-02"), last: d("2026-12-24")})

	// set writes the round's dates on every case and an unplanned state at
	// each position; it returns the Go dates, by case.
	set := func(ro round) map[uuid.UUID]recouvra.Date {
		t.Helper()
		// 00:30 in Paris: still the day before in UTC.
		at := time.Date(ro.placed.Year(), ro.placed.Month(), ro.placed.Day(), 0, 30, 0, 0, paris).UTC()
		if _, err := w.db.Pool.Exec(ctx, "UPDATE cases SET created_at = $1, oldest_due_on = $2 WHERE id = ANY($3)", at, ro.oldest, cases); err != nil {
			t.Fatal(err)
		}
		want := map[uuid.UUID]recouvra.Date{}
		for i, id := range cases {
			state := recouvra.CaseStrategyState{Position: i, LastStepOn: ro.last}
			if i == len(cases)-1 {
				state.Position, state.WaitingTaskID = 0, &waiting
			}
			if _, err := w.db.Pool.Exec(ctx, `INSERT INTO case_strategies (case_id, creditor_id, strategy_id, position, last_step_on, waiting_task_id, assigned_on, planned)
				VALUES ($1, $2, $3, $4, $5, $6, $7, false)
				ON CONFLICT (case_id) DO UPDATE SET position = EXCLUDED.position, last_step_on = EXCLUDED.last_step_on,
					waiting_task_id = EXCLUDED.waiting_task_id, next_due_on = NULL, planned = false, updated_at = now()`,
				id, w.credA.ID, st.ID, state.Position, ro.last, state.WaitingTaskID, w.today()); err != nil {
				t.Fatal(err)
			}
			state.Plan(st, recouvra.StepDates{Placement: recouvra.DateOf(at), OldestDue: ro.oldest})
			want[id] = state.NextDueOn
		}
		return want
	}
	// sqlDates runs the SQL dating alone, batch after batch.
	sqlDates := func() int64 {
		t.Helper()
		var total int64
		err := store.Tx(ctx, func(r app.Repo) error {
			for after := uuid.Nil; ; {
				tail, n, err := r.DateUnplannedStates(ctx, after, 7)
				if err != nil || tail == uuid.Nil {
					return err
				}
				total, after = total+n, tail
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	check := func(ro round, want map[uuid.UUID]recouvra.Date) {
		t.Helper()
		rows, err := w.db.Pool.Query(ctx, "SELECT case_id, next_due_on, planned FROM case_strategies WHERE case_id = ANY($1)", cases)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			var got recouvra.Date
			var planned bool
			if err := rows.Scan(&id, &got, &planned); err != nil {
				t.Fatal(err)
			}
			i := indexOf(cases, id)
			if !planned || !got.Equal(want[id]) {
				t.Errorf("placed %s, step before %s, oldest due %s, position %d (%v): SQL %s (planned %v), Go %s",
					ro.placed, ro.last, ro.oldest, i, stepName(st, i), got, planned, want[id])
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var christmas map[uuid.UUID]recouvra.Date
	for _, ro := range rounds {
		want := set(ro)
		if n := sqlDates(); n != int64(len(cases)) {
			t.Fatalf("placed %s: SQL dated %d states of %d", ro.placed, n, len(cases))
		}
		check(ro, want)
		if ro.placed.Equal(d("2026-12-24")) && ro.last.IsZero() {
			christmas = want
		}
	}
	// Go and SQL agreeing on nonsense would pass above: a few dates by hand.
	// Placed on Thursday 24 December 2026: 5 working days skip Christmas
	// and New Year's Day (28, 29, 30, 31 December, 4 January); 10 land on
	// 11 January; 0 is the day itself, 1 the Monday after Christmas;
	// calendar days count the holidays.
	for i, want := range map[int]string{5: "2026-12-24", 6: "2026-12-28", 8: "2027-01-04", 9: "2027-01-11", 2: "2026-12-26",
		14: "2027-01-03", 19: "2027-01-11" /* the step before: none, so the placement */, 20: "2026-12-24" /* oldest due: none */} {
		if got := christmas[cases[i]]; !got.Equal(d(want)) {
			t.Errorf("24 December, %s: %s, want %s", stepName(st, i), got, want)
		}
	}
	if got := christmas[cases[len(cases)-2]]; !got.IsZero() {
		t.Errorf("a strategy done has no next date: %s", got)
	}

	// A base before the calendar: SQL leaves the working-day steps counted
	// from it, the night's dating gives them Go's dates.
	ro := round{placed: d("2026-05-02"), last: d("2026-05-01"), oldest: d("1998-07-14")}
	want := set(ro)
	if n := sqlDates(); n != int64(len(cases)-5) {
		t.Fatalf("before the calendar: SQL dated %d states, want all but the 5 working-day steps from the oldest due date", n)
	}
	if _, err := w.svc.DateUnplanned(ctx); err != nil {
		t.Fatal(err)
	}
	check(ro, want)

	// The night's enrolment dates the first step as it writes the state;
	// a base before the calendar is enrolled unplanned, then dated in Go.
	first := w.createStrategy(strategyBody("Premier pas "+w.unique(),
		map[string]any{"name": "Appel", "channel": "call_task", "from": "oldest_due", "unit": "working_days", "delay": 2}))
	if r := w.as("admin").Do("PUT", "/api/v1/creditors/"+w.credA.ID.String()+"/strategy", map[string]any{"strategy_id": first.Id}); r.Status != 200 {
		t.Fatalf("mandate default: %d %s", r.Status, r.Body)
	}
	if _, err := w.db.Pool.Exec(ctx, "DELETE FROM case_strategies WHERE case_id = ANY($1)", cases); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, "UPDATE cases SET oldest_due_on = '2026-12-24' WHERE id = ANY($1)", cases[:10]); err != nil {
		t.Fatal(err)
	}
	var firstSt recouvra.Strategy
	var enrolled int64
	if err := store.Tx(ctx, func(r app.Repo) error {
		var err error
		if firstSt, err = r.StrategyByID(ctx, first.Id); err != nil {
			return err
		}
		enrolled, err = r.EnrollCasesDated(ctx, w.today(), 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var unplanned int
	if err := w.db.Pool.QueryRow(ctx, "SELECT count(*) FROM case_strategies WHERE case_id = ANY($1) AND NOT planned", cases).Scan(&unplanned); err != nil {
		t.Fatal(err)
	}
	if enrolled < int64(len(cases)) || unplanned != len(cases)-10 {
		t.Fatalf("enrolled %d, %d unplanned; want all %d cases, those before the calendar unplanned", enrolled, unplanned, len(cases))
	}
	for i, id := range cases {
		oldest := ro.oldest
		if i < 10 {
			oldest = d("2026-12-24")
		}
		state := recouvra.CaseStrategyState{}
		state.Plan(firstSt, recouvra.StepDates{Placement: ro.placed, OldestDue: oldest})
		want[id] = state.NextDueOn
	}
	if !want[cases[0]].Equal(d("2026-12-29")) {
		t.Fatalf("two working days from 24 December: %s", want[cases[0]])
	}
	if _, err := w.svc.DateUnplanned(ctx); err != nil {
		t.Fatal(err)
	}
	check(round{ro.placed, recouvra.Date{}, d("2026-12-24")}, want)
}

func indexOf(list []uuid.UUID, id uuid.UUID) int {
	for i, x := range list {
		if x == id {
			return i
		}
	}
	return -1
}

func stepName(st recouvra.Strategy, i int) string {
	if i < len(st.Steps) {
		return st.Steps[i].Name
	}
	return "done or waiting"
}
