package server_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/server"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(childMain(spec)) // a server process of a crash test (child_test.go)
	}
	pgtest.Main(m)
}

func testConfig(t testing.TB) config.Config { return testConfigIn(t.TempDir()) }

// testConfigIn is the tests' configuration with its data in dataDir.
func testConfigIn(dataDir string) config.Config {
	cfg := config.Default()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.DataDir = dataDir
	cfg.ShutdownTimeout = 5 * time.Second
	// The tests say when the strategies' engine passes (w.pass): a pass
	// started by the periodic job when the server starts would otherwise
	// claim a test's due step between its enrolment and its own pass
	// (FuzzGate's world once found no call task that way).
	cfg.StrategyMinutes = 0
	cfg.Agency = config.Agency{Name: "Agence Recouvra Test", Address: []string{"10 rue de la Paix", "75002 Paris"}, City: "Paris",
		SIREN: "732829320", Phone: "+33 1 40 00 00 00", Email: "contact@recouvra.test", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "AGRIFRPP"}
	return cfg
}

func TestServerStartsOnPortZeroAndIsReady(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	srv, err := server.Start(context.Background(), testConfig(t), server.Options{DB: db, Version: "v-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())

	c := apitest.New(t, srv.URL())
	r := c.Do("GET", "/readyz", nil)
	if r.Status != 200 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	var rd oapi.Readiness
	r.Decode(t, &rd)
	if len(rd.Checks) != 2 || !rd.Checks[0].Ok || !rd.Checks[1].Ok {
		t.Fatalf("%+v", rd)
	}
	// The pool statistics are exported.
	resp, err := http.Get(srv.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
}

func TestReadyzIsUnavailableWhileMigrationsArePending(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	m, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Down(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.MigrateOnStart = false
	srv, err := server.Start(context.Background(), cfg, server.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	r := apitest.New(t, srv.URL()).Do("GET", "/readyz", nil)
	var rd oapi.Readiness
	r.Decode(t, &rd)
	if r.Status != 503 || rd.Checks[1].Name != oapi.Migrations || rd.Checks[1].Ok {
		t.Fatalf("%d %+v", r.Status, rd)
	}
}

// TestGracefulShutdownLetsInFlightRequestsFinish holds a request open across
// the shutdown and checks it completes while new connections are refused.
func TestGracefulShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	srv, err := server.Start(context.Background(), testConfig(t), server.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URL()

	// Lock goose's version table: the readiness check reads it, so a
	// /readyz request stays in flight until the lock is released.
	tx, err := db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE goose_db_version IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			inflight <- result{err: err}
			return
		}
		resp.Body.Close()
		inflight <- result{status: resp.StatusCode}
	}()
	waitFor(t, func() bool {
		var n int
		_ = db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_locks WHERE NOT granted").Scan(&n)
		return n > 0
	})

	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("shutdown returned (%v) while a request was in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("the server still accepts new requests while shutting down")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := <-inflight; r.err != nil || r.status != 200 {
		t.Fatalf("in-flight request: status %d, err %v", r.status, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
