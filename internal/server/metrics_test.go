package server_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// scrape reads /metrics from the running server into series name (with
// its labels, as written) → value.
func scrape(t *testing.T, w *world) map[string]float64 {
	t.Helper()
	resp, err := http.Get(w.srv.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("metrics line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMetricsExportTheDatabasePool checks what the README promises on
// /metrics: the database pool's statistics, with values that describe the
// pool the server really uses, moving as requests use it, beside the
// requests counted by route and status.
func TestMetricsExportTheDatabasePool(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")
	if r := admin.Do("GET", "/api/v1/cases", nil); r.Status != http.StatusOK {
		t.Fatalf("cases: %d %s", r.Status, r.Body)
	}
	first := scrape(t, w)
	names := []string{"recouvra_db_pool_connections", "recouvra_db_pool_idle_connections", "recouvra_db_pool_acquired_connections",
		"recouvra_db_pool_max_connections", "recouvra_db_pool_acquires_total", "recouvra_db_pool_acquire_wait_seconds_total"}
	for _, n := range names {
		if _, ok := first[n]; !ok {
			t.Fatalf("metric %s missing from /metrics", n)
		}
	}
	total, idle, acquired, max := first[names[0]], first[names[1]], first[names[2]], first[names[3]]
	if want := float64(w.db.Pool.Config().MaxConns); max != want {
		t.Errorf("max connections %v, the pool's is %v", max, want)
	}
	if total < 1 || total > max {
		t.Errorf("connections %v after a request, want 1 to %v", total, max)
	}
	if idle < 0 || acquired < 0 || idle+acquired > total {
		t.Errorf("idle %v + acquired %v exceed the %v open", idle, acquired, total)
	}
	if first[names[4]] < 1 || first[names[5]] < 0 {
		t.Errorf("acquires %v, wait %v s", first[names[4]], first[names[5]])
	}
	// More requests acquire more connections: the counter follows.
	for range 3 {
		if r := admin.Do("GET", "/api/v1/cases", nil); r.Status != http.StatusOK {
			t.Fatalf("cases: %d", r.Status)
		}
	}
	second := scrape(t, w)
	if second[names[4]] < first[names[4]]+3 {
		t.Errorf("acquires went from %v to %v over three requests that read the database", first[names[4]], second[names[4]])
	}
	// And the requests themselves, by route and status.
	key := `recouvra_http_requests_total{method="GET",route="/api/v1/cases",status="200"}`
	if second[key] < 4 {
		t.Errorf("%s = %v after four requests", key, second[key])
	}
}
