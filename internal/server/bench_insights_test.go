package server_test

// The creditor's questions on the bulk agency (RECOUVRA_BENCH_CASES cases,
// a million by default, over two hundred creditors):
//
//	RECOUVRA_BENCH_CASES=100000 go test -run '^$' -bench BenchmarkInsights -benchtime 200x -timeout 30m ./internal/server/
//
// Each call is a full HTTP request; its latency is reported beside none
// (no single raw query matches an endpoint that runs five).

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func BenchmarkInsights(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("RECOUVRA_BENCH_CASES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	w := newWorldWith(b, io.Discard, func(c *config.Config) { c.RateLimit = 0 })
	ctx := context.Background()
	start := time.Now()
	s := &demo.Seeder{Svc: w.svc, Clock: demo.NewClock(w.clock.Now()), Out: io.Discard, Rand: rand.New(rand.NewPCG(7, 7))}
	if err := s.Bulk(ctx, w.db, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d cases in %s", n, time.Since(start).Round(time.Second))
	var someCreditor uuid.UUID
	var itsCases int
	if err := w.db.Pool.QueryRow(ctx, "SELECT creditor_id, count(*) FROM cases GROUP BY creditor_id ORDER BY count(*) DESC LIMIT 1").Scan(&someCreditor, &itsCases); err != nil {
		b.Fatal(err)
	}
	b.Logf("the creditor measured has %d cases", itsCases)
	cu := w.createUser("bench.insights@recouvra.test", recouvra.RoleCreditor, &someCreditor)
	w.tokens["bench_creditor"] = w.login(cu.Email)

	calls := []struct{ name, as, path string }{
		{"performance-creditor", "bench_creditor", "/api/v1/portfolio/performance"},
		{"performance-agency", "admin", "/api/v1/portfolio/performance"},
		{"list-creditor-by-balance", "bench_creditor", "/api/v1/cases?limit=50&sort=balance&order=desc"},
		{"list-creditor-by-debtor", "bench_creditor", "/api/v1/cases?limit=50&sort=debtor&order=asc"},
	}
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{}
			var apiT []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				req, _ := http.NewRequest("GET", w.srv.URL()+c.path, nil)
				req.Header.Set("Authorization", "Bearer "+w.tokens[c.as])
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var body struct {
					Items  []json.RawMessage
					Months []json.RawMessage
				}
				_ = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(body.Items)+len(body.Months) == 0 {
					b.Fatalf("%s: %d", c.name, resp.StatusCode)
				}
				apiT = append(apiT, time.Since(t0))
			}
			b.ReportMetric(ms(percentile(apiT, 0.50)), "api-p50-ms")
			b.ReportMetric(ms(percentile(apiT, 0.99)), "api-p99-ms")
		})
	}
}
