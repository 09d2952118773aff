package server_test

// The strategy engine's nightly pass on the million-case database
// (make bench-strategies):
//
//	go test -run '^$' -bench BenchmarkStrategies -benchtime 1x -timeout 60m ./internal/server/
//
// Figures only, no timed assertion: the nightly pass's selection and
// planning (enrol every case of a mandate with a strategy, date each one,
// claim every due step) beside the fair reference in the same run — the
// same rows written by the minimal set-based SQL (one INSERT … SELECT for
// the states, one for the claims) into copies of the two tables with the
// same indexes, constraints and row security, the agents working as
// during the night; its rows are checked equal to the night's (counts and
// checksums) — and their ratio (target ≤ 2); the selection alone beside
// the reference's claim statement; the old reference too (one CREATE
// TABLE … AS SELECT writing nothing indexed); actions per second by
// channel (letters; e-mails to a local SMTP server the benchmark starts);
// the process's peak RSS during the pass; the queue's claim
// (POST /api/v1/queue/next) p50/p99 before and while the pass runs.
// RECOUVRA_BENCH_CASES changes the size; RECOUVRA_BENCH_EXPLAIN=file logs
// the plans of the night's statements over 100 ms to file.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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

	// The fair reference: the night's rows — every state enrolled with its
	// date, then every due step claimed — written by the minimal set-based
	// SQL into copies of the two tables with the same indexes, constraints
	// and row security (fairReference), once before the night and once
	// after it; its rows are checked equal to the engine's below.
	// The agents work while each of them runs, as while the night runs: the
	// same conditions.
	busy := func(fn func()) []time.Duration {
		stopped.Store(false)
		var during []time.Duration
		done := make(chan struct{})
		go func() { during = claimQueue(&stopped, 0); close(done) }()
		fn()
		stopped.Store(true)
		<-done
		return during
	}
	now := w.clock.Now()
	var refBefore, refAfter refFigures
	refBefore = fairReference(b, w, today, now, func(fn func()) { busy(fn) })

	// RECOUVRA_BENCH_EXPLAIN=file: every statement of the night taking
	// over 100 ms is logged with its plan, times and buffers (auto_explain)
	// and the log copied to file — where the night's time goes.
	explain := os.Getenv("RECOUVRA_BENCH_EXPLAIN")
	if explain != "" {
		for _, set := range []string{"session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = 100",
			"auto_explain.log_analyze = on", "auto_explain.log_buffers = on", "auto_explain.log_nested_statements = on"} {
			if _, err := w.db.Pool.Exec(ctx, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET "+strings.ReplaceAll(set, "'", "''")+"', current_database()); END $$"); err != nil {
				b.Fatal(err)
			}
		}
		w.db.Pool.Reset() // new connections load it
	}

	// The nightly pass's selection and planning, agents working meanwhile.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak RSS
	var night app.NightFigures
	var claims []app.StepRun
	var planned, selectT time.Duration
	during := busy(func() {
		t0 := time.Now()
		var ok bool
		var err error
		night, ok, err = w.svc.PlanNight(ctx)
		if err != nil || !ok {
			b.Fatalf("plan night: %v %v", ok, err)
		}
		planned = time.Since(t0)
		t2 := time.Now()
		if claims, err = w.svc.SelectNight(ctx, night.Pass.ID); err != nil {
			b.Fatal(err)
		}
		selectT = time.Since(t2)
	})
	nightT := planned + selectT
	peak := peakRSS()
	if explain != "" {
		var dir string
		if err := w.db.Pool.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err != nil {
			b.Fatal(err)
		}
		if log, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "postgres.log")); err != nil {
			b.Error(err)
		} else if err := os.WriteFile(explain, log, 0o644); err != nil {
			b.Error(err)
		}
	}
	refAfter = fairReference(b, w, today, now, func(fn func()) { busy(fn) })
	ref := refBefore // the faster of the two: the stricter ratio
	if refAfter.total() < ref.total() {
		ref = refAfter
	}

	// The engine's rows are the reference's: same counts, same checksums.
	engine := refFigures{states: rowSum(b, w, "case_strategies", ""), claims: rowSum(b, w, "strategy_step_runs", "pass_id = '"+night.Pass.ID.String()+"'")}
	for _, r := range []refFigures{refBefore, refAfter} {
		if r.states != engine.states || r.claims != engine.claims {
			b.Errorf("the reference's rows differ from the night's: states %+v / %+v, claims %+v / %+v", r.states, engine.states, r.claims, engine.claims)
		}
	}
	if int64(len(claims)) != engine.claims.n {
		b.Errorf("the night returned %d claims, its pass holds %d", len(claims), engine.claims.n)
	}
	b.Logf("fair reference (same rows, same indexes and constraints): before the night %s (enrol %s, claim %s), after it %s (enrol %s, claim %s); %d states (checksum %s), %d claims (checksum %s): equal to the night's",
		refBefore.total().Round(time.Millisecond), refBefore.enrol.Round(time.Millisecond), refBefore.claim.Round(time.Millisecond),
		refAfter.total().Round(time.Millisecond), refAfter.enrol.Round(time.Millisecond), refAfter.claim.Round(time.Millisecond),
		engine.states.n, engine.states.sum, engine.claims.n, engine.claims.sum)
	b.Logf("whole night %s against the fair reference %s: ratio %.2f (target ≤ 2)", nightT.Round(time.Millisecond), ref.total().Round(time.Millisecond),
		nightT.Seconds()/max(ref.total().Seconds(), 1e-9))
	b.ReportMetric(nightT.Seconds()/max(ref.total().Seconds(), 1e-9), "night/fair-ref")
	b.ReportMetric(ref.total().Seconds(), "fair-ref-s")
	rawClaimT := ref.claim
	b.Logf("selection: the night's batches %s, the reference's one INSERT … SELECT of the same %d claims %s (ratio %.2f)",
		selectT.Round(time.Millisecond), ref.claims.n, rawClaimT.Round(time.Millisecond), selectT.Seconds()/max(rawClaimT.Seconds(), 1e-9))
	b.ReportMetric(selectT.Seconds()/max(rawClaimT.Seconds(), 1e-9), "select/raw-claim")
	rawAfter, _ := raw()
	b.Logf("nightly: enrolled %d, stale %d, dated %d in %s (stale marks %s, calendar and enrolment %s, dating %s, statistics %s); claimed %d in %s; total %s — the old reference, one CREATE TABLE … AS SELECT writing nothing indexed: %d rows in %s (before) / %s (after)",
		night.Enrolled, night.Stale, night.Dated, planned.Round(time.Millisecond), night.MarkTook.Round(time.Millisecond), night.EnrolTook.Round(time.Millisecond),
		night.DateTook.Round(time.Millisecond), night.AnalyzeTook.Round(time.Millisecond), len(claims), selectT.Round(time.Millisecond), nightT.Round(time.Millisecond), rawRows,
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
	b.ReportMetric(nightT.Seconds()/max(rawAfter.Seconds(), 1e-9), "night/raw") // the old reference: it writes nothing indexed
	b.ReportMetric(float64(len(claims)), "claimed")
	b.ReportMetric(letterRate, "letters/s")
	b.ReportMetric(mailRate, "emails/s")
	b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
	b.ReportMetric(ms(percentile(before, 0.99)), "queue-p99-before-ms")
	b.ReportMetric(ms(percentile(during, 0.99)), "queue-p99-during-ms")
	b.Logf("queue claims: before %d, p50 %.1f ms, p99 %.1f ms; during the pass %d, p50 %.1f ms, p99 %.1f ms",
		len(before), ms(percentile(before, 0.5)), ms(percentile(before, 0.99)), len(during), ms(percentile(during, 0.5)), ms(percentile(during, 0.99)))
}

// rowCheck is a table's rows as counted and summed: the sum of a 64-bit
// hash of each row's compared columns (order-free).
type rowCheck struct {
	n   int64
	sum string
}

// refFigures: the fair reference's times, and the rows it wrote.
type refFigures struct {
	enrol, claim   time.Duration
	states, claims rowCheck
}

func (r refFigures) total() time.Duration { return r.enrol + r.claim }

// rowSum counts and sums the rows of a strategy states table (its columns
// but updated_at) or of a claims table (its columns but id and pass_id).
func rowSum(b *testing.B, w *world, table, where string) rowCheck {
	b.Helper()
	cols := "case_id, creditor_id, strategy_id, position, last_step, last_step_on, next_due_on, waiting_task_id, assigned_on, planned"
	if table == "strategy_step_runs" || table == "ref_step_runs" {
		cols = "case_id, creditor_id, strategy_id, step_index, due_on, channel, acted_channel, state, attempts, reason, next_attempt_at, claimed_at, finished_at, document_id"
	}
	if where == "" {
		where = "true"
	}
	var c rowCheck
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*), coalesce(sum(hashtextextended(ROW(`+cols+`)::text, 0)::numeric), 0)::text
		FROM `+table+` WHERE `+where).Scan(&c.n, &c.sum); err != nil {
		b.Fatal(err)
	}
	return c
}

// fairReference writes the night's rows with the minimal set-based SQL:
// ONE INSERT … SELECT enrolling every open case of a mandate with a
// strategy, dated (the benchmark's first steps count calendar days from
// the placement, a day in Paris), then ONE INSERT … SELECT claiming every
// due, unpaused step of those states — into ref_case_strategies and
// ref_step_runs, made empty as copies of case_strategies and
// strategy_step_runs with everything that makes a write cost: columns,
// defaults, checks, indexes and unique keys (LIKE … INCLUDING ALL), the
// foreign keys and the row security policies read from the catalogue.
// The copies are dropped after their rows are summed. The two statements
// run inside busy (the agents working); making and dropping the copies
// (their foreign keys lock the tables they reference) outside.
func fairReference(b *testing.B, w *world, today recouvra.Date, now time.Time, busy func(func())) refFigures {
	b.Helper()
	ctx := context.Background()
	exec := func(sql string, args ...any) int64 {
		tag, err := w.db.Pool.Exec(ctx, sql, args...)
		if err != nil {
			b.Fatalf("%v: %s", err, sql)
		}
		return tag.RowsAffected()
	}
	exec("DROP TABLE IF EXISTS ref_step_runs, ref_case_strategies")
	for _, t := range [][2]string{{"case_strategies", "ref_case_strategies"}, {"strategy_step_runs", "ref_step_runs"}} {
		exec("CREATE TABLE " + t[1] + " (LIKE " + t[0] + " INCLUDING ALL)")
		rows, err := w.db.Pool.Query(ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'
			UNION ALL SELECT 'ROW LEVEL SECURITY' FROM pg_class WHERE oid = $1::regclass AND relrowsecurity
			UNION ALL SELECT format('POLICY %I ON %s TO %s USING (%s)', policyname, $2::text, array_to_string(roles, ', '), qual)
			FROM pg_policies WHERE schemaname = current_schema() AND tablename = $3`, t[0], t[1], t[0])
		if err != nil {
			b.Fatal(err)
		}
		defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
		for _, def := range defs {
			switch {
			case strings.HasPrefix(def, "FOREIGN KEY"):
				exec("ALTER TABLE " + t[1] + " ADD " + def)
			case def == "ROW LEVEL SECURITY":
				exec("ALTER TABLE " + t[1] + " ENABLE ROW LEVEL SECURITY")
			default:
				exec("CREATE " + def)
			}
		}
	}
	var pass uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, "INSERT INTO strategy_passes (run_on, started_at, finished_at) VALUES ($1, $2, $2) RETURNING id", today.Time(), now).Scan(&pass); err != nil {
		b.Fatal(err)
	}
	var f refFigures
	busy(func() {
		t0 := time.Now()
		exec(`INSERT INTO ref_case_strategies (case_id, creditor_id, strategy_id, assigned_on, next_due_on, planned)
		SELECT c.id, c.creditor_id, m.strategy_id, $1, (c.created_at AT TIME ZONE 'Europe/Paris')::date + (s.steps -> 0 ->> 'delay')::int, true
		FROM cases c JOIN strategy_mandates m ON m.creditor_id = c.creditor_id JOIN strategies s ON s.id = m.strategy_id
		WHERE c.stage IN ('amicable', 'formal_notice')`, today.Time())
		f.enrol = time.Since(t0)
		t1 := time.Now()
		exec(`INSERT INTO ref_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, claimed_at)
		SELECT cs.case_id, cs.creditor_id, cs.strategy_id, cs.position, $2, cs.next_due_on, coalesce(s.steps -> cs.position ->> 'channel', ''), 'claimed', $3
		FROM ref_case_strategies cs JOIN cases c ON c.id = cs.case_id JOIN debtors d ON d.id = c.debtor_id JOIN strategies s ON s.id = cs.strategy_id
		WHERE cs.next_due_on <= $1
		  AND NOT c.open_dispute AND c.promise_due_on IS NULL AND c.running_plan_id IS NULL AND NOT c.withdrawal_requested
		  AND d.insolvency_proceedings IS NULL
		  AND NOT (s.pause_after_payment_days > 0 AND EXISTS (SELECT 1 FROM payments p WHERE p.case_id = c.id AND p.reversed_at IS NULL
		        AND p.received_on >= $1::date - s.pause_after_payment_days))`, today.Time(), pass, now)
		f.claim = time.Since(t1)
	})
	f.states, f.claims = rowSum(b, w, "ref_case_strategies", ""), rowSum(b, w, "ref_step_runs", "")
	exec("DROP TABLE ref_step_runs, ref_case_strategies")
	exec("DELETE FROM strategy_passes WHERE id = $1", pass)
	return f
}
