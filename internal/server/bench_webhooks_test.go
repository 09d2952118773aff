package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
)

// BenchmarkWebhookDeliveries places cases one after another for a
// creditor with one endpoint (case.placed) on a local receiver, and
// reports deliveries per second over the run and the delay from each
// event's commit (its use case returning) to its arrival: p50 and p99.
// Figures only; nothing is asserted about time.
//
//	go test -run '^$' -bench BenchmarkWebhookDeliveries -benchtime 1x ./internal/server/
func BenchmarkWebhookDeliveries(b *testing.B) {
	w := newWorldWith(b, io.Discard, func(c *config.Config) { c.WebhookAllowPrivate = true })
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	rec := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		mu.Lock()
		arrived[req.Header.Get("webhook-id")] = time.Now()
		mu.Unlock()
		rw.WriteHeader(204)
	}))
	b.Cleanup(rec.Close)
	r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints", map[string]any{"url": rec.URL, "event_types": []string{"case.placed"}})
	if r.Status != 201 {
		b.Fatalf("register: %d %s", r.Status, r.Body)
	}
	const n = 300
	b.ResetTimer()
	for range b.N {
		committed := map[string]time.Time{} // by case id
		start := time.Now()
		for i := 0; i < n; i++ {
			v := w.newCase(w.credA.ID, "Débiteur "+w.unique(), "")
			committed[v.Case.ID.String()] = time.Now()
		}
		// Map each delivery to its case through the API's log.
		deadline := time.Now().Add(60 * time.Second)
		for {
			mu.Lock()
			got := len(arrived)
			mu.Unlock()
			if got >= n || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		end := time.Now()
		b.StopTimer()
		var delays []time.Duration
		rows, err := w.db.Pool.Query(b.Context(), `SELECT id::text, payload->'data'->>'case_id' FROM webhook_deliveries WHERE type = 'case.placed'`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id, caseID string
			if err := rows.Scan(&id, &caseID); err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			at, ok := arrived[id]
			mu.Unlock()
			if c, ok2 := committed[caseID]; ok && ok2 {
				delays = append(delays, at.Sub(c))
			}
		}
		rows.Close()
		sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
		if len(delays) == 0 {
			b.Fatal("nothing delivered")
		}
		pct := func(p float64) time.Duration { return delays[int(p*float64(len(delays)-1))] }
		b.Logf("%d cases placed and delivered in %v: %.0f deliveries/s; commit to delivery p50 %v, p99 %v, max %v",
			len(delays), end.Sub(start).Round(time.Millisecond), float64(len(delays))/end.Sub(start).Seconds(),
			pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), delays[len(delays)-1].Round(time.Microsecond))
		b.ReportMetric(float64(len(delays))/end.Sub(start).Seconds(), "deliveries/s")
		b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
		b.StartTimer()
	}
}
