package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

type userRow struct {
	ID           uuid.UUID
	Email        string
	Name         string
	Role         string
	CreditorID   *uuid.UUID
	Active       bool
	PasswordHash string
	Bar          string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
	LastLoginAt  *time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) domain() recouvra.User {
	return recouvra.User{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: recouvra.Role(r.Role), CreditorID: r.CreditorID,
		Active: r.Active, Bar: r.Bar, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), LastLoginAt: utcPtr(r.LastLoginAt),
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

const (
	whatUser     = "Utilisateur"
	whatCreditor = "Créancier"
	whatAPIKey   = "Clé d'API"
	whatSession  = "Session"
)

func (r repo) InsertUser(ctx context.Context, u *recouvra.User, passwordHash string) error {
	row := userRow{
		ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), CreditorID: u.CreditorID,
		Active: u.Active, PasswordHash: passwordHash, Bar: u.Bar, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
	return dbErr(r.q(ctx).Create(&row).Error, whatUser)
}

func (r repo) UserByID(ctx context.Context, id uuid.UUID) (recouvra.User, error) {
	var row userRow
	if err := r.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.User{}, dbErr(err, whatUser)
	}
	return row.domain(), nil
}

func (r repo) UserByEmail(ctx context.Context, email string) (recouvra.User, string, error) {
	var row userRow
	if err := r.q(ctx).Where("lower(email) = lower(?)", email).Take(&row).Error; err != nil {
		return recouvra.User{}, "", dbErr(err, whatUser)
	}
	return row.domain(), row.PasswordHash, nil
}

func (r repo) ListUsers(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.User, error) {
	var rows []userRow
	q := r.q(ctx).Order("id").Limit(limit)
	if after != nil {
		q = q.Where("id > ?", *after)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatUser)
	}
	return domains(rows), nil
}

func (r repo) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	return n, dbErr(r.q(ctx).Model(&userRow{}).Count(&n).Error, whatUser)
}

func (r repo) UpdateUser(ctx context.Context, u *recouvra.User, newHash *string) error {
	set := map[string]any{
		"name": u.Name, "role": string(u.Role), "creditor_id": u.CreditorID, "active": u.Active, "bar": u.Bar, "updated_at": u.UpdatedAt,
	}
	if newHash != nil {
		set["password_hash"] = *newHash
	}
	return oneRow(r.q(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(set), whatUser)
}

func (r repo) TouchLogin(ctx context.Context, userID uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Model(&userRow{}).Where("id = ?", userID).Update("last_login_at", at).Error, whatUser)
}

type sessionRow struct {
	ID            uuid.UUID
	UserID        uuid.UUID
	TokenHash     []byte
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt     time.Time
	IdleExpiresAt *time.Time
	RevokedAt     *time.Time
	ClientIP      string
	UserAgent     string
}

func (sessionRow) TableName() string { return "sessions" }

func (r repo) InsertSession(ctx context.Context, s app.Session) error {
	row := sessionRow{ID: s.ID, UserID: s.UserID, TokenHash: s.TokenHash, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt,
		IdleExpiresAt: s.IdleExpiresAt, ClientIP: s.ClientIP, UserAgent: s.UserAgent}
	return dbErr(r.q(ctx).Create(&row).Error, whatSession)
}

// principalRow is what session authentication reads: the session joined
// with the current state of its user, so that a role change, a
// deactivation or a revocation takes effect on the very next request.
// (API keys are read as apiKeyRow.)
type principalRow struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Email      string
	Role       string
	CreditorID *uuid.UUID
}

func unauthenticated() error {
	return recouvra.Errorf(recouvra.ECodeUnauthorized, "Jeton absent, invalide ou expiré.")
}

func (r repo) SessionPrincipal(ctx context.Context, tokenHash []byte, now time.Time) (recouvra.Principal, error) {
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return sessionPrincipalDirect(ctx, q, tokenHash, now) // on pgx (scope_conn.go)
	}
	var row principalRow
	res := r.q(ctx).Raw(`
		SELECT s.id, u.id AS user_id, u.email, u.role, u.creditor_id
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = @hash AND s.revoked_at IS NULL AND s.expires_at > @now
		  AND (s.idle_expires_at IS NULL OR s.idle_expires_at > @now) AND u.active`,
		map[string]any{"hash": tokenHash, "now": now}).Scan(&row)
	if res.Error != nil {
		return recouvra.Principal{}, dbErr(res.Error, whatSession)
	}
	if res.RowsAffected == 0 {
		return recouvra.Principal{}, unauthenticated()
	}
	return recouvra.Principal{
		Kind: recouvra.PrincipalUser, UserID: row.UserID, SessionID: row.ID, Email: row.Email,
		Role: recouvra.Role(row.Role), CreditorID: row.CreditorID,
	}, nil
}

func (r repo) TouchSession(ctx context.Context, id uuid.UUID, now, idleUntil time.Time) (app.Session, error) {
	var row sessionRow
	res := r.q(ctx).Raw(`
		UPDATE sessions s
		   SET idle_expires_at = CASE WHEN s.idle_expires_at IS NULL THEN NULL ELSE CAST(@until AS timestamptz) END
		  FROM users u
		 WHERE u.id = s.user_id AND s.id = @id AND s.revoked_at IS NULL AND s.expires_at > @now
		   AND (s.idle_expires_at IS NULL OR s.idle_expires_at > @now) AND u.active
		RETURNING s.id, s.user_id, s.created_at, s.expires_at, s.idle_expires_at, s.client_ip, s.user_agent`,
		map[string]any{"id": id, "now": now, "until": idleUntil}).Scan(&row)
	if res.Error != nil {
		return app.Session{}, dbErr(res.Error, whatSession)
	}
	if res.RowsAffected == 0 {
		return app.Session{}, unauthenticated()
	}
	return app.Session{ID: row.ID, UserID: row.UserID, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt,
		IdleExpiresAt: row.IdleExpiresAt, ClientIP: row.ClientIP, UserAgent: row.UserAgent}, nil
}

func (r repo) RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error, whatSession)
}

func (r repo) RevokeUserSessions(ctx context.Context, userID uuid.UUID, at time.Time) (int64, error) {
	res := r.q(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at)
	return res.RowsAffected, dbErr(res.Error, whatSession)
}

// scoped restricts a query on a table with the creditor's id in column col.
func scoped(q *gorm.DB, scope recouvra.Scope, col string) *gorm.DB {
	switch {
	case scope.Denied():
		return q.Where("false")
	case scope.CreditorID != nil:
		return q.Where(col+" = ?", *scope.CreditorID)
	}
	return q
}

// sharedScope is scoped for a table with creditor_id and visibility
// columns (prefix is its alias and a dot, or empty): a creditor sees only
// the shared rows of its own creditor; internal ones never leave the agency.
func sharedScope(q *gorm.DB, scope recouvra.Scope, prefix string) *gorm.DB {
	q = scoped(q, scope, prefix+"creditor_id")
	if scope.CreditorID != nil {
		q = q.Where(prefix + "visibility = 'shared'")
	}
	return q
}

type apiKeyRow struct {
	ID         uuid.UUID
	CreditorID uuid.UUID
	Name       string
	Prefix     string
	KeyHash    []byte
	CreatedBy  *uuid.UUID
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func (r apiKeyRow) domain() recouvra.APIKey {
	return recouvra.APIKey{
		ID: r.ID, CreditorID: r.CreditorID, Name: r.Name, Prefix: r.Prefix, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt),
	}
}

func (r repo) InsertAPIKey(ctx context.Context, k *recouvra.APIKey, keyHash []byte) error {
	row := apiKeyRow{ID: k.ID, CreditorID: k.CreditorID, Name: k.Name, Prefix: k.Prefix, KeyHash: keyHash, CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt}
	return dbErr(r.q(ctx).Create(&row).Error, whatAPIKey)
}

func (r repo) APIKeyPrincipal(ctx context.Context, keyHash []byte) (recouvra.Principal, *time.Time, error) {
	var row apiKeyRow
	res := r.q(ctx).Where("key_hash = ? AND revoked_at IS NULL", keyHash).Limit(1).Find(&row)
	if res.Error != nil {
		return recouvra.Principal{}, nil, dbErr(res.Error, whatAPIKey)
	}
	if res.RowsAffected == 0 {
		return recouvra.Principal{}, nil, unauthenticated()
	}
	creditorID := row.CreditorID
	return recouvra.Principal{Kind: recouvra.PrincipalAPIKey, APIKeyID: row.ID, Role: recouvra.RoleCreditor, CreditorID: &creditorID}, row.LastUsedAt, nil
}

func (r repo) TouchAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Model(&apiKeyRow{}).Where("id = ?", id).Update("last_used_at", at).Error, whatAPIKey)
}

func (r repo) APIKeyByID(ctx context.Context, id uuid.UUID) (recouvra.APIKey, error) {
	var row apiKeyRow
	if err := r.q(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.APIKey{}, dbErr(err, whatAPIKey)
	}
	return row.domain(), nil
}

func (r repo) ListAPIKeys(ctx context.Context, creditorID uuid.UUID) ([]recouvra.APIKey, error) {
	var rows []apiKeyRow
	if err := r.q(ctx).Where("creditor_id = ?", creditorID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatAPIKey)
	}
	return domains(rows), nil
}

func (r repo) RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error {
	return dbErr(r.q(ctx).Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error, whatAPIKey)
}

type auditRow struct {
	ID            uuid.UUID
	At            time.Time
	Action        string
	ActorUserID   *uuid.UUID
	ActorAPIKeyID *uuid.UUID `gorm:"column:actor_api_key_id"`
	Email         string
	TargetType    string
	TargetID      *uuid.UUID
	ClientIP      string
	UserAgent     string
	Details       jsonCol[map[string]any]
}

func (auditRow) TableName() string { return "audit_log" }

func (row auditRow) domain() recouvra.AuditEntry {
	return recouvra.AuditEntry{
		ID: row.ID, At: row.At.UTC(), Action: row.Action, ActorUserID: row.ActorUserID, ActorAPIKeyID: row.ActorAPIKeyID,
		Email: row.Email, TargetType: row.TargetType, TargetID: row.TargetID, ClientIP: row.ClientIP, UserAgent: row.UserAgent,
		Details: row.Details.V,
	}
}

func (r repo) InsertAudit(ctx context.Context, e recouvra.AuditEntry) error {
	id := e.ID
	if id == uuid.Nil {
		id = uuid.Must(uuid.NewV7())
	}
	at := e.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	row := auditRow{
		ID: id, At: at, Action: e.Action, ActorUserID: e.ActorUserID, ActorAPIKeyID: e.ActorAPIKeyID, Email: e.Email,
		TargetType: e.TargetType, TargetID: e.TargetID, ClientIP: e.ClientIP, UserAgent: e.UserAgent, Details: jsonObject(e.Details),
	}
	return dbErr(r.q(ctx).Create(&row).Error, "Journal d'audit")
}

func (r repo) ListAudit(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.AuditEntry, error) {
	var rows []auditRow
	q := r.q(ctx).Order("id DESC").Limit(limit)
	if after != nil {
		q = q.Where("id < ?", *after)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err, "Journal d'audit")
	}
	return domains(rows), nil
}

func (r repo) RecentSignInFailures(ctx context.Context, email, clientIP string, since time.Time, limit int) (byEmail, byIP []time.Time, err error) {
	// Failures for the account count only after its last successful sign-in.
	err = r.q(ctx).Raw(`
		SELECT at FROM audit_log
		WHERE action = 'auth.login_failed' AND lower(email) = lower(?) AND at > ?
		  AND at > coalesce((SELECT max(at) FROM audit_log WHERE action = 'auth.login' AND lower(email) = lower(?)), '-infinity')
		ORDER BY at DESC LIMIT ?`, email, since, email, limit).Scan(&byEmail).Error
	if err != nil {
		return nil, nil, dbErr(err, "Journal d'audit")
	}
	if clientIP != "" {
		err = r.q(ctx).Raw(`
			SELECT at FROM audit_log
			WHERE action = 'auth.login_failed' AND client_ip = ? AND at > ?
			ORDER BY at DESC LIMIT ?`, clientIP, since, limit).Scan(&byIP).Error
	}
	return byEmail, byIP, dbErr(err, "Journal d'audit")
}
