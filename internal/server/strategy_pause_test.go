package server_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestPauseRulesAgreeWithSelection puts one case per situation on a
// strategy whose step is due, and checks that the Go pause rules
// (recouvra.PauseReasons, as GET /cases/{id}/strategy shows them) and the
// engine's SQL selection (postgres dueSteps, as the dry run counts it)
// agree on every one: a case is selected exactly when Go finds no reason
// to pause it, and Go finds the reasons the table expects.
func TestPauseRulesAgreeWithSelection(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := w.db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Strategies differing only by their pause after a payment.
	pause := map[int]string{}
	for _, days := range []int{0, 9, 10, 11} {
		body := strategyBody("Pause "+w.unique(), map[string]any{"channel": "letter", "from": "placement"})
		body["pause_after_payment_days"] = days
		pause[days] = w.createStrategy(body).Id.String()
	}
	type situation struct {
		name     string
		strategy int // its pause after a payment
		pay      bool
		reverse  bool
		setup    func(c, debtor uuid.UUID)
		want     []string // Go's pause codes; none: selected
	}
	plan := func(c, _ uuid.UUID) {
		var id uuid.UUID
		if err := w.db.Pool.QueryRow(ctx, `INSERT INTO plans (case_id, creditor_id, origin, status, currency, total_cents, interest_frozen, grace_days, misses_before_broken, made_on)
			SELECT id, creditor_id, 'agent', 'kept', 'EUR', 500, false, 5, 1, current_date FROM cases WHERE id = $1 RETURNING id`, c).Scan(&id); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE cases SET running_plan_id = $2 WHERE id = $1`, c, id)
	}
	promise := func(c, _ uuid.UUID) {
		exec(`UPDATE cases SET promise_due_on = $2, promise_amount_cents = 5000 WHERE id = $1`, c, w.today().AddDays(3))
	}
	dispute := func(c, _ uuid.UUID) { exec(`UPDATE cases SET open_dispute = true WHERE id = $1`, c) }
	situations := []situation{
		{name: "nothing", strategy: 10},
		{name: "formal notice stage", strategy: 10, setup: func(c, _ uuid.UUID) { exec(`UPDATE cases SET stage = 'formal_notice' WHERE id = $1`, c) }},
		{name: "injunction stage", strategy: 10, setup: func(c, _ uuid.UUID) { exec(`UPDATE cases SET stage = 'injunction' WHERE id = $1`, c) }, want: []string{"court_stage"}},
		{name: "irrecoverable stage", strategy: 10, setup: func(c, _ uuid.UUID) { exec(`UPDATE cases SET stage = 'irrecoverable' WHERE id = $1`, c) }, want: []string{"court_stage"}},
		{name: "closed", strategy: 10, setup: func(c, _ uuid.UUID) {
			exec(`UPDATE cases SET stage = 'closed', close_reason = 'withdrawn', closed_at = now() WHERE id = $1`, c)
		}, want: []string{"case_closed"}},
		{name: "open dispute", strategy: 10, setup: dispute, want: []string{"dispute"}},
		{name: "promise running", strategy: 10, setup: promise, want: []string{"promise"}},
		{name: "plan running", strategy: 10, setup: plan, want: []string{"payment_plan"}},
		{name: "withdrawal requested", strategy: 10, setup: func(c, _ uuid.UUID) { exec(`UPDATE cases SET withdrawal_requested = true WHERE id = $1`, c) }, want: []string{"withdrawal_requested"}},
		{name: "debtor insolvent", strategy: 10, setup: func(_, d uuid.UUID) {
			exec(`UPDATE debtors SET insolvency_proceedings = 'redressement', insolvency_published_on = current_date WHERE id = $1`, d)
		}, want: []string{"insolvency"}},
		{name: "dispute and promise", strategy: 10, setup: func(c, d uuid.UUID) { dispute(c, d); promise(c, d) }, want: []string{"dispute", "promise"}},
		// Paid ten days before the check: paused by a pause of 10 or 11
		// days, not by 9 nor 0; a reversed payment pauses nothing.
		{name: "paid 10 days ago, pause 0", strategy: 0, pay: true},
		{name: "paid 10 days ago, pause 9", strategy: 9, pay: true},
		{name: "paid 10 days ago, pause 10", strategy: 10, pay: true, want: []string{"recent_payment"}},
		{name: "paid 10 days ago, pause 11", strategy: 11, pay: true, want: []string{"recent_payment"}},
		{name: "paid and reversed", strategy: 11, pay: true, reverse: true},
	}
	ids := make([]uuid.UUID, len(situations))
	for i, s := range situations {
		v := w.newCase(w.credA.ID, "Tuilerie Perrin "+w.unique(), "")
		ids[i] = v.Case.ID
		st, _ := uuid.Parse(pause[s.strategy])
		if _, err := w.svc.MoveCaseStrategy(ctx, app.System, v.Case.ID, st); err != nil {
			t.Fatal(err)
		}
		if s.pay {
			p := w.payment(v.Case.ID)
			if s.reverse {
				w.reverse(p.String())
			}
		}
	}
	w.days(10)
	for i, s := range situations {
		if s.setup != nil {
			c, err := w.svc.GetCase(ctx, app.System, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			s.setup(ids[i], c.Debtor.ID)
		}
	}

	r := w.as("admin").Do("GET", "/api/v1/strategy-runs/preview?on="+w.today().String(), nil)
	var preview oapi.StrategyRunPreview
	r.Decode(t, &preview)
	if r.Status != 200 {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}
	selected := map[uuid.UUID]bool{}
	for _, s := range preview.Sample {
		selected[s.CaseId] = true
	}
	unpaused := 0
	for i, s := range situations {
		v, err := w.svc.CaseStrategy(ctx, app.System, ids[i])
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var codes []string
		for _, p := range v.Paused {
			codes = append(codes, p.Code)
		}
		sort.Strings(codes)
		want := slices.Clone(s.want)
		sort.Strings(want)
		if !slices.Equal(codes, want) {
			t.Errorf("%s: Go pauses for %v, the table says %v", s.name, codes, want)
		}
		if goRuns := len(codes) == 0; goRuns != selected[ids[i]] {
			t.Errorf("%s: Go says runs=%v (%v), the SQL selection says %v", s.name, goRuns, codes, selected[ids[i]])
		}
		if len(codes) == 0 {
			unpaused++
		}
	}
	if preview.Total != int64(unpaused) || len(preview.Sample) != unpaused {
		t.Errorf("the selection counts %d (%d in the sample), Go lets %d run", preview.Total, len(preview.Sample), unpaused)
	}
}
