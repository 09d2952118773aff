package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Store implements app.Store on gorm, its hot reads on pgx (direct.go).
type Store struct {
	repo
	sql *sql.DB // where Scoped takes the one connection both gorm and pgx use
	// gormOnly keeps every read on gorm (the tests' reference for direct.go).
	gormOnly bool
}

var _ app.Store = (*Store)(nil)

// NewStore returns the store over db.
func NewStore(db *DB) *Store {
	return &Store{repo: repo{db: db.Gorm, pool: true, pg: db.Pool}, sql: db.SQL}
}

// Tx runs fn in one transaction. Inside Atomic it joins the transaction
// in ctx as a savepoint: fn's writes still land all or none, and they
// commit only with the enclosing transaction.
//
// Its connection is held for the transaction (hold): the commands'
// statements (direct_commands.go) and the hot reads run on it with pgx.
func (s *Store) Tx(ctx context.Context, fn func(app.Repo) error) error {
	if a, ok := ambientOf(ctx); ok {
		return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(repo{db: tx, pg: a.pg, gormReads: s.gormOnly})
		})
	}
	return s.inTx(ctx, func(db *gorm.DB, pg direct) error {
		return fn(repo{db: db, pg: pg, gormReads: s.gormOnly})
	})
}

// txKey carries the transaction opened by Atomic in a context.
type txKey struct{}

// ambient returns the transaction Atomic put in ctx, if any.
func ambient(ctx context.Context) *gorm.DB {
	a, _ := ambientOf(ctx)
	return a.db
}

// begin is where a transaction starts: the enclosing one in ctx (gorm then
// nests with a savepoint), else the pool.
func (s *Store) begin(ctx context.Context) *gorm.DB {
	if tx := ambient(ctx); tx != nil {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// Atomic runs fn in one transaction that every Tx, Scoped and query run
// with the context fn receives joins, so that what fn's callees write and
// what fn writes itself commit together or not at all. If the process dies
// before the commit, PostgreSQL rolls all of it back.
//
// Inside another Atomic (a use case called by a request that runs in its
// Idempotency-Key's transaction), fn runs in a savepoint of the enclosing
// transaction: its failure undoes only its own writes, and what it wrote
// commits with the key, or not at all.
//
// Its connection is held for the transaction (hold), and passed on in ctx
// with it: the statements of fn and of its callees run on it, gorm's and
// pgx's alike.
func (s *Store) Atomic(ctx context.Context, fn func(context.Context, app.Repo) error) error {
	run := func(tx *gorm.DB, pg direct) error {
		return fn(context.WithValue(ctx, txKey{}, ambientTx{db: tx, pg: pg}), repo{db: tx, pg: pg, gormReads: s.gormOnly})
	}
	if outer, ok := ambientOf(ctx); ok {
		return outer.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { // gorm nests with a savepoint
			return run(tx, outer.pg)
		})
	}
	return s.inTx(ctx, run)
}

// scopeRole is the database role whose rows are filtered by the creditor
// in the recouvra.creditor_id setting (migration 00003).
const scopeRole = "recouvra_creditor_scope"

// Scoped runs fn in a transaction that PostgreSQL restricts to the scope's
// creditor: SET LOCAL ROLE and the setting last until the transaction ends,
// so the pooled connection comes back clean.
func (s *Store) Scoped(ctx context.Context, scope recouvra.Scope, fn func(app.Repo) error) error {
	if scope.CreditorID == nil && !scope.Denied() {
		return fn(s.repo)
	}
	creditor := ""
	if scope.CreditorID != nil {
		creditor = scope.CreditorID.String()
	}
	nested := ambient(ctx) != nil
	if !nested && !s.gormOnly {
		// BEGIN and the settings in one round trip, on pgx (scope_conn.go).
		return s.scopedOnConn(ctx, scope.CreditorID, fn)
	}
	// Inside Atomic (a savepoint of its transaction), or gorm alone (the
	// tests' reference): gorm's own transaction.
	begin := s.begin(ctx)
	return begin.Transaction(func(tx *gorm.DB) error {
		// One round trip: set_config('role', …, true) is SET LOCAL ROLE.
		if err := tx.Exec("SELECT set_config('role', ?, true), set_config('recouvra.creditor_id', ?, true)", scopeRole, creditor).Error; err != nil {
			return fmt.Errorf("enter creditor scope: %w", err)
		}
		if err := fn(repo{db: tx}); err != nil {
			return err // rolling back to the savepoint also undoes the settings
		}
		if nested {
			// SET LOCAL outlives a released savepoint: leave the scope by
			// hand, or the rest of the enclosing transaction would run in it.
			if err := tx.Exec("SELECT set_config('role', 'none', true), set_config('recouvra.creditor_id', '', true)").Error; err != nil {
				return fmt.Errorf("leave creditor scope: %w", err)
			}
		}
		return nil
	})
}

// repo runs the queries, on the pool or inside a transaction.
type repo struct {
	db   *gorm.DB
	pool bool // db is the pool, not a transaction
	// pg is where the hot reads run on pgx (direct.go): the pool beside a
	// pool's db, the transaction's own connection in Scoped; nil when they
	// must go through gorm.
	pg direct
	// gormReads keeps the reads on gorm even where pg is set (GormOnly,
	// the tests' reference for direct.go); the commands' statements
	// (direct_commands.go) run on pg regardless.
	gormReads bool
}

// q starts a query. The store's own queries, made outside Tx and Scoped,
// join the transaction of Atomic when ctx carries one: inside it, reading
// from the pool would miss its uncommitted writes and take a second
// connection.
func (r repo) q(ctx context.Context) *gorm.DB {
	if r.pool {
		if tx := ambient(ctx); tx != nil {
			return tx.WithContext(ctx)
		}
	}
	return r.db.WithContext(ctx)
}

// dbErr turns driver and gorm errors into domain errors; what names the
// record in messages. It reads gorm's translated errors as well as pgx's
// own (the pgx-native stores: batches), which gorm never sees.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var code string // the SQLSTATE, when err carries a PostgreSQL error
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		code = pgErr.Code
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, pgx.ErrNoRows):
		return &recouvra.Error{Code: recouvra.ECodeNotFound, Message: what + " introuvable.", Err: err}
	case errors.Is(err, gorm.ErrDuplicatedKey), code == "23505": // unique_violation
		return &recouvra.Error{Code: recouvra.ECodeConflict, Message: what + " existe déjà.", Err: err}
	case errors.Is(err, gorm.ErrForeignKeyViolated), code == "23503": // foreign_key_violation
		return &recouvra.Error{Code: recouvra.ECodeInvalid, Message: "Référence inconnue.", Err: err}
	case errors.Is(err, gorm.ErrCheckConstraintViolated), code == "23514": // check_violation
		return &recouvra.Error{Code: recouvra.ECodeInvalid, Message: "Données incohérentes.", Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound is the domain's not-found for an update that touched no row.
func notFound(what string) error {
	return recouvra.Errorf(recouvra.ECodeNotFound, "%s introuvable.", what)
}

// oneRow is the outcome of an update of one row by id: its error, or
// not-found when it touched no row.
func oneRow(res *gorm.DB, what string) error {
	if res.Error != nil {
		return dbErr(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return notFound(what)
	}
	return nil
}

// domains maps rows to their domain values.
func domains[R interface{ domain() D }, D any](rows []R) []D {
	out := make([]D, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out
}
