package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStatementsPerClaimNext counts what claiming the next case through
// the API (POST /api/v1/queue/next) sends to PostgreSQL, and checks its
// shape: the agent's previous lease released and the next case leased in
// one transaction with its timeline event, then the case shown without
// being read again.
//
//	go test -count=1 -v -run TestStatementsPerClaimNext ./internal/server/
func TestStatementsPerClaimNext(t *testing.T) {
	t.Parallel()
	w, counter := countedWorld(t)
	handWorkedCase(t, w)
	w.setClock("2025-08-14")

	claim := func() []string {
		t.Helper()
		ctx := context.WithValue(context.Background(), countKey{}, true)
		req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/queue/next", nil)
		req.Header.Set("Authorization", "Bearer "+w.tokens["agent"])
		rec := httptest.NewRecorder()
		counter.take()
		w.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("claim-next: %d %s", rec.Code, rec.Body)
		}
		return counter.take()
	}
	claim() // the first claim; the figure is the second's, which releases it
	sqls := claim()
	begin, commit := -1, -1
	for i, q := range sqls {
		t.Logf("%2d %s", i+1, q)
		switch {
		case strings.EqualFold(q, "begin") && begin < 0:
			begin = i
		case strings.EqualFold(q, "commit") && commit < 0:
			commit = i
		case strings.EqualFold(q, "begin") || strings.EqualFold(q, "commit"):
			t.Errorf("more than one transaction: %q", sqls)
		}
	}
	t.Logf("statements for one claim: %d", len(sqls))
	if begin < 0 || commit < begin {
		t.Fatalf("the claim is not one transaction: %q", sqls)
	}
	joined := strings.Join(sqls[begin:commit+1], "\n")
	release, lease, event := strings.Index(joined, "SET lease_agent_id = NULL"), strings.Index(joined, "SET lease_agent_id = $1"), strings.Index(joined, `INSERT INTO "events"`)
	if release < 0 || lease < release || event < lease {
		t.Fatalf("want the release, the lease and its event in that order, in the transaction:\n%s", joined)
	}
	// The leased case is in hand: nothing reads it again.
	if n := strings.Count(strings.Join(sqls, "\n"), "FROM cases WHERE id ="); n != 0 {
		t.Errorf("the leased case read again %d times", n)
	}
}

func (c *statementCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery records each statement of a batch (several statements
// sent in one round trip) as TraceQueryStart records a single one.
func (c *statementCounter) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	if ctx.Value(countKey{}) != nil {
		c.mu.Lock()
		c.sqls = append(c.sqls, strings.TrimSpace(spaces.ReplaceAllString(d.SQL, " ")))
		c.mu.Unlock()
	}
}

func (c *statementCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
