package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

// TestTwoInstancesOnOneDatabase runs two complete servers — each with its
// own connection pool, LISTEN connection, live hub and River client — on
// one database, as two `recouvra serve` behind a load balancer, and checks
// across them what must hold whichever instance a request reaches: both
// start at once on a database whose job tables are missing (migrations
// serialised), queue leases, idempotency keys, login throttling, the live
// stream, and periodic jobs run by one of them.
func TestTwoInstancesOnOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 10, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	dbA, dbB := open(), open()
	// Job tables missing, as on a new database: both instances create them
	// at start, at the same time.
	m, err := rivermigrate.New(riverpgxv5.New(dbA.Pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now().UTC()}
	start := func(db *postgres.DB) (*server.Server, error) {
		return server.Start(ctx, testConfig(t), server.Options{DB: db, Password: &cheapHash, Now: clk.Now,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	}
	var srvB *server.Server
	var errB error
	started := make(chan struct{})
	go func() {
		defer close(started)
		srvB, errB = start(dbB)
	}()
	srvA, errA := start(dbA)
	<-started
	for _, s := range []*server.Server{srvA, srvB} {
		if s != nil {
			t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
		}
	}
	if errA != nil || errB != nil {
		t.Fatalf("two instances starting at once: A %v, B %v", errA, errB)
	}
	// The world (users, creditors, cases) on A, with A's clock.
	w := newWorldOnServer(t, dbA, srvA, clk)
	on := func(s *server.Server, as string) *apitest.Client {
		c := apitest.New(t, s.URL())
		c.Header.Set("Authorization", "Bearer "+w.tokens[as])
		return c
	}

	t.Run("queue leases", func(t *testing.T) {
		for i := range 6 {
			w.newCase(w.credA.ID, fmt.Sprint("Débiteur de file ", i), "")
		}
		w.tokens["agent2"] = w.login(w.createUser("agent2@recouvra.test", recouvra.RoleAgent, nil).Email)
		// Each round, an agent on A and another on B ask for the next case
		// at the same moment: they never get the same one.
		for round := range 4 {
			var got [2]string
			var wg sync.WaitGroup
			for i, c := range []*apitest.Client{on(srvA, "agent"), on(srvB, "agent2")} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := c.Do("POST", "/api/v1/queue/next", nil)
					if r.Status != 200 {
						got[i] = fmt.Sprint("status ", r.Status)
						return
					}
					var out struct{ ID string }
					r.Decode(t, &out)
					got[i] = out.ID
				}()
			}
			wg.Wait()
			if got[0] == got[1] || len(got[0]) != 36 || len(got[1]) != 36 {
				t.Fatalf("round %d: A handed out %s, B %s", round, got[0], got[1])
			}
		}
		var doubles int
		if err := dbA.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT lease_agent_id FROM cases WHERE lease_agent_id IS NOT NULL AND lease_until > $1
			GROUP BY lease_agent_id HAVING count(*) > 1) x`, clk.Now()).Scan(&doubles); err != nil {
			t.Fatal(err)
		}
		if doubles != 0 {
			t.Fatalf("%d agents hold more than one case", doubles)
		}
	})

	t.Run("idempotency keys", func(t *testing.T) {
		path := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/payments"
		body := map[string]any{"amount_cents": 1234, "received_on": recouvra.DateOf(clk.Now()).String(), "method": "transfer"}
		first := on(srvA, "agent").Do("POST", path, body, "Idempotency-Key", "deux-instances-1")
		if first.Status != 201 {
			t.Fatalf("on A: %d %s", first.Status, first.Body)
		}
		retry := on(srvB, "agent").Do("POST", path, body, "Idempotency-Key", "deux-instances-1")
		if retry.Status != 201 || retry.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(retry.Body, first.Body) {
			t.Fatalf("the retry on B: %d (replayed %q) %s", retry.Status, retry.Header.Get("Idempotent-Replayed"), retry.Body)
		}
		// The same key sent to both at the same moment: one payment.
		body["amount_cents"] = 4321
		var answers [2]*apitest.Response
		var wg sync.WaitGroup
		for i, s := range []*server.Server{srvA, srvB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = on(s, "agent").Do("POST", path, body, "Idempotency-Key", "deux-instances-2")
			}()
		}
		wg.Wait()
		if answers[0].Status != 201 || answers[1].Status != 201 || !bytes.Equal(answers[0].Body, answers[1].Body) {
			t.Fatalf("at once on A and B: %d %s / %d %s", answers[0].Status, answers[0].Body, answers[1].Status, answers[1].Body)
		}
		if n := w.countRows(t, "SELECT count(*) FROM payments WHERE amount_cents IN (1234, 4321)"); n != 2 {
			t.Fatalf("%d payments, want 2", n)
		}
	})

	t.Run("login throttling", func(t *testing.T) {
		email := w.users["lawyer"].Email
		for i := range config.Default().LoginMaxFailures {
			s := []*server.Server{srvA, srvB}[i%2]
			if r := apitest.New(t, s.URL()).Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "pas le bon"}); r.Status != 401 {
				t.Fatalf("failure %d: %d %s", i, r.Status, r.Body)
			}
		}
		for name, s := range map[string]*server.Server{"A": srvA, "B": srvB} {
			if r := apitest.New(t, s.URL()).Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword}); r.Status != 429 {
				t.Fatalf("after failures on both, the right password on %s: %d %s", name, r.Status, r.Body)
			}
		}
	})

	t.Run("live stream", func(t *testing.T) {
		onB := w.streamAt(t, srvB.URL(), "creditor", "")
		staffOnA := w.streamAt(t, srvA.URL(), "agent", "")
		seqA := w.logEvent(t, "agent", w.caseA.Case.ID, message("écrit sur A"))
		r := on(srvB, "agent").Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/events", message("écrit sur B"))
		if r.Status != 201 {
			t.Fatalf("on B: %d %s", r.Status, r.Body)
		}
		var seqB struct{ Seq int64 }
		r.Decode(t, &seqB)
		if got := ids(onB.readN(t, 2)); got[0] != seqA || got[1] != fmt.Sprint(seqB.Seq) {
			t.Fatalf("the creditor's stream on B got %v, want [%s %d]", got, seqA, seqB.Seq)
		}
		// Staff on A: the payments above, and the two messages.
		var got []string
		for len(got) == 0 || got[len(got)-1] != fmt.Sprint(seqB.Seq) {
			got = append(got, staffOnA.next(t).id)
		}
		if got[len(got)-2] != seqA {
			t.Fatalf("staff's stream on A got %v", got)
		}
	})

	t.Run("periodic jobs run once", func(t *testing.T) {
		// Only River's elected leader inserts periodic jobs: one promise
		// sweep, run once, whichever instance leads.
		count := func() (inserted, completed int) {
			t.Helper()
			if err := dbA.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'completed') FROM river_job
				WHERE kind = 'periodic' AND args->>'name' = 'promise_sweep'`).Scan(&inserted, &completed); err != nil {
				t.Fatal(err)
			}
			return
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, done := count(); done > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(2 * time.Second) // the other instance had its chance
		if inserted, completed := count(); inserted != 1 || completed != 1 {
			t.Fatalf("promise sweeps: %d inserted, %d completed; want 1 and 1", inserted, completed)
		}
	})
}

// newWorldOnServer is newWorld around a server the test started itself.
func newWorldOnServer(t *testing.T, db *postgres.DB, srv *server.Server, clk *clock) *world {
	t.Helper()
	return newWorldFrom(t, db, srv, clk, t.TempDir())
}
