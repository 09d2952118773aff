package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// eventsFixture is a creditor with one case, on a fresh database.
type eventsFixture struct {
	db       *postgres.DB
	store    *postgres.Store
	creditor uuid.UUID
	caseID   uuid.UUID
}

func newEventsFixture(t *testing.T) eventsFixture {
	t.Helper()
	db := pgtest.DB(t)
	f := eventsFixture{db: db, store: postgres.NewStore(db)}
	err := db.Pool.QueryRow(context.Background(), `
		WITH c AS (INSERT INTO creditors (legal_name) VALUES ('Dupont SARL') RETURNING id),
		     d AS (INSERT INTO debtors (kind, name) VALUES ('company', 'Scierie SAS') RETURNING id)
		INSERT INTO cases (reference, creditor_id, debtor_id) SELECT 'D-1', c.id, d.id FROM c, d
		RETURNING creditor_id, id`).Scan(&f.creditor, &f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// insert appends an event of type typ on q (the pool or a transaction)
// and returns its number.
func (f eventsFixture) insert(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, typ, visibility string) int64 {
	t.Helper()
	var seq int64
	err := q.QueryRow(context.Background(), `INSERT INTO events (case_id, creditor_id, type, visibility) VALUES ($1, $2, $3, $4) RETURNING seq`,
		f.caseID, f.creditor, typ, visibility).Scan(&seq)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// since reads what a stream of scope would send after pos.
func (f eventsFixture) since(t *testing.T, scope recouvra.Scope, pos recouvra.EventPosition) ([]recouvra.Event, bool) {
	t.Helper()
	var out []recouvra.Event
	var waiting bool
	err := f.store.Scoped(context.Background(), scope, func(r app.Repo) error {
		var err error
		out, waiting, err = r.EventsSince(context.Background(), scope, pos, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, waiting
}

func types(events []recouvra.Event) string {
	s := ""
	for _, e := range events {
		s += fmt.Sprintf("%s#%d ", e.Type, e.Seq)
	}
	return s
}

// TestEventsSinceWaitsForTransactionsStillRunning: a transaction that took
// its id first but writes its event last comes first, and nothing after it
// is read while it runs — neither by staff nor by the creditor's scope —
// while the case's timeline lists everything committed in the same order.
func TestEventsSinceWaitsForTransactionsStillRunning(t *testing.T) {
	f := newEventsFixture(t)
	ctx := context.Background()
	staff, creditor := recouvra.AllCreditors, recouvra.Principal{Role: recouvra.RoleCreditor, CreditorID: &f.creditor}.Scope()

	first := f.insert(t, f.db.Pool, "call", "shared")
	held, err := f.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, "SELECT pg_current_xact_id()"); err != nil { // takes its id now
		t.Fatal(err)
	}
	later := f.insert(t, f.db.Pool, "email", "shared")
	note := f.insert(t, f.db.Pool, "note", "internal")

	// Transactions of other tests on the cluster may hold the fence for a
	// moment: wait until the first event is out, then nothing else can be.
	var pos recouvra.EventPosition
	waitFor(t, func() bool {
		got, waiting := f.since(t, staff, pos)
		if len(got) > 0 {
			if len(got) != 1 || got[0].Seq != first || !waiting {
				t.Fatalf("while a transaction with a lower id runs: %s waiting=%v", types(got), waiting)
			}
			pos = got[0].Position()
			return true
		}
		return false
	})
	if got, waiting := f.since(t, staff, pos); len(got) != 0 || !waiting {
		t.Fatalf("after the first event, while the held transaction runs: %s waiting=%v", types(got), waiting)
	}

	// The held transaction writes a higher number, then commits: it comes
	// before the events of transactions that committed earlier.
	mine := f.insert(t, held, "message", "shared")
	if mine < later {
		t.Fatalf("numbers: held %d, later %d", mine, later)
	}
	if err := held.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("message#%d email#%d note#%d ", mine, later, note)
	var got []recouvra.Event
	waitFor(t, func() bool {
		var waiting bool
		got, waiting = f.since(t, staff, pos)
		return len(got) == 3 || !waiting && len(got) > 0
	})
	if types(got) != want {
		t.Fatalf("staff after commit: %s, want %s", types(got), want)
	}
	if got[0].Tx == 0 || got[0].Tx >= got[1].Tx {
		t.Fatalf("transaction ids: %d, %d", got[0].Tx, got[1].Tx)
	}
	// The creditor's scope: the same order, shared events only.
	if c, _ := f.since(t, creditor, pos); types(c) != fmt.Sprintf("message#%d email#%d ", mine, later) {
		t.Fatalf("creditor after commit: %s", types(c))
	}
	// The timeline lists in the same order.
	timeline, err := f.store.ListEvents(ctx, staff, f.caseID, recouvra.EventPosition{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if types(timeline) != fmt.Sprintf("call#%d ", first)+want {
		t.Fatalf("timeline: %s", types(timeline))
	}
	// Resuming after an event continues after its position; a number that
	// does not exist resumes after the greatest one below it.
	for i, e := range timeline {
		p, err := f.store.EventPosition(ctx, e.Seq)
		if err != nil || p != e.Position() {
			t.Fatalf("position of %d: %+v %v, want %+v", e.Seq, p, err, e.Position())
		}
		rest, err := f.store.ListEvents(ctx, staff, f.caseID, p, 100)
		if err != nil || types(rest) != types(timeline[i+1:]) {
			t.Fatalf("after %d: %s %v", e.Seq, types(rest), err)
		}
	}
	maxSeq := max(first, later, note, mine)
	if p, err := f.store.EventPosition(ctx, maxSeq+1000); err != nil || p.Seq != maxSeq {
		t.Fatalf("position of a number beyond the last: %+v %v", p, err)
	}
	if p, err := f.store.EventPosition(ctx, 0); err != nil || p != (recouvra.EventPosition{}) {
		t.Fatalf("position of 0: %+v %v", p, err)
	}
}

// TestStreamStartIsTheFence: a new stream starts before every transaction
// still running, and after every one that has ended.
func TestStreamStartIsTheFence(t *testing.T) {
	f := newEventsFixture(t)
	ctx := context.Background()
	held, err := f.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	seq := f.insert(t, held, "call", "shared")
	start, err := f.store.StreamStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := held.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	pos, err := f.store.EventPosition(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if !start.Before(pos) {
		t.Fatalf("start %+v is not before the event of a running transaction %+v", start, pos)
	}
	// Once every transaction that was running has ended (other tests'
	// too: the fence is the cluster's), a new stream starts after it.
	waitFor(t, func() bool {
		after, err := f.store.StreamStart(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return pos.Before(after)
	})
}

// waitFor polls cond for up to 30 s: room for a loaded machine.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
