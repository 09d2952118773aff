package server_test

// The fair reference of the hot paths (make bench-reference): each scenario
// is asked of the API and of a minimal handler written with net/http and
// pgx alone that does the same database work for that request — the
// session lookup, the creditor scope the API enters (a transaction with
// SET LOCAL ROLE and the creditor setting, row security on), the page's
// queries, the debtor names, JSON — and nothing else: no router, contract
// validation, policy, domain rules, audit or logging.
//
//	go test -run '^$' -bench BenchmarkReference -benchtime 300x -timeout 30m ./internal/server/
//
// Both are measured in the same run, sequentially (p50/p99, the two asked
// in turn) and under concurrency (requests per second with 16 and 64
// keep-alive clients, the two measured in alternating windows so that the
// machine's other load falls on both alike), and printed with the ratio
// API / reference. RECOUVRA_BENCH_CASES sets the size (200,000 by default).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// refScenario is one request asked of both servers. path and body may
// depend on the client (0 for the sequential run) and the request number.
type refScenario struct {
	name   string
	method string
	as     func(client int) string // the bearer token
	path   func(client int) string
	body   func(client, i int) string
	want   int
}

func BenchmarkReference(b *testing.B) {
	n := 200_000
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
	fmt.Printf("loaded %d cases in %s\n", n, time.Since(start).Round(time.Second))
	var creditor uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, "SELECT creditor_id FROM cases GROUP BY creditor_id ORDER BY count(*) DESC LIMIT 1").Scan(&creditor); err != nil {
		b.Fatal(err)
	}
	cu := w.createUser("ref.creditor@recouvra.test", recouvra.RoleCreditor, &creditor)
	creditorTok := w.login(cu.Email)
	// One agent per client: claim-next releases the caller's previous case.
	const clients = 64
	agents := make([]string, clients)
	for i := range agents {
		email := fmt.Sprintf("ref.agent%d@recouvra.test", i)
		w.createUser(email, recouvra.RoleAgent, nil)
		agents[i] = w.login(email)
	}
	// The statement's case: twenty invoices. Payments: one case per client,
	// so that concurrent payments do not queue on one case's row lock.
	today := recouvra.DateOf(w.clock.Now())
	newCase := func(claims int) string {
		var cs []recouvra.Claim
		for i := range claims {
			cs = append(cs, recouvra.Claim{InvoiceNumber: "REF-F-" + w.unique(), IssuedOn: today.AddDays(-400 + i),
				DueOn: today.AddDays(-370 + i), AmountCents: 5_000_000, VATCents: 833_333})
		}
		v, err := w.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &creditor, CreditorReference: "REF-" + w.unique(),
			Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Transports Lemoine SARL " + w.unique(),
				Address: recouvra.Address{Line1: "8 quai Perrache", PostalCode: "69002", City: "Lyon"}},
			Claims: cs}, app.Meta{})
		if err != nil {
			b.Fatal(err)
		}
		return v.Case.ID.String()
	}
	statementCase := newCase(20)
	paid := make([]string, clients)
	for i := range paid {
		paid[i] = newCase(1)
	}
	var someCase string
	if err := w.db.Pool.QueryRow(ctx, "SELECT id::text FROM cases WHERE creditor_id = $1 ORDER BY id LIMIT 1 OFFSET 5", creditor).Scan(&someCase); err != nil {
		b.Fatal(err)
	}

	// The plans behind the figures: a creditor page's debtor names under
	// row security (the debtors policy probes cases by debtor and creditor),
	// and the agent queue's total.
	// Printed, not logged: a parent benchmark's log is not shown.
	explain := func(what string, scoped bool, setup, sql string, args ...any) {
		err := pgx.BeginFunc(ctx, w.db.Pool, func(tx pgx.Tx) error {
			defer tx.Rollback(ctx) // setup's DDL included
			if setup != "" {
				if _, err := tx.Exec(ctx, setup); err != nil {
					return err
				}
			}
			if scoped {
				if _, err := tx.Exec(ctx, "SELECT set_config('role', 'recouvra_creditor_scope', true), set_config('recouvra.creditor_id', $1, true)", creditor.String()); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
			if err != nil {
				return err
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			fmt.Printf("%s:\n%s\n", what, strings.Join(lines, "\n"))
			return err
		})
		if err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			b.Fatal(what, ": ", err)
		}
	}
	var pageDebtors []uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, "SELECT array_agg(debtor_id) FROM (SELECT debtor_id FROM cases WHERE creditor_id = $1 ORDER BY id DESC LIMIT 50) p", creditor).Scan(&pageDebtors); err != nil {
		b.Fatal(err)
	}
	names := "SELECT id, name FROM debtors WHERE id = ANY($1)"
	explain("a creditor page's debtor names, as the creditor", true, "", names, pageDebtors)
	// The same with the index the policy had before migration 00038.
	explain("the same on cases (debtor_id) alone, as before migration 00038", true,
		"DROP INDEX cases_by_debtor_creditor; CREATE INDEX cases_by_debtor ON cases (debtor_id)", names, pageDebtors)
	var agentID uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, "SELECT id FROM users WHERE email = 'ref.agent0@recouvra.test'").Scan(&agentID); err != nil {
		b.Fatal(err)
	}
	explain("the queue's total", false, "", refQueueCount, agentID, today.Time(), time.Now())

	ref := httptest.NewServer(newReference(w.db.Pool))
	b.Cleanup(ref.Close)

	fixed := func(s string) func(int) string { return func(int) string { return s } }
	payBody := func(_, i int) string {
		return `{"amount_cents":` + strconv.Itoa(100+i%50) + `,"received_on":"` + today.String() + `","method":"transfer","payer_reference":"VIR ` + strconv.Itoa(i) + `"}`
	}
	scenarios := []refScenario{
		{name: "S1-case-creditor", method: "GET", as: fixed(creditorTok), path: fixed("/api/v1/cases/" + someCase), want: 200},
		{name: "S2-list-staff", method: "GET", as: fixed(w.tokens["admin"]), path: fixed("/api/v1/cases?limit=50"), want: 200},
		{name: "S2-list-creditor", method: "GET", as: fixed(creditorTok), path: fixed("/api/v1/cases?limit=50"), want: 200},
		{name: "S3-queue", method: "GET", as: func(c int) string { return agents[c] }, path: fixed("/api/v1/queue?limit=50"), want: 200},
		{name: "S3-claim-next", method: "POST", as: func(c int) string { return agents[c] }, path: fixed("/api/v1/queue/next"), want: 200},
		{name: "statement-20-claims", method: "GET", as: fixed(creditorTok), path: fixed("/api/v1/cases/" + statementCase + "/statement"), want: 200},
		{name: "payment", method: "POST", as: func(c int) string { return agents[c] }, path: func(c int) string { return "/api/v1/cases/" + paid[c] + "/payments" }, body: payBody, want: 201},
	}
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	b.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	var keys sync.Mutex
	keySeq := 0
	ask := func(base string, sc refScenario, c, i int) error {
		var body io.Reader
		if sc.body != nil {
			body = strings.NewReader(sc.body(c, i))
		}
		req, _ := http.NewRequest(sc.method, base+sc.path(c), body)
		req.Header.Set("Authorization", "Bearer "+sc.as(c))
		if sc.body != nil {
			keys.Lock()
			keySeq++
			k := keySeq
			keys.Unlock()
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "bench-reference-"+strconv.Itoa(k))
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != sc.want {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			return fmt.Errorf("%s %s: %d %s", sc.method, sc.path(c), resp.StatusCode, msg)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			var apiT, refT []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := ask(w.srv.URL(), sc, 0, i); err != nil {
					b.Fatal("api: ", err)
				}
				apiT = append(apiT, time.Since(t0))
				t0 = time.Now()
				if err := ask(ref.URL, sc, 0, i); err != nil {
					b.Fatal("reference: ", err)
				}
				refT = append(refT, time.Since(t0))
			}
			a50, a99, r50, r99 := percentile(apiT, .5), percentile(apiT, .99), percentile(refT, .5), percentile(refT, .99)
			b.ReportMetric(ms(a50), "api-p50-ms")
			b.ReportMetric(ms(a99), "api-p99-ms")
			b.ReportMetric(ms(r50), "ref-p50-ms")
			b.ReportMetric(ms(r99), "ref-p99-ms")
			if b.N == 1 {
				return // the benchmark's probe run: the throughput phase runs once, with the real N
			}
			line := fmt.Sprintf("| %s | %.2f / %.2f | %.2f / %.2f |", sc.name, ms(a50), ms(a99), ms(r50), ms(r99))
			for _, conc := range []int{16, 64} {
				var api, rf load
				// Alternating windows: API, reference, three times each, so
				// that a passing disturbance (autovacuum, a checkpoint)
				// falls on both sides; 2 s each (with two 1.5 s windows the
				// ratio of one scenario moved by 0.2 between runs on a
				// quiet machine).
				for range 3 {
					api.add(measureLoad(conc, 2*time.Second, func(c, i int) error { return ask(w.srv.URL(), sc, c, i) }))
					rf.add(measureLoad(conc, 2*time.Second, func(c, i int) error { return ask(ref.URL, sc, c, i) }))
				}
				if api.err != nil || rf.err != nil {
					b.Fatalf("%d clients: api %v, reference %v", conc, api.err, rf.err)
				}
				ratio := api.rps() / rf.rps()
				b.ReportMetric(api.rps(), fmt.Sprintf("api-rps-%d", conc))
				b.ReportMetric(rf.rps(), fmt.Sprintf("ref-rps-%d", conc))
				b.ReportMetric(ratio, fmt.Sprintf("ratio-%d", conc))
				b.ReportMetric(ms(api.p99()), fmt.Sprintf("api-p99-ms-%d", conc))
				b.ReportMetric(ms(rf.p99()), fmt.Sprintf("ref-p99-ms-%d", conc))
				line += fmt.Sprintf(" %.0f / %.0f (%.2f×, p99 %.1f / %.1f ms) |", api.rps(), rf.rps(), ratio, ms(api.p99()), ms(rf.p99()))
			}
			// A README row: p50/p99 API / reference, then requests/s at 16 and 64 clients.
			b.Log(line)
		})
	}
}

// load is what a concurrency window measured.
type load struct {
	n   int
	dur time.Duration
	lat []time.Duration
	err error
}

func (l *load) add(o load) {
	l.n += o.n
	l.dur += o.dur
	l.lat = append(l.lat, o.lat...)
	if l.err == nil {
		l.err = o.err
	}
}

func (l load) rps() float64       { return float64(l.n) / l.dur.Seconds() }
func (l load) p99() time.Duration { return percentile(l.lat, .99) }

// measureLoad runs conc clients, each asking in a loop, for d; client c's
// i-th request is do(c, i).
func measureLoad(conc int, d time.Duration, do func(c, i int) error) load {
	var mu sync.Mutex
	var out load
	var wg sync.WaitGroup
	t0 := time.Now()
	deadline := t0.Add(d)
	for c := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var err error
			for i := 0; time.Now().Before(deadline); i++ {
				s := time.Now()
				if err = do(c, i); err != nil {
					break
				}
				lat = append(lat, time.Since(s))
			}
			mu.Lock()
			out.n += len(lat)
			out.lat = append(out.lat, lat...)
			if out.err == nil {
				out.err = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.dur = time.Since(t0)
	return out
}

// reference is the minimal handler: net/http's mux, pgx, encoding/json.
type reference struct {
	pool *pgxpool.Pool
	mux  *http.ServeMux
}

func newReference(pool *pgxpool.Pool) *reference {
	r := &reference{pool: pool, mux: http.NewServeMux()}
	r.mux.HandleFunc("GET /api/v1/cases/{id}", r.getCase)
	r.mux.HandleFunc("GET /api/v1/cases", r.listCases)
	r.mux.HandleFunc("GET /api/v1/queue", r.queue)
	r.mux.HandleFunc("POST /api/v1/queue/next", r.claimNext)
	r.mux.HandleFunc("GET /api/v1/cases/{id}/statement", r.statement)
	r.mux.HandleFunc("POST /api/v1/cases/{id}/payments", r.payment)
	return r
}

func (ref *reference) ServeHTTP(w http.ResponseWriter, r *http.Request) { ref.mux.ServeHTTP(w, r) }

// refPrincipal is who the session belongs to.
type refPrincipal struct {
	user     uuid.UUID
	creditor *uuid.UUID
}

// querier is the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

var errNotFound = errors.New("not found")

// serve authenticates the request, runs fn and writes its value as JSON;
// fn runs on the pool for staff, in a creditor-scoped transaction for a
// creditor user, exactly as the API scopes it.
func (ref *reference) serve(w http.ResponseWriter, r *http.Request, status int, fn func(context.Context, refPrincipal, querier) (any, error)) {
	ctx := r.Context()
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	now := time.Now()
	var p refPrincipal
	var sid uuid.UUID
	var email, role string
	err := ref.pool.QueryRow(ctx, `SELECT s.id, u.id AS user_id, u.email, u.role, u.creditor_id
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
		  AND (s.idle_expires_at IS NULL OR s.idle_expires_at > $3) AND u.active`,
		credential.HashToken(tok), now, now).Scan(&sid, &p.user, &email, &role, &p.creditor)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var v any
	if p.creditor == nil {
		v, err = fn(ctx, p, ref.pool)
	} else {
		err = pgx.BeginFunc(ctx, ref.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('role', $1, true), set_config('recouvra.creditor_id', $2, true)",
				"recouvra_creditor_scope", p.creditor.String()); err != nil {
				return err
			}
			v, err = fn(ctx, p, tx)
			return err
		})
	}
	switch {
	case errors.Is(err, errNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

// rowsOf reads every row as a column → value map (uuids as text).
func rowsOf(q querier, ctx context.Context, sql string, args ...any) ([]map[string]any, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToMap)
	for _, m := range out {
		for k, v := range m {
			if u, ok := v.([16]byte); ok {
				m[k] = uuid.UUID(u)
			}
		}
	}
	return out, err
}

func oneOf(q querier, ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := rowsOf(q, ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNotFound
	}
	return rows[0], nil
}

// caseView reads what GET /cases/{id} shows: the case, its creditor, its
// debtor, its claims. A creditor's transaction filters by row security.
func caseView(ctx context.Context, q querier, id string) (map[string]any, error) {
	c, err := oneOf(q, ctx, "SELECT * FROM cases WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	cr, err := oneOf(q, ctx, "SELECT * FROM creditors WHERE id = $1", c["creditor_id"])
	if err != nil {
		return nil, err
	}
	d, err := oneOf(q, ctx, "SELECT * FROM debtors WHERE id = $1", c["debtor_id"])
	if err != nil {
		return nil, err
	}
	claims, err := rowsOf(q, ctx, "SELECT * FROM claims WHERE case_id = $1 ORDER BY due_on, invoice_number", id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"case": c, "creditor": cr, "debtor": d, "claims": claims}, nil
}

func (ref *reference) getCase(w http.ResponseWriter, r *http.Request) {
	ref.serve(w, r, 200, func(ctx context.Context, _ refPrincipal, q querier) (any, error) {
		return caseView(ctx, q, r.PathValue("id"))
	})
}

// debtorNames adds debtor_name to each case of a page, in one query.
func debtorNames(ctx context.Context, q querier, page []map[string]any) error {
	ids := make([]uuid.UUID, 0, len(page))
	for _, c := range page {
		ids = append(ids, c["debtor_id"].(uuid.UUID))
	}
	rows, err := q.Query(ctx, "SELECT id, name FROM debtors WHERE id = ANY($1)", ids)
	if err != nil {
		return err
	}
	names := map[uuid.UUID]string{}
	var id uuid.UUID
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { names[id] = name; return nil }); err != nil {
		return err
	}
	for _, c := range page {
		c["debtor_name"] = names[c["debtor_id"].(uuid.UUID)]
	}
	return nil
}

func (ref *reference) listCases(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	ref.serve(w, r, 200, func(ctx context.Context, p refPrincipal, q querier) (any, error) {
		var page []map[string]any
		var err error
		if p.creditor != nil {
			page, err = rowsOf(q, ctx, "SELECT * FROM cases WHERE creditor_id = $1 ORDER BY id DESC LIMIT $2", *p.creditor, limit+1)
		} else {
			page, err = rowsOf(q, ctx, "SELECT * FROM cases ORDER BY id DESC LIMIT $1", limit+1)
		}
		if err != nil {
			return nil, err
		}
		next := ""
		if len(page) > limit {
			page, next = page[:limit], page[limit-1]["id"].(uuid.UUID).String()
		}
		if err := debtorNames(ctx, q, page); err != nil {
			return nil, err
		}
		return map[string]any{"items": page, "next_cursor": next}, nil
	})
}

// refQueueWhere is the API's queue filter (internal/postgres queueWhere).
const refQueueWhere = `stage IN ('amicable', 'formal_notice')
	AND (assigned_agent_id = $1 OR assigned_agent_id IS NULL)
	AND (next_action_on IS NULL OR next_action_on <= $2)
	AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1)`

// refQueueCount is the API's queue total (internal/postgres queueCount):
// the agent's cases plus the unassigned ones, each a range of the
// cases_queue_count index (migration 00042).
const refQueueCount = `SELECT
	(SELECT count(*) FROM cases WHERE stage IN ('amicable', 'formal_notice') AND assigned_agent_id = $1
		AND (next_action_on IS NULL OR next_action_on <= $2) AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1))
	+ (SELECT count(*) FROM cases WHERE stage IN ('amicable', 'formal_notice') AND assigned_agent_id IS NULL
		AND (next_action_on IS NULL OR next_action_on <= $2) AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1))`

func (ref *reference) queue(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	ref.serve(w, r, 200, func(ctx context.Context, p refPrincipal, q querier) (any, error) {
		now := time.Now()
		today := recouvra.DateOf(now).Time()
		page, err := rowsOf(q, ctx, "SELECT * FROM cases WHERE "+refQueueWhere+
			" ORDER BY priority DESC, broken_promises DESC, balance_cents DESC, id LIMIT $4", p.user, today, now, limit)
		if err != nil {
			return nil, err
		}
		var total int64
		if err := q.QueryRow(ctx, refQueueCount, p.user, today, now).Scan(&total); err != nil {
			return nil, err
		}
		if err := debtorNames(ctx, q, page); err != nil {
			return nil, err
		}
		ids, creditors := make([]uuid.UUID, 0, len(page)), make([]uuid.UUID, 0, len(page))
		for _, c := range page {
			ids = append(ids, c["id"].(uuid.UUID))
			creditors = append(creditors, c["creditor_id"].(uuid.UUID))
		}
		contacts, err := rowsOf(q, ctx, `SELECT DISTINCT ON (case_id) seq, id, case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data, tx::text AS tx
			FROM events WHERE case_id = ANY($1) AND type = ANY($2) ORDER BY case_id, tx DESC, seq DESC`,
			ids, []string{string(recouvra.EventCall), string(recouvra.EventEmail), string(recouvra.EventLetterSent)})
		if err != nil {
			return nil, err
		}
		names, err := rowsOf(q, ctx, "SELECT id, legal_name FROM creditors WHERE id = ANY($1)", creditors)
		if err != nil {
			return nil, err
		}
		tasks, err := rowsOf(q, ctx, "SELECT DISTINCT ON (case_id) * FROM call_tasks WHERE case_id = ANY($1) AND state = 'open' ORDER BY case_id, due_at, id", ids)
		if err != nil {
			return nil, err
		}
		return map[string]any{"items": page, "total": total, "last_contacts": contacts, "creditors": names, "call_tasks": tasks}, nil
	})
}

func (ref *reference) claimNext(w http.ResponseWriter, r *http.Request) {
	ref.serve(w, r, 200, func(ctx context.Context, p refPrincipal, q querier) (any, error) {
		now := time.Now()
		var id, creditor uuid.UUID
		err := pgx.BeginFunc(ctx, ref.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE cases SET lease_agent_id = NULL, lease_until = NULL WHERE lease_agent_id = $1", p.user); err != nil {
				return err
			}
			leased, err := oneOf(tx, ctx, `UPDATE cases SET lease_agent_id = $1, lease_until = $4
				WHERE id = (SELECT id FROM cases WHERE `+refQueueWhere+` AND (lease_until IS NULL OR lease_until < $3)
					ORDER BY priority DESC, broken_promises DESC, balance_cents DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED)
				RETURNING *`, p.user, recouvra.DateOf(now).Time(), now, now.Add(30*time.Minute))
			if err != nil {
				return err
			}
			id, creditor = leased["id"].(uuid.UUID), leased["creditor_id"].(uuid.UUID)
			_, err = tx.Exec(ctx, `INSERT INTO events (case_id, creditor_id, at, actor_user_id, type, visibility, data)
				VALUES ($1, $2, $3, $4, 'case_leased', 'internal', $5)`,
				id, creditor, now, p.user, map[string]any{"until": now.Add(30 * time.Minute).Format(time.RFC3339)})
			return err
		})
		if err != nil {
			return nil, err
		}
		return caseView(ctx, q, id.String())
	})
}

func (ref *reference) statement(w http.ResponseWriter, r *http.Request) {
	ref.serve(w, r, 200, func(ctx context.Context, _ refPrincipal, q querier) (any, error) {
		v, err := caseView(ctx, q, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if v["payments"], err = rowsOf(q, ctx, "SELECT * FROM payments WHERE case_id = $1 ORDER BY received_on, created_at, id", r.PathValue("id")); err != nil {
			return nil, err
		}
		// The interest rates the statement is computed with.
		if _, err = rowsOf(q, ctx, "SELECT * FROM rates ORDER BY kind, period_start"); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// payment records a payment as the API's statements do: the
// Idempotency-Key claimed and answered in the one transaction that locks
// the case, reads what its statement needs, numbers the receipt, inserts
// the payment with its ledger posting, updates the case and writes the
// timeline event.
func (ref *reference) payment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AmountCents    int64  `json:"amount_cents"`
		ReceivedOn     string `json:"received_on"`
		Method         string `json:"method"`
		PayerReference string `json:"payer_reference"`
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ref.serve(w, r, 201, func(ctx context.Context, p refPrincipal, _ querier) (any, error) {
		now := time.Now()
		key := r.Header.Get("Idempotency-Key")
		principal := "user:" + p.user.String()
		var out map[string]any
		err := pgx.BeginFunc(ctx, ref.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (principal, key, request_hash, state, created_at)
				VALUES ($1, $2, $3, 'in_flight', $4) ON CONFLICT DO NOTHING`, principal, key, credential.HashToken(string(raw)), now); err != nil {
				return err
			}
			id := r.PathValue("id")
			c, err := oneOf(tx, ctx, "SELECT * FROM cases WHERE id = $1 FOR UPDATE", id)
			if err != nil {
				return err
			}
			creditor := c["creditor_id"].(uuid.UUID)
			for _, sql := range []string{"SELECT * FROM creditors WHERE id = $1", "SELECT * FROM debtors WHERE id = $1"} {
				key := "creditor_id"
				if strings.Contains(sql, "debtors") {
					key = "debtor_id"
				}
				if _, err := oneOf(tx, ctx, sql, c[key]); err != nil {
					return err
				}
			}
			if _, err := rowsOf(tx, ctx, "SELECT * FROM claims WHERE case_id = $1 ORDER BY due_on, invoice_number", id); err != nil {
				return err
			}
			if _, err := rowsOf(tx, ctx, "SELECT * FROM payments WHERE case_id = $1 ORDER BY received_on, created_at, id", id); err != nil {
				return err
			}
			if _, err := rowsOf(tx, ctx, "SELECT * FROM rates ORDER BY kind, period_start"); err != nil {
				return err
			}
			var receipt int64
			if err := tx.QueryRow(ctx, "SELECT nextval('receipt_number_seq')").Scan(&receipt); err != nil {
				return err
			}
			pay := uuid.Must(uuid.NewV7())
			number := fmt.Sprintf("REF-%d", receipt)
			cr := creditor.String()
			if _, err := tx.Exec(ctx, `WITH p AS (
				INSERT INTO payments (id, case_id, creditor_id, amount_cents, currency, received_on, method, payer_reference, receipt_number, recorded_by, created_at)
				VALUES ($1, $2, $3, $4, 'EUR', $5, $6, $7, $8, $9, $10) RETURNING id)
				INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
				SELECT $11, 'payment', e.account, e.creditor_id, e.amount, 'EUR', $5, p.id
				  FROM p, unnest($12::text[], $13::uuid[], $14::bigint[]) AS e(account, creditor_id, amount)`,
				pay, id, creditor, in.AmountCents, in.ReceivedOn, in.Method, in.PayerReference, number, p.user, now,
				recouvra.PaymentTxnID(pay, recouvra.TxnPayment),
				[]string{string(recouvra.AccountClientBank), string(recouvra.AccountOwedToCreditor)}, []string{cr, cr},
				[]int64{in.AmountCents, -in.AmountCents}); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE cases SET paid_cents = paid_cents + $2, balance_cents = balance_cents - $2, updated_at = $3 WHERE id = $1",
				id, in.AmountCents, now); err != nil {
				return err
			}
			out = map[string]any{"id": pay, "case_id": id, "amount_cents": in.AmountCents, "currency": "EUR", "received_on": in.ReceivedOn,
				"method": in.Method, "payer_reference": in.PayerReference, "receipt_number": number, "created_at": now}
			if _, err := tx.Exec(ctx, `INSERT INTO events (case_id, creditor_id, at, actor_user_id, type, visibility, data)
				VALUES ($1, $2, $3, $4, 'payment_recorded', 'shared', $5)`, id, creditor, now, p.user, out); err != nil {
				return err
			}
			var buf bytes.Buffer
			_ = json.NewEncoder(&buf).Encode(out)
			_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET content_type = 'application/json', response = $3, state = 'done', status = 201
				WHERE principal = $1 AND key = $2 AND state = 'in_flight'`, principal, key, buf.Bytes())
			return err
		})
		return out, err
	})
}
