package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
)

// countKey marks the context of the request whose statements are counted.
type countKey struct{}

// statementCounter records the SQL sent on behalf of a marked context.
type statementCounter struct {
	mu   sync.Mutex
	sqls []string
}

var spaces = regexp.MustCompile(`\s+`)

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if ctx.Value(countKey{}) != nil {
		c.mu.Lock()
		c.sqls = append(c.sqls, strings.TrimSpace(spaces.ReplaceAllString(d.SQL, " ")))
		c.mu.Unlock()
	}
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *statementCounter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sqls
	c.sqls = nil
	return out
}

// TestStatementsPerPayment counts what recording one payment through the
// API sends to PostgreSQL, and checks its shape: the Idempotency-Key is
// claimed and answered inside the one transaction that records the
// payment, and nothing runs after the commit.
//
//	go test -count=1 -v -run TestStatementsPerPayment ./internal/server/
func TestStatementsPerPayment(t *testing.T) {
	t.Parallel()
	w, counter := countedWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")

	post := func(key, body string) (int, []string) {
		t.Helper()
		ctx := context.WithValue(context.Background(), countKey{}, true)
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/cases/"+id+"/payments", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+w.tokens["agent"])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		counter.take()
		w.srv.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return rec.Code, counter.take()
	}
	body := `{"amount_cents":25000,"received_on":"2025-08-10","method":"cheque","payer_reference":"CHQ 1234567"}`
	// The first payment of a case, then a second: the figure is the second's.
	if code, _ := post("count-first-payment", body); code != http.StatusCreated {
		t.Fatalf("first payment: %d", code)
	}
	code, sqls := post("count-second-payment", strings.Replace(body, "25000", "30000", 1))
	if code != http.StatusCreated {
		t.Fatalf("second payment: %d", code)
	}
	begin := -1
	for i, q := range sqls {
		t.Logf("%2d %s", i+1, q)
		if begin < 0 && strings.EqualFold(q, "begin") {
			begin = i
		}
	}
	t.Logf("statements for one payment: %d (%d of them authenticating the caller, before the transaction)", len(sqls), max(begin, 0))
	if begin < 0 || !strings.EqualFold(sqls[len(sqls)-1], "commit") {
		t.Fatalf("the payment is not one transaction ending the request: %q", sqls)
	}
	var inTx []string
	for _, q := range sqls[begin+1 : len(sqls)-1] {
		if strings.EqualFold(q, "begin") || strings.EqualFold(q, "commit") {
			t.Fatalf("more than one transaction: %q", sqls)
		}
		inTx = append(inTx, q)
	}
	joined := strings.Join(inTx, "\n")
	claim, insert, answer := strings.Index(joined, `INSERT INTO "idempotency_keys"`), strings.Index(joined, `INSERT INTO "payments"`), strings.Index(joined, `UPDATE "idempotency_keys"`)
	if claim < 0 || insert < 0 || answer < 0 || claim > insert || insert > answer {
		t.Fatalf("want the key claimed, the payment inserted and the key answered in that order, in the transaction:\n%s", joined)
	}
	// Claims, the statement's facts and the case are read once each,
	// through gorm ("claims" quoted) or pgx (bare).
	for _, table := range []string{"claims", "payments", "rates", "cases"} {
		if n := len(regexp.MustCompile(`FROM "?`+table+`"?\b`).FindAllString(joined, -1)); n != 1 {
			t.Errorf("%s read %d times", table, n)
		}
	}
	// The figure this test was written at; a change that adds statements
	// to the payment path must say so here.
	if n := len(inTx) + 2; n > 16 {
		t.Errorf("the payment transaction runs %d statements, want at most 16", n)
	}

	// A replay is the claim and the stored answer.
	code, sqls = post("count-second-payment", strings.Replace(body, "25000", "30000", 1))
	if code != http.StatusCreated {
		t.Fatalf("replay: %d", code)
	}
	t.Logf("statements for a replay: %d", len(sqls))
	if strings.Contains(strings.Join(sqls, "\n"), `INSERT INTO "payments"`) {
		t.Fatalf("the replay recorded a payment: %q", sqls)
	}
}

// countedWorld is a world whose database connections count the statements
// they send (statementCounter), for the tests of a request's statements.
func countedWorld(t *testing.T) (*world, *statementCounter) {
	t.Helper()
	counter := &statementCounter{}
	db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{MaxConns: 10, Logger: slog.New(slog.DiscardHandler), Tracer: counter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return newWorldOn(t, db, io.Discard, func(*config.Config) {}), counter
}
