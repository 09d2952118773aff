package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestScopedTransactionEndsClean: Scoped's transaction (BEGIN and the
// scope's settings in one round trip, scope_conn.go) commits what fn
// wrote when fn succeeds; rolls it back when fn fails, panics, or went on
// after a failed statement; and
// every connection of the pool comes back outside any transaction and
// outside the creditor's role.
func TestScopedTransactionEndsClean(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	s := postgres.NewStore(db)
	var creditor uuid.UUID
	if err := db.Pool.QueryRow(ctx, `INSERT INTO creditors (legal_name) VALUES ('Scoped SAS') RETURNING id`).Scan(&creditor); err != nil {
		t.Fatal(err)
	}
	scope := recouvra.Principal{Role: recouvra.RoleCreditor, CreditorID: &creditor}.Scope()
	var user uuid.UUID
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, creditor_id) VALUES ('c@scoped.test', 'C', 'creditor', 'x', $1) RETURNING id`, creditor).Scan(&user); err != nil {
		t.Fatal(err)
	}
	// A write the creditor's scope may make: its user's notification mark,
	// stamped with a time of the test's own (the year 2001).
	stamp := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(r app.Repo, who uuid.UUID) error {
		return r.MarkAllNotificationsRead(ctx, scope, recouvra.NotificationRule{UserID: who, CreditorID: &creditor,
			Types: []recouvra.EventType{recouvra.EventPaymentRecorded}}, stamp)
	}
	marked := func() bool {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notification_marks WHERE user_id = $1 AND updated_at = $2`, user, stamp).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	boom := errors.New("boom")
	if err := s.Scoped(ctx, scope, func(r app.Repo) error {
		if err := write(r, user); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed fn: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not come through Scoped")
			}
		}()
		_ = s.Scoped(ctx, scope, func(r app.Repo) error {
			if err := write(r, user); err != nil {
				return err
			}
			panic("in the scope")
		})
	}()
	// A statement that fails, ignored by fn: COMMIT is a rollback, and
	// Scoped says so.
	if err := s.Scoped(ctx, scope, func(r app.Repo) error {
		if err := write(r, user); err != nil {
			return err
		}
		if err := write(r, uuid.New()); err == nil { // no such user: refused by the foreign key
			t.Error("a mark for no user was written")
		}
		return nil
	}); err == nil {
		t.Fatal("a scope whose statement failed committed without error")
	}
	if marked() {
		t.Fatal("a rolled-back scope left its write")
	}
	if err := s.Scoped(ctx, scope, func(r app.Repo) error { return write(r, user) }); err != nil {
		t.Fatal(err)
	}
	if !marked() {
		t.Fatal("a successful scope did not commit its write")
	}
	// Every pooled connection is clean: no open transaction, not the
	// creditor's role, no creditor setting.
	for range 2 * int(db.Pool.Stat().MaxConns()) {
		var user, setting string
		if err := db.SQL.QueryRowContext(ctx, `SELECT current_user::text, coalesce(current_setting('recouvra.creditor_id', true), '')`).Scan(&user, &setting); err != nil {
			t.Fatal(err)
		}
		if user == "recouvra_creditor_scope" || setting != "" {
			t.Fatalf("a pooled connection came back in the scope: %s %q", user, setting)
		}
	}
	list, err := s.ListCreditors(ctx, recouvra.AllCreditors, nil, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("staff after the scopes: %v %d", err, len(list))
	}
}

// TestSessionPrincipalDirectMatchesGorm: the session lookup on pgx
// resolves the same principal as gorm's, and refuses the same tokens.
func TestSessionPrincipalDirectMatchesGorm(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	fast := postgres.NewStore(db)
	slow := postgres.GormOnly(fast)
	var creditor, user uuid.UUID
	if err := db.Pool.QueryRow(ctx, `INSERT INTO creditors (legal_name) VALUES ('Session SAS') RETURNING id`).Scan(&creditor); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, creditor_id) VALUES ('c@session.test', 'C', 'creditor', 'x', $1) RETURNING id`, creditor).Scan(&user); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	live, idle, revoked := credential.HashToken("live"), credential.HashToken("idle"), credential.HashToken("revoked")
	for _, s := range []struct {
		hash    []byte
		idle    *time.Time
		revoked *time.Time
	}{{live, nil, nil}, {idle, new(now.Add(-time.Minute)), nil}, {revoked, nil, new(now.Add(-time.Minute))}} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO sessions (user_id, token_hash, created_at, expires_at, idle_expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			user, s.hash, now, now.Add(time.Hour), s.idle, s.revoked); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range [][]byte{live, idle, revoked, credential.HashToken("unknown")} {
		want, werr := slow.SessionPrincipal(ctx, h, now)
		got, gerr := fast.SessionPrincipal(ctx, h, now)
		same := want.UserID == got.UserID && want.SessionID == got.SessionID && want.Email == got.Email && want.Role == got.Role &&
			(want.CreditorID == nil) == (got.CreditorID == nil) && (want.CreditorID == nil || *want.CreditorID == *got.CreditorID)
		if recouvra.ErrorCode(werr) != recouvra.ErrorCode(gerr) || !same {
			t.Fatalf("gorm %+v %v, pgx %+v %v", want, werr, got, gerr)
		}
	}
	if p, err := fast.SessionPrincipal(ctx, live, now); err != nil || p.UserID != user || p.CreditorID == nil || *p.CreditorID != creditor || p.Role != recouvra.RoleCreditor {
		t.Fatalf("live session: %+v %v", p, err)
	}
}

// TestUUIDCodec: ids sent and read as uuid.UUID (uuid_codec.go) round-trip
// through PostgreSQL's uuid in binary and text, NULL included, and a
// uuid.UUID sent for a text parameter still goes as its text.
func TestUUIDCodec(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	u := uuid.MustParse("01a23873-00fe-76cb-b7fd-66bf0d81640f")
	var got, keep uuid.UUID
	var none, some *uuid.UUID
	var text string
	keep = uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff")
	if err := db.Pool.QueryRow(ctx, `SELECT $1::uuid, NULL::uuid, NULL::uuid, $2::uuid, $3::text`, u, u, u).Scan(&got, &keep, &none, &some, &text); err != nil {
		t.Fatal(err)
	}
	if got != u || keep != uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff") || none != nil || some == nil || *some != u || text != u.String() {
		t.Fatalf("got %s, NULL into a value %s, NULL %v, %v, as text %q", got, keep, none, some, text)
	}
	// The simple protocol: text in and out.
	if err := db.Pool.QueryRow(ctx, `SELECT $1::uuid`, pgx.QueryExecModeSimpleProtocol, u).Scan(&got); err != nil || got != u {
		t.Fatalf("simple protocol: %s %v", got, err)
	}
	// The text of a uuid compared with a uuid column.
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM (VALUES ($1::uuid)) v(id) WHERE id = $2`, u, u).Scan(&n); err != nil || n != 1 {
		t.Fatalf("compare: %d %v", n, err)
	}
}
