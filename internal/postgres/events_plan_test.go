package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestEventsSinceReadsTheIndexAfterABigTransaction: a transaction writes
// 200,000 events (a placement import does, in one transaction), then
// commits, and the statistics have not caught up (autovacuum has not run
// ANALYZE). A stream's read — staff's and a creditor's — must still walk
// events_by_tx (or the creditor's index) and never scan the table: it
// chose a sequential scan of every event for its "any event held beyond
// the fence?" half, once per page, after such an import (35 ms a page at
// 300,000 events, 0.3–0.6 s at a million). Also while the transaction still
// runs: the held half starts past the running transaction's own events.
// The plan is read with EXPLAIN: a timing would be the machine's.
func TestEventsSinceReadsTheIndexAfterABigTransaction(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t)
	ctx := context.Background()
	var last int64
	for range 5 {
		last = f.insert(t, f.db.Pool, "note", "shared")
	}
	// The stream has read up to the last note. (Not StreamStart: with the
	// other packages' tests running on the same cluster, the oldest running
	// transaction may be older than the notes, which would then come after.)
	pos, err := f.store.EventPosition(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[string]recouvra.Scope{"staff": recouvra.AllCreditors, "creditor": {CreditorID: &f.creditor}}
	plan := func(when string) {
		t.Helper()
		for who, scope := range scopes {
			sql, args := postgres.EventsSinceSQL(f.db, scope, pos, 500)
			// EXPLAIN ANALYZE runs the statement, as the stream would.
			rows, err := f.db.Pool.Query(ctx, "EXPLAIN (ANALYZE, FORMAT TEXT) "+sql, args...)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for rows.Next() {
				var l string
				if err := rows.Scan(&l); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, l)
			}
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
			p := strings.Join(lines, "\n")
			if strings.Contains(p, "Seq Scan") || strings.Count(p, "Index") < 2 {
				t.Errorf("%s, %s: the stream's read scans the events:\n%s", when, who, p)
			}
		}
	}
	tx, err := f.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO events (case_id, creditor_id, type, visibility) SELECT $1, $2, 'claim_added', 'shared' FROM generate_series(1, 200000)`, f.caseID, f.creditor); err != nil {
		t.Fatal(err)
	}
	plan("while the big transaction runs")
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	plan("after it committed")
	// And what the stream reads: the import's events, held by none.
	// (Another package's test may hold a transaction older than the
	// import on the same cluster: the stream then waits for it, as it
	// should, so the read is retried for a while.)
	out, waiting := f.since(t, recouvra.AllCreditors, pos)
	for end := time.Now().Add(20 * time.Second); (len(out) == 0 || waiting) && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
		out, waiting = f.since(t, recouvra.AllCreditors, pos)
	}
	if len(out) != 100 || waiting || out[0].Type != "claim_added" {
		t.Fatalf("%d events, waiting %v, the first %s", len(out), waiting, types(out[:min(len(out), 3)]))
	}
}
