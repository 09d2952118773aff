package server_test

// The performance targets of the case lifecycle, measured on a million
// cases over two hundred creditors (make bench):
//
//	go test -run '^$' -bench BenchmarkMillionCases -benchtime 2000x -timeout 30m ./internal/server/
//
// Each figure is printed beside the same SQL run raw through pgx in the same
// run, and as their ratio; RECOUVRA_BENCH_CASES changes the size.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func BenchmarkMillionCases(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RECOUVRA_BENCH_CASES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	// One client per principal asks thousands of times as fast as it can:
	// the per-caller rate limit would measure itself.
	w := newWorldWith(b, io.Discard, func(c *config.Config) { c.RateLimit = 0 })
	ctx := context.Background()
	start := time.Now()
	s := &demo.Seeder{Svc: w.svc, Clock: demo.NewClock(w.clock.Now()), Out: io.Discard, Rand: rand.New(rand.NewPCG(7, 7))}
	if err := s.Bulk(ctx, w.db, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d cases in %s", n, time.Since(start).Round(time.Second))
	var someCreditor uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, "SELECT creditor_id FROM cases GROUP BY creditor_id ORDER BY count(*) DESC LIMIT 1").Scan(&someCreditor); err != nil {
		b.Fatal(err)
	}
	// A creditor user of one of the bulk creditors.
	cu := w.createUser("bench.creditor@recouvra.test", recouvra.RoleCreditor, &someCreditor)
	w.tokens["bench_creditor"] = w.login(cu.Email)
	agent := w.users["agent"].ID
	today := recouvra.DateOf(w.clock.Now())

	raw := map[string]struct {
		sql  string
		args func() []any
	}{
		"list":          {"SELECT * FROM cases ORDER BY id DESC LIMIT 51", func() []any { return nil }},
		"list-creditor": {"SELECT * FROM cases WHERE creditor_id = $1 ORDER BY id DESC LIMIT 51", func() []any { return []any{someCreditor} }},
		"queue": {`SELECT * FROM cases WHERE stage IN ('amicable', 'formal_notice')
			AND (assigned_agent_id = $1 OR assigned_agent_id IS NULL) AND (next_action_on IS NULL OR next_action_on <= $2)
			AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1)
			ORDER BY priority DESC, broken_promises DESC, balance_cents DESC, id LIMIT 50`,
			func() []any { return []any{agent, today.Time(), time.Now()} }},
		// The portfolio's main sum; the endpoint adds the ageing, the
		// remittances and the currencies.
		"portfolio-creditor": {`SELECT stage, count(*), sum(balance_cents), sum(principal_cents), sum(paid_cents) FROM cases
			WHERE currency = 'EUR' AND creditor_id = $1 GROUP BY stage`, func() []any { return []any{someCreditor} }},
		"portfolio-agency": {`SELECT stage, count(*), sum(balance_cents), sum(principal_cents), sum(paid_cents) FROM cases
			WHERE currency = 'EUR' GROUP BY stage`, func() []any { return nil }},
	}
	// No list, queue or creditor query may scan the whole cases table; the
	// agency-wide portfolio sums every case by design.
	for name, q := range raw {
		var plan string
		if err := w.db.Pool.QueryRow(ctx, "EXPLAIN "+q.sql, q.args()...).Scan(&plan); err != nil {
			b.Fatal(err)
		}
		rows, _ := w.db.Pool.Query(ctx, "EXPLAIN "+q.sql, q.args()...)
		var lines []string
		for rows.Next() {
			var l string
			_ = rows.Scan(&l)
			lines = append(lines, l)
		}
		full := strings.Join(lines, "\n")
		if strings.Contains(full, "Seq Scan on cases") && name != "portfolio-agency" {
			b.Fatalf("%s scans the whole cases table:\n%s", name, full)
		}
		b.Logf("%s plan:\n%s", name, full)
	}

	api := map[string]struct{ as, path string }{
		"list":               {"admin", "/api/v1/cases?limit=50"},
		"list-creditor":      {"bench_creditor", "/api/v1/cases?limit=50"},
		"queue":              {"agent", "/api/v1/queue?limit=50"},
		"portfolio-creditor": {"bench_creditor", "/api/v1/portfolio"},
		"portfolio-agency":   {"admin", "/api/v1/portfolio"},
	}
	for _, name := range []string{"list", "list-creditor", "queue", "portfolio-creditor", "portfolio-agency"} {
		b.Run(name, func(b *testing.B) {
			client := &http.Client{}
			tok := w.tokens[api[name].as]
			var apiT, sqlT []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				req, _ := http.NewRequest("GET", w.srv.URL()+api[name].path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				// A page of items, or the portfolio's count of cases.
				var page struct {
					Items []json.RawMessage
					Cases int
				}
				_ = json.NewDecoder(resp.Body).Decode(&page)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(page.Items)+page.Cases == 0 {
					b.Fatalf("%s: %d, %d items, %d cases", name, resp.StatusCode, len(page.Items), page.Cases)
				}
				apiT = append(apiT, time.Since(t0))

				t0 = time.Now()
				rows, err := w.db.Pool.Query(ctx, raw[name].sql, raw[name].args()...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					_, _ = rows.Values()
				}
				rows.Close()
				sqlT = append(sqlT, time.Since(t0))
			}
			report(b, apiT, sqlT)
		})
	}

	// The debtor's page through its capability link: the statement view a
	// debtor opens from a letter (GET /d/<token>, server-rendered HTML),
	// on open cases drawn across the million, beside the same reads raw —
	// the link by its hash, the case, its creditor and debtor, claims,
	// payments, rates, documents and plans — without the statement's
	// computation or the page.
	b.Run("debtor-page", func(b *testing.B) {
		type link struct {
			caseID, credID, debtorID uuid.UUID
			token                    string
		}
		rows, err := w.db.Pool.Query(ctx, `SELECT id, creditor_id, debtor_id FROM cases TABLESAMPLE SYSTEM (1) REPEATABLE (7)
			WHERE stage <> 'closed' LIMIT 200`)
		if err != nil {
			b.Fatal(err)
		}
		var links []link
		for rows.Next() {
			var l link
			if err := rows.Scan(&l.caseID, &l.credID, &l.debtorID); err != nil {
				b.Fatal(err)
			}
			links = append(links, l)
		}
		rows.Close()
		if len(links) == 0 {
			b.Fatal("no open case sampled")
		}
		for i := range links {
			v, err := w.svc.DebtorLinkOf(ctx, app.System, links[i].caseID)
			if err != nil || v.URL == "" {
				b.Fatalf("link: %+v %v", v, err)
			}
			links[i].token = v.URL[strings.LastIndex(v.URL, "/")+1:]
		}
		reads := []string{
			"SELECT case_id, version, revoked_at FROM debtor_links WHERE token_hash = $1",
			"SELECT * FROM cases WHERE id = $1", "SELECT * FROM creditors WHERE id = $1", "SELECT * FROM debtors WHERE id = $1",
			"SELECT * FROM claims WHERE case_id = $1", "SELECT * FROM payments WHERE case_id = $1", "SELECT * FROM rates",
			"SELECT * FROM documents WHERE case_id = $1", "SELECT * FROM plans WHERE case_id = $1",
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var apiT, sqlT []time.Duration
		for i := 0; i < b.N; i++ {
			l := links[i%len(links)]
			t0 := time.Now()
			resp, err := client.Get(w.srv.URL() + "/d/" + l.token)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), `id="total-du"`) {
				b.Fatalf("debtor page: %d %.300s", resp.StatusCode, body)
			}
			apiT = append(apiT, time.Since(t0))

			hash := recouvra.HashDebtorToken(l.token)
			args := [][]any{{hash}, {l.caseID}, {l.credID}, {l.debtorID}, {l.caseID}, {l.caseID}, nil, {l.caseID}, {l.caseID}}
			t0 = time.Now()
			for j, q := range reads {
				rows, err := w.db.Pool.Query(ctx, q, args[j]...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					_, _ = rows.Values()
				}
				rows.Close()
			}
			sqlT = append(sqlT, time.Since(t0))
		}
		report(b, apiT, sqlT)
	})

	b.Run("queue-next-64-agents", func(b *testing.B) {
		const agents = 64
		tokens := make([]string, agents)
		for i := range tokens {
			email := fmt.Sprintf("bench.agent%d.%d@recouvra.test", i, b.N)
			w.createUser(email, recouvra.RoleAgent, nil)
			tokens[i] = w.login(email)
		}
		var mu sync.Mutex
		holder := map[string]int{} // case id → agent holding it now
		doubles := 0
		var apiT []time.Duration
		var wg sync.WaitGroup
		per := max(b.N/agents, 1)
		errs := make(chan error, agents) // reported on the benchmark's own goroutine
		for a := 0; a < agents; a++ {
			wg.Add(1)
			go func(a int) {
				defer wg.Done()
				client := &http.Client{}
				current := ""
				for i := 0; i < per; i++ {
					// The agent's previous case is released by this very call.
					mu.Lock()
					if current != "" {
						delete(holder, current)
					}
					mu.Unlock()
					t0 := time.Now()
					req, _ := http.NewRequest("POST", w.srv.URL()+"/api/v1/queue/next", nil)
					req.Header.Set("Authorization", "Bearer "+tokens[a])
					resp, err := client.Do(req)
					if err != nil {
						errs <- err
						return
					}
					var c struct{ ID string }
					_ = json.NewDecoder(resp.Body).Decode(&c)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					apiT = append(apiT, d)
					if resp.StatusCode == 200 {
						if h, held := holder[c.ID]; held && h != a {
							doubles++
						}
						holder[c.ID], current = a, c.ID
					}
					mu.Unlock()
				}
			}(a)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Error(err)
		}
		b.ReportMetric(float64(doubles), "double-claims")
		b.ReportMetric(ms(percentile(apiT, 0.50)), "api-p50-ms")
		b.ReportMetric(ms(percentile(apiT, 0.99)), "api-p99-ms")
		if doubles > 0 {
			b.Errorf("%d cases were held by two agents at once", doubles)
		}
	})
}

func report(b *testing.B, apiT, sqlT []time.Duration) {
	a50, a99 := percentile(apiT, 0.50), percentile(apiT, 0.99)
	s50, s99 := percentile(sqlT, 0.50), percentile(sqlT, 0.99)
	b.ReportMetric(ms(a50), "api-p50-ms")
	b.ReportMetric(ms(a99), "api-p99-ms")
	b.ReportMetric(ms(s50), "sql-p50-ms")
	b.ReportMetric(ms(s99), "sql-p99-ms")
	b.ReportMetric(float64(a99)/float64(max(s99, 1)), "p99-api/sql")
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(int(float64(len(s))*p), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
