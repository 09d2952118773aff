package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The creditor scope's transaction on one connection, driven with pgx
// (issue 18): BEGIN and the scope's settings go to PostgreSQL with the
// transaction's first statement, in one round trip (inTx, lazyTx: the same
// transaction as Tx and Atomic), then fn's reads — pgx's and gorm's alike
// — run on that connection, then COMMIT. Row security decides exactly as
// before: the same SET LOCAL ROLE and creditor setting, for the same
// transaction, sent before any of fn's statements.

// scopedOnConn is Scoped outside Atomic: creditor nil is the denied scope
// (the role without a creditor: row security shows nothing).
func (s *Store) scopedOnConn(ctx context.Context, creditor *uuid.UUID, fn func(app.Repo) error) error {
	id := ""
	if creditor != nil {
		id = creditor.String() // hex digits and dashes only: safe as a literal
	}
	// set_config('role', …, true) is SET LOCAL ROLE.
	settings := "SELECT set_config('role', '" + scopeRole + "', true), set_config('recouvra.creditor_id', '" + id + "', true)"
	return s.inTx(ctx, func(db *gorm.DB, pg direct) error {
		return fn(repo{db: db, pg: pg})
	}, settings)
}

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
