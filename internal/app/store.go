package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Store is the persistence the use cases need. Lookups of a missing row
// return a recouvra.Error with ECodeNotFound; unique violations ECodeConflict.
type Store interface {
	Repo
	// Tx runs fn in one transaction: all its writes land, or none.
	Tx(ctx context.Context, fn func(Repo) error) error
	// Scoped runs fn with the database itself restricted to scope: for a
	// creditor's scope, rows of other creditors are invisible to fn whatever
	// its queries say (row-level security). Staff scopes run fn as is.
	Scoped(ctx context.Context, scope recouvra.Scope, fn func(Repo) error) error
}

// Session is a sign-in session as stored (the token only as its hash).
type Session struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	TokenHash []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	ClientIP  string
	UserAgent string
}

// Repo reads and writes the records; implemented by internal/postgres.
type Repo interface {
	InsertUser(ctx context.Context, u *recouvra.User, passwordHash string) error
	UserByID(ctx context.Context, id uuid.UUID) (recouvra.User, error)
	// UserByEmail finds an account by e-mail, ignoring case, with its hash.
	UserByEmail(ctx context.Context, email string) (recouvra.User, string, error)
	ListUsers(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.User, error)
	CountUsers(ctx context.Context) (int64, error)
	// UpdateUser saves u's name, role, creditor and active flag, and the
	// password hash when newHash is not nil.
	UpdateUser(ctx context.Context, u *recouvra.User, newHash *string) error
	TouchLogin(ctx context.Context, userID uuid.UUID, at time.Time) error

	InsertSession(ctx context.Context, s Session) error
	// SessionPrincipal resolves a live session token (not revoked, not
	// expired, user active) to its principal, with the user's current role.
	SessionPrincipal(ctx context.Context, tokenHash []byte, now time.Time) (recouvra.Principal, error)
	RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) error
	RevokeUserSessions(ctx context.Context, userID uuid.UUID, at time.Time) (int64, error)

	InsertCreditor(ctx context.Context, c *recouvra.Creditor) error
	CreditorByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Creditor, error)
	ListCreditors(ctx context.Context, scope recouvra.Scope, after *uuid.UUID, limit int) ([]recouvra.Creditor, error)

	InsertAPIKey(ctx context.Context, k *recouvra.APIKey, keyHash []byte) error
	// APIKeyPrincipal resolves a live (not revoked) API key; it also
	// returns when it was last used, so callers can refresh that lazily.
	APIKeyPrincipal(ctx context.Context, keyHash []byte) (recouvra.Principal, *time.Time, error)
	TouchAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error
	APIKeyByID(ctx context.Context, id uuid.UUID) (recouvra.APIKey, error)
	ListAPIKeys(ctx context.Context, creditorID uuid.UUID) ([]recouvra.APIKey, error)
	RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error

	InsertAudit(ctx context.Context, e recouvra.AuditEntry) error
	ListAudit(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.AuditEntry, error)
	// RecentSignInFailures returns the times of failed sign-ins newer than
	// since, newest first, at most limit: for the e-mail (ignoring case, and
	// only after its last successful sign-in) or for the client address.
	RecentSignInFailures(ctx context.Context, email, clientIP string, since time.Time, limit int) (byEmail, byIP []time.Time, err error)
}
