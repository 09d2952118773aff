package postgres_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSessionsRunInUTC(t *testing.T) {
	db := pgtest.DB(t)
	var tz string
	if err := db.Pool.QueryRow(context.Background(), "SHOW timezone").Scan(&tz); err != nil {
		t.Fatal(err)
	}
	if tz != "UTC" {
		t.Fatalf("timezone = %q", tz)
	}
}

func TestUUIDv7(t *testing.T) {
	db := pgtest.DB(t)
	before := time.Now().Add(-time.Second)
	var a, b uuid.UUID
	if err := db.Pool.QueryRow(context.Background(), "SELECT uuid_v7(), uuid_v7()").Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uuid.UUID{a, b} {
		if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version %d variant %v", id, id.Version(), id.Variant())
		}
		sec, nsec := id.Time().UnixTime()
		at := time.Unix(sec, nsec)
		if at.Before(before) || at.After(time.Now().Add(time.Second)) {
			t.Fatalf("%s carries time %s", id, at)
		}
	}
	if a == b {
		t.Fatal("two calls gave the same id")
	}
}

// TestDownToZeroAndUpAgainOnAPopulatedDatabase is the promise `recouvra
// migrate down --to 0` and `up` make: every migration reverses cleanly even
// with data in the tables.
func TestDownToZeroAndUpAgainOnAPopulatedDatabase(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	m, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	populate(t, db)
	if _, err := m.Down(ctx, 0); err != nil {
		t.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Applied {
			t.Fatalf("%s still applied after down to 0", s.Name)
		}
	}
	if n, err := m.Up(ctx); err != nil || n != len(st) {
		t.Fatalf("up again: %d of %d, %v", n, len(st), err)
	}
	if ok, err := m.Current(ctx); err != nil || !ok {
		t.Fatalf("current = %v, %v", ok, err)
	}
	populate(t, db)
}

// populate puts a row in every application table, so that rollbacks meet
// real data. Tables gain their rows here as migrations add them.
func populate(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `
		WITH c AS (INSERT INTO creditors (legal_name) VALUES ('Dupont SARL') RETURNING id),
		     u AS (INSERT INTO users (email, name, role, creditor_id, password_hash)
		           SELECT 'c@dupont.test', 'C', 'creditor', id, 'x' FROM c RETURNING id),
		     s AS (INSERT INTO sessions (user_id, token_hash, expires_at)
		           SELECT id, sha256(gen_random_uuid()::text::bytea), now() + interval '1 hour' FROM u),
		     k AS (INSERT INTO api_keys (creditor_id, name, prefix, key_hash)
		           SELECT id, 'ERP', 'rcv_k_x', sha256(gen_random_uuid()::text::bytea) FROM c)
		INSERT INTO audit_log (action, email) VALUES ('auth.login', 'c@dupont.test')`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedMigrationLeavesTheSchemaAsItWas runs a migration whose second
// statement fails: its first statement must be rolled back with it.
func TestFailedMigrationLeavesTheSchemaAsItWas(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	fsys := fstest.MapFS{
		"00001_ok.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE kept (id int);\n-- +goose Down\nDROP TABLE kept;\n")},
		"00002_bad.sql": {Data: []byte("-- +goose Up\nCREATE TABLE half (id int);\nSELECT no_such_function();\n-- +goose Down\nDROP TABLE half;\n")},
	}
	real, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := real.Down(ctx, 0); err != nil { // an empty schema for these two files
		t.Fatal(err)
	}
	m, err := postgres.NewMigratorFS(db.SQL, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, upErr := m.Up(ctx)
	if upErr == nil || !strings.Contains(upErr.Error(), "version:2") || !strings.Contains(upErr.Error(), "no_such_function") {
		t.Fatalf("want an error naming the failed file, got %v", upErr)
	}
	var kept, half bool
	if err := db.Pool.QueryRow(ctx, "SELECT to_regclass('kept') IS NOT NULL, to_regclass('half') IS NOT NULL").Scan(&kept, &half); err != nil {
		t.Fatal(err)
	}
	if !kept || half {
		t.Fatalf("kept=%v half=%v: the good migration stays, the failed one leaves nothing", kept, half)
	}
}

// TestRowSecurityHidesOtherCreditorsEvenFromUnfilteredQueries is the last
// wall: inside a creditor's scope, a query that forgot its creditor filter
// (here: an unscoped list) still sees only that creditor's rows.
func TestRowSecurityHidesOtherCreditorsEvenFromUnfilteredQueries(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	store := postgres.NewStore(db)
	var a, b uuid.UUID
	if err := db.Pool.QueryRow(ctx, `INSERT INTO creditors (legal_name) VALUES ('A') RETURNING id`).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `INSERT INTO creditors (legal_name) VALUES ('B') RETURNING id`).Scan(&b); err != nil {
		t.Fatal(err)
	}
	everything := recouvra.AllCreditors // the "bug": no filter
	err := store.Scoped(ctx, recouvra.Principal{Role: recouvra.RoleCreditor, CreditorID: &a}.Scope(), func(r app.Repo) error {
		list, err := r.ListCreditors(ctx, everything, nil, 10)
		if err != nil {
			return err
		}
		if len(list) != 1 || list[0].ID != a {
			t.Errorf("inside A's scope an unfiltered list saw %+v", list)
		}
		if _, err := r.CreditorByID(ctx, everything, b); recouvra.ErrorCode(err) != recouvra.ECodeNotFound {
			t.Errorf("inside A's scope B's row was readable: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A creditor principal without a creditor sees nothing at all.
	err = store.Scoped(ctx, recouvra.Principal{Role: recouvra.RoleCreditor}.Scope(), func(r app.Repo) error {
		list, err := r.ListCreditors(ctx, everything, nil, 10)
		if err == nil && len(list) != 0 {
			t.Errorf("an empty scope saw %+v", list)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The connection is back to normal afterwards: staff see both.
	list, err := store.ListCreditors(ctx, everything, nil, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("after the scope: %v %+v", err, list)
	}
}
