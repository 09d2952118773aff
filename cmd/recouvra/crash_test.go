package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/pgtest"
)

// crashClient talks to the server across its restarts: base changes with
// each start (port 0).
type crashClient struct {
	base  string
	token string
	http  *http.Client
}

type crashAnswer struct {
	status   int
	body     []byte
	replayed bool
	err      error // no answer: the server died, or refused the connection
}

func (c *crashClient) do(method, path string, body any, header ...string) crashAnswer {
	raw, err := json.Marshal(body)
	if err != nil {
		return crashAnswer{err: err}
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return crashAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return crashAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return crashAnswer{err: err} // cut off mid-answer
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		// The rate limit is not what this test is about: wait as told.
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		time.Sleep(time.Duration(max(secs, 1)) * time.Second)
		return c.do(method, path, body, header...)
	}
	return crashAnswer{status: resp.StatusCode, body: b, replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// crashKey is one payment the test wants recorded exactly once.
type crashKey struct {
	key    string
	caseID string
	body   map[string]any
	// Before the kill.
	first    crashAnswer
	ackedID  string // the payment id of a 2xx answer before the kill
	answered bool
}

// paymentID is the "id" of an answer.
func paymentID(body []byte) string {
	var p struct{ ID string }
	_ = json.Unmarshal(body, &p)
	return p.ID
}

// TestCrashSafeIdempotency kills the real server with SIGKILL while
// payments with Idempotency-Keys are in flight, three times, restarts it
// and retries every key with the same request until it is answered 2xx.
// No key may be stuck (409 after the restart), no payment recorded twice,
// no payment acknowledged before a kill missing after it.
//
//	go test -count=1 -v -run TestCrashSafeIdempotency ./cmd/recouvra/
func TestCrashSafeIdempotency(t *testing.T) {
	url := pgtest.URL(t)
	env := cleanEnv("RECOUVRA_DATABASE_URL="+url, "RECOUVRA_HTTP_ADDR=127.0.0.1:0", "RECOUVRA_DATA_DIR="+t.TempDir())
	const password = "un mot de passe pour le crash"
	if out, code := run(t, append(env[:len(env):len(env)], "RECOUVRA_PASSWORD="+password), "user", "create", "--email", "admin@crash.test", "--role", "admin", "--name", "Admin Crash"); code != 0 {
		t.Fatalf("create admin: exit %d: %s", code, out)
	}
	srv := serve(t, env)
	c := &crashClient{base: srv.base, http: &http.Client{Timeout: 60 * time.Second}}
	r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@crash.test", "password": password})
	if r.err != nil || r.status != 200 {
		t.Fatalf("login: %v %d %s", r.err, r.status, r.body)
	}
	var login struct{ Token string }
	if err := json.Unmarshal(r.body, &login); err != nil {
		t.Fatal(err)
	}
	c.token = login.Token
	r = c.do("POST", "/api/v1/creditors", map[string]any{"legal_name": "Créancier du crash SARL"})
	if r.err != nil || r.status != 201 {
		t.Fatalf("creditor: %v %d %s", r.err, r.status, r.body)
	}
	creditorID := paymentID(r.body)
	today := time.Now().UTC()
	issued, received := today.AddDate(0, 0, -90).Format(time.DateOnly), today.AddDate(0, 0, -1).Format(time.DateOnly)
	// Four cases, so that payments run side by side and not only one
	// after the other on one case's lock.
	var caseIDs []string
	for i := range 4 {
		r = c.do("POST", "/api/v1/cases", map[string]any{
			"creditor_id": creditorID,
			"debtor": map[string]any{"kind": "company", "name": fmt.Sprintf("Débiteur %d SAS", i),
				"address": map[string]any{"line1": "1 rue du Port", "postal_code": "13002", "city": "Marseille"}},
			"claims": []map[string]any{{"invoice_number": fmt.Sprintf("F-CRASH-%d", i), "issued_on": issued,
				"due_on": today.AddDate(0, 0, -60).Format(time.DateOnly), "amount_cents": 1_000_000_000}},
		})
		if r.err != nil || r.status != 201 {
			t.Fatalf("case: %v %d %s", r.err, r.status, r.body)
		}
		id := paymentID(r.body) // any answer's "id"
		if id == "" {
			t.Fatalf("case answer: %s", r.body)
		}
		caseIDs = append(caseIDs, id)
	}

	const (
		kills     = 3
		perRound  = 60
		workers   = 12
		killAfter = perRound / 4 // acknowledged payments before the kill
	)
	var all []*crashKey
	var sentBeforeKill, ackedBeforeKill, cutOff, replayedAfter, stuck, retries int
	for round := 1; round <= kills; round++ {
		keys := make([]*crashKey, perRound)
		for i := range keys {
			k := fmt.Sprintf("crash-%d-%03d", round, i)
			keys[i] = &crashKey{key: k, caseID: caseIDs[i%len(caseIDs)],
				body: map[string]any{"amount_cents": 100 + round*1000 + i, "received_on": received, "method": "transfer", "payer_reference": k}}
		}
		all = append(all, keys...)

		// Fire them all, and kill the server once some are acknowledged:
		// the others are queued on a case's lock, in a transaction, or not
		// sent yet.
		jobs := make(chan *crashKey)
		var acked atomic.Int64
		killNow := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range jobs {
					k.first = c.do("POST", "/api/v1/cases/"+k.caseID+"/payments", k.body, "Idempotency-Key", k.key)
					k.answered = true
					if k.first.err == nil && k.first.status/100 == 2 {
						k.ackedID = paymentID(k.first.body)
						if acked.Add(1) >= killAfter {
							once.Do(func() { close(killNow) })
						}
					}
				}
			}()
		}
		go func() {
			defer close(jobs)
			for _, k := range keys {
				select {
				case jobs <- k:
				case <-killNow:
					return // the server is going down: the rest were never sent
				}
			}
		}()
		select {
		case <-killNow:
		case <-time.After(120 * time.Second):
			t.Fatalf("round %d: only %d payments acknowledged in 120 s", round, acked.Load())
		}
		if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no drain
			t.Fatal(err)
		}
		_ = srv.cmd.Wait()
		wg.Wait()
		for _, k := range keys {
			if !k.answered {
				continue
			}
			sentBeforeKill++
			if k.ackedID != "" {
				ackedBeforeKill++
			} else if k.first.err != nil {
				cutOff++
			} else if k.first.status/100 != 2 {
				t.Fatalf("round %d: %s answered %d before the kill: %s", round, k.key, k.first.status, k.first.body)
			}
		}

		// Restart and retry every key of the round, acknowledged or not.
		srv = serve(t, env)
		c.base = srv.base
		for _, k := range keys {
			wasStuck := false
			for attempt := 0; ; attempt++ {
				if attempt == 40 {
					t.Fatalf("%s: no 2xx after 40 retries (last %d %v %s)", k.key, r.status, r.err, r.body)
				}
				retries++
				r = c.do("POST", "/api/v1/cases/"+k.caseID+"/payments", k.body, "Idempotency-Key", k.key)
				if r.err == nil && r.status == http.StatusConflict && !wasStuck {
					wasStuck = true
					stuck++
				}
				if r.err == nil && r.status/100 == 2 {
					break
				}
				time.Sleep(250 * time.Millisecond)
			}
			id := paymentID(r.body)
			if k.ackedID != "" && id != k.ackedID {
				t.Errorf("%s: acknowledged as payment %s before the kill, %s after", k.key, k.ackedID, id)
			}
			if k.ackedID == "" && k.answered && r.replayed {
				replayedAfter++ // committed, but its answer died with the server
			}
			k.ackedID = id
		}
	}
	defer srv.stop(t)

	// The database: one payment per key, the acknowledged one.
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT payer_reference, id::text FROM payments")
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string][]string{}
	for rows.Next() {
		var ref, id string
		if err := rows.Scan(&ref, &id); err != nil {
			t.Fatal(err)
		}
		recorded[ref] = append(recorded[ref], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	duplicated, lost := 0, 0
	for _, k := range all {
		ids := recorded[k.key]
		switch {
		case len(ids) > 1:
			duplicated++
			t.Errorf("%s recorded %d times: %v", k.key, len(ids), ids)
		case len(ids) == 0 || ids[0] != k.ackedID:
			lost++
			t.Errorf("%s: acknowledged payment %s, recorded %v", k.key, k.ackedID, ids)
		}
	}
	if len(recorded) != len(all) {
		t.Errorf("%d payer references recorded for %d keys", len(recorded), len(all))
	}
	var inFlight int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM idempotency_keys WHERE state <> 'done'").Scan(&inFlight); err != nil {
		t.Fatal(err)
	}
	if inFlight != 0 || stuck != 0 {
		t.Errorf("%d keys left in flight, %d answered 409 after a restart", inFlight, stuck)
	}
	t.Logf("kills %d; keys %d, sent before a kill %d, acknowledged before a kill %d, cut off by a kill %d (of which committed and replayed after the restart %d); retried after restarts %d keys in %d requests; stuck %d, duplicated %d, lost %d",
		kills, len(all), sentBeforeKill, ackedBeforeKill, cutOff, replayedAfter, len(all), retries, stuck, duplicated, lost)
	if cutOff == 0 {
		t.Errorf("no request was in flight at any kill: the test proved nothing")
	}
}
