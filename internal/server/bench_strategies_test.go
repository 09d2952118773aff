package server_test

// The strategy engine's nightly pass on the million-case database
// (make bench-strategies):
//
//	go test -run '^$' -bench BenchmarkStrategies -benchtime 1x -timeout 60m ./internal/server/
//
// Figures only, no timed assertion: the nightly pass's selection and
// planning (enrol every case of a mandate with a strategy, date each one,
// claim every due step) beside the same selection written as ONE set-based
// SQL statement in the same run, and their ratio; actions per second by
// channel (letters; e-mails to a local SMTP server the benchmark starts);
// the process's peak RSS during the pass; the queue's claim
// (POST /api/v1/queue/next) p50/p99 before and while the pass runs.
// RECOUVRA_BENCH_CASES changes the size.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/mail"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func BenchmarkStrategies(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RECOUVRA_BENCH_CASES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	catcher, err := mail.StartCatcher("127.0.0.1:0", &mail.Catcher{})
	if err != nil {
		b.Fatal(err)
	}
	defer catcher.Close()
	smtp := catcher.Settings()
	w := newWorldWith(b, io.Discard, func(c *config.Config) {
		c.RateLimit, c.StrategyMinutes = 0, 0
		c.SMTP = config.SMTP{URL: catcher.URL(), Host: smtp.Host, Port: smtp.Port}
		c.MailFrom = "relances@recouvra.test"
	})
	ctx := context.Background()
	start := time.Now()
	seeder := &demo.Seeder{Svc: w.svc, Clock: demo.NewClock(w.clock.Now()), Out: io.Discard, Rand: rand.New(rand.NewPCG(7, 7))}
	if err := seeder.Bulk(ctx, w.db, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d cases in %s", n, time.Since(start).Round(time.Second))

	// Half the creditors on a strategy that starts with a letter, half on
	// one that starts with an e-mail (by post without an address).
	yes := true
	byLetter, err := w.svc.CreateStrategy(ctx, app.System, recouvra.StrategyInput{Name: "Banc courrier", Steps: []recouvra.StepInput{
		{Name: "Lettre", Unit: "calendar_days", From: "placement", Channel: "letter", Template: "amicable_letter"},
		{Name: "Relance", Delay: 15, Unit: "calendar_days", From: "previous_step", Channel: "letter", Template: "amicable_letter"}}}, app.Meta{})
	if err != nil {
		b.Fatal(err)
	}
	byMail, err := w.svc.CreateStrategy(ctx, app.System, recouvra.StrategyInput{Name: "Banc e-mail", Steps: []recouvra.StepInput{
		{Name: "E-mail", Unit: "calendar_days", From: "placement", Channel: "email", Template: "amicable_letter", FallbackToLetter: &yes},
		{Name: "Lettre", Delay: 15, Unit: "calendar_days", From: "previous_step", Channel: "letter", Template: "amicable_letter"}}}, app.Meta{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO strategy_mandates (creditor_id, strategy_id)
		SELECT id, CASE WHEN row_number() OVER (ORDER BY id) % 2 = 0 THEN $1::uuid ELSE $2::uuid END FROM creditors`, byLetter.ID, byMail.ID); err != nil {
		b.Fatal(err)
	}
	today := recouvra.DateOf(w.clock.Now())

	// Agents taking cases from the queue, before and while the pass runs.
	const agents = 8
	tokens := make([]string, agents)
	for i := range tokens {
		email := fmt.Sprintf("bench.strategies%d@recouvra.test", i)
		w.createUser(email, recouvra.RoleAgent, nil)
		tokens[i] = w.login(email)
	}
	claimQueue := func(stop *atomic.Bool, min int) []time.Duration {
		var mu sync.Mutex
		var out []time.Duration
		var wg sync.WaitGroup
		for a := range agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{}
				for i := 0; !stop.Load() || i < min; i++ {
					t0 := time.Now()
					req, _ := http.NewRequest("POST", w.srv.URL()+"/api/v1/queue/next", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[a])
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					out = append(out, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return out
	}
	var stopped atomic.Bool
	stopped.Store(true)
	before := claimQueue(&stopped, 50)

	// The same selection as ONE statement: every open, unpaused case of a
	// mandate with a strategy whose first step (calendar days from the
	// placement) is due today — materialized, as the claims are.
	raw := func() (time.Duration, int64) {
		t0 := time.Now()
		tag, err := w.db.Pool.Exec(ctx, `CREATE TEMP TABLE raw_due AS
			SELECT c.id AS case_id, c.creditor_id, s.id AS strategy_id, 0 AS step_index,
			       (c.created_at AT TIME ZONE 'UTC')::date + (s.steps -> 0 ->> 'delay')::int AS due_on, s.steps -> 0 ->> 'channel' AS channel
			FROM cases c JOIN strategy_mandates m ON m.creditor_id = c.creditor_id JOIN strategies s ON s.id = m.strategy_id
			JOIN debtors d ON d.id = c.debtor_id
			WHERE c.stage IN ('amicable', 'formal_notice')
			  AND NOT c.open_dispute AND c.promise_due_on IS NULL AND c.running_plan_id IS NULL AND NOT c.withdrawal_requested
			  AND d.insolvency_proceedings IS NULL
			  AND (c.created_at AT TIME ZONE 'UTC')::date + (s.steps -> 0 ->> 'delay')::int <= $1`, today.Time())
		d := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.db.Pool.Exec(ctx, "DROP TABLE raw_due"); err != nil {
			b.Fatal(err)
		}
		return d, tag.RowsAffected()
	}
	rawBefore, rawRows := raw()

	// The nightly pass's selection and planning, agents working meanwhile.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak RSS
	stopped.Store(false)
	var during []time.Duration
	done := make(chan struct{})
	go func() { during = claimQueue(&stopped, 0); close(done) }()
	t0 := time.Now()
	night, ok, err := w.svc.PlanNight(ctx)
	if err != nil || !ok {
		b.Fatalf("plan night: %v %v", ok, err)
	}
	planned := time.Since(t0)
	// The claim of every due step as ONE statement (rolled back), beside
	// the night's batches along the due index.
	t1 := time.Now()
	tx, err := w.db.Pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, claimed_at)
		SELECT cs.case_id, cs.creditor_id, cs.strategy_id, cs.position, $2, cs.next_due_on, coalesce(s.steps -> cs.position ->> 'channel', ''), 'claimed', now()
		FROM case_strategies cs JOIN cases c ON c.id = cs.case_id JOIN debtors d ON d.id = c.debtor_id JOIN strategies s ON s.id = cs.strategy_id
		WHERE cs.next_due_on <= $1 AND cs.waiting_task_id IS NULL AND cs.planned AND cs.position < jsonb_array_length(s.steps)
		  AND c.stage IN ('amicable', 'formal_notice')
		  AND NOT c.open_dispute AND c.promise_due_on IS NULL AND c.running_plan_id IS NULL AND NOT c.withdrawal_requested
		  AND d.insolvency_proceedings IS NULL
		  AND NOT (s.pause_after_payment_days > 0 AND EXISTS (SELECT 1 FROM payments p WHERE p.case_id = c.id AND p.reversed_at IS NULL
		        AND p.received_on >= $1::date - s.pause_after_payment_days))
		ON CONFLICT (case_id, strategy_id, step_index) DO NOTHING`, today.Time(), night.Pass.ID)
	rawClaimT := time.Since(t1)
	if err != nil {
		b.Fatal(err)
	}
	_ = tx.Rollback(ctx)
	t2 := time.Now()
	claims, err := w.svc.SelectNight(ctx, night.Pass.ID)
	if err != nil {
		b.Fatal(err)
	}
	selectT := time.Since(t2)
	nightT := planned + selectT
	stopped.Store(true)
	<-done
	b.Logf("selection: the night's batches %s, one INSERT … SELECT of the same %d claims %s (ratio %.2f)",
		selectT.Round(time.Millisecond), tag.RowsAffected(), rawClaimT.Round(time.Millisecond), selectT.Seconds()/max(rawClaimT.Seconds(), 1e-9))
	b.ReportMetric(selectT.Seconds()/max(rawClaimT.Seconds(), 1e-9), "select/raw-claim")
	peak := peakRSS()
	rawAfter, _ := raw()
	b.Logf("nightly: enrolled %d, stale %d, dated %d in %s (stale marks %s, enrolment %s, dating %s); claimed %d; total %s — raw statement %d rows in %s (before) / %s (after)",
		night.Enrolled, night.Stale, night.Dated, planned.Round(time.Millisecond), night.MarkTook.Round(time.Millisecond), night.EnrolTook.Round(time.Millisecond),
		night.DateTook.Round(time.Millisecond), len(claims), nightT.Round(time.Millisecond), rawRows,
		rawBefore.Round(time.Millisecond), rawAfter.Round(time.Millisecond))
	if int64(len(claims)) != rawRows {
		b.Errorf("the night claimed %d steps, the raw statement selected %d", len(claims), rawRows)
	}

	// Actions per channel, on a sample of the night's claims, one after
	// the other as a pass runs them.
	const sample = 200
	var letters, mails []app.StepRun
	for _, c := range claims {
		switch {
		case c.Channel == "letter" && len(letters) < sample:
			letters = append(letters, c)
		case c.Channel == "email" && len(mails) < sample:
			mails = append(mails, c)
		}
	}
	ids := make([]uuid.UUID, len(mails))
	for i, c := range mails {
		ids[i] = c.CaseID
	}
	if _, err := w.db.Pool.Exec(ctx, `UPDATE debtors d SET emails = jsonb_build_array('compta.' || left(d.id::text, 8) || '@debiteur.test')
		FROM cases c WHERE c.debtor_id = d.id AND c.id = ANY($1)`, ids); err != nil {
		b.Fatal(err)
	}
	act := func(runs []app.StepRun) (perSecond float64, ok int) {
		t0 := time.Now()
		for _, r := range runs {
			if err := w.svc.RunClaimed(ctx, night.Pass.ID, r.ID); err != nil {
				b.Logf("step of %s: %v", r.CaseID, err)
			}
		}
		d := time.Since(t0)
		list := make([]uuid.UUID, len(runs))
		for i, r := range runs {
			list[i] = r.ID
		}
		var n int
		if err := w.db.Pool.QueryRow(ctx, "SELECT count(*) FROM strategy_step_runs WHERE id = ANY($1) AND state = 'done'", list).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return float64(len(runs)) / d.Seconds(), n
	}
	letterRate, lettersDone := act(letters)
	mailRate, mailsDone := act(mails)
	received := len(catcher.Messages())
	b.Logf("letters: %d run, %d done, %.1f/s; e-mails: %d run, %d done, %d received by the SMTP server, %.1f/s",
		len(letters), lettersDone, letterRate, len(mails), mailsDone, received, mailRate)

	b.ReportMetric(nightT.Seconds(), "night-s")
	b.ReportMetric(rawAfter.Seconds(), "raw-s")
	b.ReportMetric(nightT.Seconds()/max(rawAfter.Seconds(), 1e-9), "night/raw")
	b.ReportMetric(float64(len(claims)), "claimed")
	b.ReportMetric(letterRate, "letters/s")
	b.ReportMetric(mailRate, "emails/s")
	b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
	b.ReportMetric(ms(percentile(before, 0.99)), "queue-p99-before-ms")
	b.ReportMetric(ms(percentile(during, 0.99)), "queue-p99-during-ms")
	b.Logf("queue claims: before %d, p50 %.1f ms, p99 %.1f ms; during the pass %d, p50 %.1f ms, p99 %.1f ms",
		len(before), ms(percentile(before, 0.5)), ms(percentile(before, 0.99)), len(during), ms(percentile(during, 0.5)), ms(percentile(during, 0.99)))
}
