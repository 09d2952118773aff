package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The creditor scope's transaction on one connection, driven with pgx
// (issue 18): BEGIN and the scope's settings go to PostgreSQL in one simple
// query, one round trip instead of two (and none of database/sql's and
// gorm's transaction machinery), then fn's reads — pgx's and gorm's alike —
// run on that connection, then COMMIT. Row security decides exactly as
// before: the same SET LOCAL ROLE and creditor setting, for the same
// transaction, before any of fn's statements.

// scopedOnConn is Scoped outside Atomic: creditor nil is the denied scope
// (the role without a creditor: row security shows nothing).
func (s *Store) scopedOnConn(ctx context.Context, creditor *uuid.UUID, fn func(app.Repo) error) (err error) {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("enter creditor scope: %w", err)
	}
	defer conn.Close()
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("enter creditor scope: driver connection %T", dc)
		}
		pc = sc.Conn()
		return nil
	}); err != nil {
		return err
	}
	// pc stays ours past Raw: conn is held until this function returns and
	// its statements (gorm's and pgx's) run one after the other.
	id := ""
	if creditor != nil {
		id = creditor.String() // hex digits and dashes only: safe as a literal
	}
	// Deferred after conn.Close, so that it runs before: whatever happens
	// below (an error, a failed COMMIT, a panic in fn), the connection goes
	// back to the pool outside any transaction, or closed.
	defer endTx(ctx, pc)
	// A simple query: no parameters, several statements, one round trip.
	// set_config('role', …, true) is SET LOCAL ROLE.
	if _, err := pc.PgConn().Exec(ctx, "BEGIN; SELECT set_config('role', '"+scopeRole+"', true), set_config('recouvra.creditor_id', '"+id+"', true)").ReadAll(); err != nil {
		return fmt.Errorf("enter creditor scope: %w", err)
	}
	db := s.db.Session(&gorm.Session{Context: ctx}) // a statement of its own
	db.Statement.ConnPool = scopeTx{conn}
	if err := fn(repo{db: db, pg: pc}); err != nil {
		return err // endTx rolls back
	}
	res, err := pc.PgConn().Exec(ctx, "COMMIT").ReadAll()
	if err != nil {
		return fmt.Errorf("leave creditor scope: %w", err)
	}
	if len(res) == 1 && res[0].CommandTag.String() == "ROLLBACK" {
		// A statement failed and fn went on regardless: nothing committed.
		return fmt.Errorf("leave creditor scope: %w", pgx.ErrTxCommitRollback)
	}
	return nil
}

// endTx rolls back pc's transaction if one is still open (fn failed or
// panicked, COMMIT was not sent), on a context of its own: a cancelled
// request must not leave its transaction on a pooled connection. If that
// fails, pc is closed, and database/sql drops it (stdlib's ResetSession
// also refuses a connection left inside a transaction).
func endTx(ctx context.Context, pc *pgx.Conn) {
	if pc.IsClosed() || pc.PgConn().TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := pc.PgConn().Exec(ctx, "ROLLBACK").ReadAll(); err != nil || pc.PgConn().TxStatus() != 'I' {
		_ = pc.Close(ctx)
	}
}

// scopeTx is gorm's connection inside scopedOnConn's transaction. It is a
// gorm.TxCommitter, so that a gorm Transaction inside fn nests as a
// savepoint, as it did inside the *sql.Tx gorm opened before; and it is
// not a gorm.TxBeginner (no BeginTx), so nothing can open a second
// transaction on it. The transaction itself ends in scopedOnConn only.
type scopeTx struct{ conn *sql.Conn }

var (
	_ gorm.ConnPool    = scopeTx{}
	_ gorm.TxCommitter = scopeTx{}
)

var errScopeOwnsTx = errors.New("the creditor scope's transaction ends with Scoped")

func (t scopeTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.conn.PrepareContext(ctx, query)
}

func (t scopeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

func (t scopeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

func (t scopeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}

func (scopeTx) Commit() error   { return errScopeOwnsTx }
func (scopeTx) Rollback() error { return errScopeOwnsTx }

// sessionPrincipalDirect is SessionPrincipal's query on pgx (the lookup
// every request with a session token makes).
func sessionPrincipalDirect(ctx context.Context, q direct, tokenHash []byte, now time.Time) (recouvra.Principal, error) {
	var row principalRow
	err := q.QueryRow(ctx, `SELECT s.id, u.id, u.email, u.role, u.creditor_id
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
		  AND (s.idle_expires_at IS NULL OR s.idle_expires_at > $2) AND u.active`,
		tokenHash, now).Scan(&row.ID, &row.UserID, &row.Email, &row.Role, &row.CreditorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return recouvra.Principal{}, unauthenticated()
	}
	if err != nil {
		return recouvra.Principal{}, dbErr(err, whatSession)
	}
	return recouvra.Principal{
		Kind: recouvra.PrincipalUser, UserID: row.UserID, SessionID: row.ID, Email: row.Email,
		Role: recouvra.Role(row.Role), CreditorID: row.CreditorID,
	}, nil
}
