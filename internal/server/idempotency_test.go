package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
)

// countRows counts rows of a query on the world's database.
func (w *world) countRows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := w.db.Pool.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

// TestIdempotentPaymentCommitsWithItsKey: the key, the payment and the
// answer commit together. A failure after the payment was inserted, or at
// the commit itself (after the handler had its 201 ready), answers 500 and
// leaves neither payment nor key; the retry with the same key records the
// payment once.
func TestIdempotentPaymentCommitsWithItsKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	path := "/api/v1/cases/" + id + "/payments"
	// Failures PostgreSQL raises on cue: when the payment's event is
	// inserted (inside the handler, after the payment), and at COMMIT (a
	// deferred constraint trigger: after the handler answered).
	w.exec(t, `CREATE FUNCTION fail_on_cue() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'failure on cue (%)', TG_NAME; END $$`)
	w.exec(t, `CREATE TRIGGER fail_in_handler BEFORE INSERT ON events FOR EACH ROW
		WHEN (NEW.data->>'amount_cents' = '7701') EXECUTE FUNCTION fail_on_cue()`)
	w.exec(t, `CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON payments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
		WHEN (NEW.amount_cents = 7702) EXECUTE FUNCTION fail_on_cue()`)

	for _, c := range []struct {
		name, key, trigger string
		amount             int
	}{
		{"failure in the handler, after the payment", "cue-in-handler", "fail_in_handler", 7701},
		{"failure at commit, after the handler's 201", "cue-at-commit", "fail_at_commit", 7702},
	} {
		body := map[string]any{"amount_cents": c.amount, "received_on": "2025-08-10", "method": "transfer"}
		r := w.as("agent").Do("POST", path, body, "Idempotency-Key", c.key)
		if r.Status != http.StatusInternalServerError {
			t.Fatalf("%s: answered %d %s, want 500 (nothing committed)", c.name, r.Status, r.Body)
		}
		if n := w.countRows(t, "SELECT count(*) FROM payments WHERE amount_cents = $1", c.amount); n != 0 {
			t.Fatalf("%s: %d payments left behind", c.name, n)
		}
		if n := w.countRows(t, "SELECT count(*) FROM idempotency_keys WHERE key = $1", c.key); n != 0 {
			t.Fatalf("%s: the key was kept", c.name)
		}
		w.exec(t, "DROP TRIGGER "+c.trigger+" ON "+map[string]string{"fail_in_handler": "events", "fail_at_commit": "payments"}[c.trigger])
		r = w.as("agent").Do("POST", path, body, "Idempotency-Key", c.key)
		if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s: retry answered %d (replayed %q) %s", c.name, r.Status, r.Header.Get("Idempotent-Replayed"), r.Body)
		}
		again := w.as("agent").Do("POST", path, body, "Idempotency-Key", c.key)
		if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
			t.Fatalf("%s: replay answered %d %s", c.name, again.Status, again.Body)
		}
		if n := w.countRows(t, "SELECT count(*) FROM payments WHERE amount_cents = $1", c.amount); n != 1 {
			t.Fatalf("%s: %d payments after the retry", c.name, n)
		}
	}
}

// TestConcurrentRetriesWaitAndReplay: retries sent while the first request
// with their key is still running wait for it and get its answer — not a
// 409 they would have to retry, and never a second payment.
func TestConcurrentRetriesWaitAndReplay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	body := []byte(`{"amount_cents": 4321, "received_on": "2025-08-10", "method": "card"}`)
	url := w.srv.URL() + "/api/v1/cases/" + id + "/payments"
	const n = 30
	statuses, bodies, errs := make([]int, n), make([][]byte, n), make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() { // reports through the slices: no t.Fatal off the test's goroutine
			defer wg.Done()
			<-start
			req, err := http.NewRequest("POST", url, bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Authorization", "Bearer "+w.tokens["lawyer"])
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "wait-for-the-first")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			bodies[i], errs[i] = io.ReadAll(resp.Body)
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if statuses[i] != http.StatusCreated || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("retry %d answered %d %s; the first %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	if got := w.countRows(t, "SELECT count(*) FROM payments WHERE amount_cents = 4321"); got != 1 {
		t.Fatalf("%d payments from %d concurrent requests with one key", got, n)
	}
}
