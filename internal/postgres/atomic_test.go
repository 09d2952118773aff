package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

var errRollback = errors.New("roll back")

func rateOn(day string, value int64) recouvra.Rate {
	return recouvra.Rate{Kind: recouvra.RateECB, PeriodStart: recouvra.MustDate(day), Value: value, Source: "test"}
}

// TestAtomicJoinsTxAndScoped: inside Atomic, Tx and Scoped and the store's
// own queries are one transaction with the caller's writes; a creditor
// scope entered inside it is left on the way out; a failed Tx inside rolls
// back only its own writes.
func TestAtomicJoinsTxAndScoped(t *testing.T) {
	db := pgtest.DB(t)
	s := postgres.NewStore(db)
	ctx := context.Background()
	creditor := uuid.New()
	resp := app.StoredResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"ok":true}`)}

	run := func(outcome error) error {
		return s.Atomic(ctx, func(ctx context.Context, r app.Repo) error {
			if got, err := r.ClaimIdempotent(ctx, "user:test", "k-1", []byte("h"), time.Now()); err != nil || got != nil {
				t.Fatalf("claim: %v %v", got, err)
			}
			if err := s.Tx(ctx, func(r app.Repo) error {
				_, err := r.PutRate(ctx, rateOn("2001-01-01", 475), nil, time.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// A Tx that fails leaves the rest of the transaction alone.
			if err := s.Tx(ctx, func(r app.Repo) error {
				if _, err := r.PutRate(ctx, rateOn("2001-07-01", 450), nil, time.Now()); err != nil {
					return err
				}
				return errRollback
			}); !errors.Is(err, errRollback) {
				t.Fatalf("failed Tx: %v", err)
			}
			// The uncommitted rate is visible to the store's own queries
			// made with ctx: they join the transaction.
			if !hasRateCtx(t, ctx, s, "2001-01-01") || hasRateCtx(t, ctx, s, "2001-07-01") {
				t.Fatal("inside Atomic, the store does not see its own transaction")
			}
			if err := s.Scoped(ctx, recouvra.Scope{CreditorID: &creditor}, func(r app.Repo) error { _, err := r.ListRates(ctx); return err }); err != nil {
				t.Fatal(err)
			}
			// Back as the application role: the creditor scope may not
			// touch idempotency keys.
			if err := r.FinishIdempotent(ctx, "user:test", "k-1", resp); err != nil {
				t.Fatalf("after a creditor scope: %v", err)
			}
			return outcome
		})
	}
	if err := run(errRollback); !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if hasRateCtx(t, context.Background(), s, "2001-01-01") {
		t.Fatal("a rolled back Atomic left a Tx's write behind")
	}
	if err := run(nil); err != nil {
		t.Fatal(err)
	}
	if !hasRateCtx(t, context.Background(), s, "2001-01-01") || hasRateCtx(t, context.Background(), s, "2001-07-01") {
		t.Fatal("committed: want the first Tx's rate and not the failed one's")
	}
	err := s.Atomic(ctx, func(ctx context.Context, r app.Repo) error {
		got, err := r.ClaimIdempotent(ctx, "user:test", "k-1", []byte("h"), time.Now())
		if err != nil || got == nil || got.Status != 201 || string(got.Body) != string(resp.Body) {
			t.Fatalf("replay: %+v %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func hasRateCtx(t *testing.T, ctx context.Context, s *postgres.Store, day string) bool {
	t.Helper()
	rates, err := s.ListRates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		if r.Kind == recouvra.RateECB && r.PeriodStart.String() == day {
			return true
		}
	}
	return false
}

// TestConcurrentClaimWaitsForTheFirst: a second claim of a key whose first
// request is still in its transaction waits on it, then replays what the
// first committed; after a first that rolled back, it claims the key.
func TestConcurrentClaimWaitsForTheFirst(t *testing.T) {
	db := pgtest.DB(t)
	s := postgres.NewStore(db)
	ctx := context.Background()
	resp := app.StoredResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"first"}`)}

	for _, firstCommits := range []bool{true, false} {
		key := uuid.NewString()
		claimed, release := make(chan struct{}), make(chan struct{})
		firstDone := make(chan error, 1)
		go func() {
			firstDone <- s.Atomic(ctx, func(ctx context.Context, r app.Repo) error {
				if _, err := r.ClaimIdempotent(ctx, "user:test", key, []byte("h"), time.Now()); err != nil {
					close(claimed)
					return err
				}
				close(claimed)
				<-release
				if !firstCommits {
					return errRollback
				}
				return r.FinishIdempotent(ctx, "user:test", key, resp)
			})
		}()
		<-claimed
		type outcome struct {
			got *app.StoredResponse
			err error
		}
		second := make(chan outcome, 1)
		go func() {
			var o outcome
			o.err = s.Atomic(ctx, func(ctx context.Context, r app.Repo) error {
				o.got, o.err = r.ClaimIdempotent(ctx, "user:test", key, []byte("h"), time.Now())
				return o.err
			})
			second <- o
		}()
		// The second claim is waiting on the first's row lock.
		deadline := time.Now().Add(60 * time.Second)
		for {
			var waiting int
			if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"idempotency_keys\"%'").Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting == 1 {
				break
			}
			select {
			case o := <-second:
				t.Fatalf("the second claim returned while the first was open: %+v", o)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("the second claim is not waiting on the first after 60 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(release)
		if err := <-firstDone; firstCommits && err != nil || !firstCommits && !errors.Is(err, errRollback) {
			t.Fatalf("first: %v", err)
		}
		o := <-second
		switch {
		case o.err != nil:
			t.Fatalf("second: %v", o.err)
		case firstCommits && (o.got == nil || string(o.got.Body) != string(resp.Body)):
			t.Fatalf("after the first committed, want its response, got %+v", o.got)
		case !firstCommits && o.got != nil:
			t.Fatalf("after the first rolled back, want the key claimed, got %+v", o.got)
		}
	}
}

// TestClaimPurgesOldKeysWithoutWaiting: a claim now and then deletes keys
// older than 48 hours, skipping rows another transaction holds, so a purge
// never waits inside a payment's transaction.
func TestClaimPurgesOldKeysWithoutWaiting(t *testing.T) {
	db := pgtest.DB(t)
	s := postgres.NewStore(db)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // a whole second: this claim purges
	for _, k := range []struct {
		key string
		age time.Duration
	}{{"old-free", 72 * time.Hour}, {"old-held", 72 * time.Hour}, {"recent", time.Hour}} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO idempotency_keys (principal, key, request_hash, state, status, content_type, response, created_at)
			VALUES ('user:test', $1, 'h', 'done', 201, 'application/json', '{}', $2)`, k.key, now.Add(-k.age)); err != nil {
			t.Fatal(err)
		}
	}
	holder, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx) //nolint:errcheck // released at the end
	if _, err := holder.Exec(ctx, "SELECT 1 FROM idempotency_keys WHERE key = 'old-held' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	// Were the purge to wait on the held row, this would time out.
	purgeCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := s.Atomic(purgeCtx, func(ctx context.Context, r app.Repo) error {
		_, err := r.ClaimIdempotent(ctx, "user:test", "new", []byte("h"), now)
		return err
	}); err != nil {
		t.Fatalf("claim with a purge while a row is held: %v", err)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, "SELECT key FROM idempotency_keys ORDER BY key")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		left = append(left, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(left, ",") != "new,old-held,recent" {
		t.Fatalf("keys left: %v, want the new, the held and the recent one", left)
	}
}
