package app

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// LoginResult is a new session: the token is shown this once.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	// IdleExpiresAt is when a web session ends unless the person is active
	// before (nil for a bearer token).
	IdleExpiresAt *time.Time
	User          recouvra.User
}

// SessionInfo is the caller's own live session, as the web app follows it.
type SessionInfo struct {
	User          recouvra.User
	ExpiresAt     time.Time
	IdleExpiresAt *time.Time    // nil: no idle expiry (a bearer token)
	IdleTimeout   time.Duration // 0 with no idle expiry
	Now           time.Time     // the server's clock when read
}

// errBadCredentials is the one answer to every failed sign-in, whatever
// failed: unknown e-mail, wrong password, deactivated account.
func errBadCredentials() error {
	return recouvra.Errorf(recouvra.ECodeUnauthorized, "E-mail ou mot de passe incorrect.")
}

// Login checks an e-mail and password and opens a session. Unknown accounts
// cost the same password check as known ones, and every failure gets the
// same answer, so the answer does not tell whether an account exists.
func (s *Service) Login(ctx context.Context, email, password string, meta Meta) (LoginResult, error) {
	return s.login(ctx, email, password, meta, false)
}

// LoginWeb is Login for the web app: the session also ends after
// SessionIdle without activity (its token travels in a cookie).
func (s *Service) LoginWeb(ctx context.Context, email, password string, meta Meta) (LoginResult, error) {
	return s.login(ctx, email, password, meta, true)
}

func (s *Service) login(ctx context.Context, email, password string, meta Meta, web bool) (LoginResult, error) {
	email = recouvra.NormalizeEmail(email)
	now := s.now()
	if wait, err := s.throttled(ctx, email, meta.ClientIP, now); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		e := s.audit(recouvra.Principal{}, meta, recouvra.AuditLoginThrottled, "", nil, nil)
		e.Email = email
		if err := s.store.InsertAudit(ctx, e); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, &recouvra.Error{
			Code:       recouvra.ECodeTooManyRequests,
			Message:    fmt.Sprintf("Trop de tentatives de connexion échouées. Réessayez dans %d minute(s).", int(math.Ceil(wait.Minutes()))),
			RetryAfter: wait,
		}
	}

	user, hash, err := s.store.UserByEmail(ctx, email)
	found := err == nil
	if err != nil && recouvra.ErrorCode(err) != recouvra.ECodeNotFound {
		return LoginResult{}, err
	}
	if !found || len(password) > recouvra.MaxPasswordLength {
		hash = s.dummyHash
	}
	ok, verr := credential.Verify(password, hash)
	if verr != nil {
		return LoginResult{}, fmt.Errorf("verify password of %s: %w", user.ID, verr)
	}
	if !found || !ok || !user.Active || len(password) > recouvra.MaxPasswordLength {
		reason := "bad_password"
		switch {
		case !found:
			reason = "unknown_email"
		case !user.Active:
			reason = "inactive"
		}
		e := s.audit(recouvra.Principal{}, meta, recouvra.AuditLoginFailed, "", nil, map[string]any{"reason": reason})
		e.Email = email
		if found {
			e.TargetType, e.TargetID = "user", &user.ID
		}
		if err := s.store.InsertAudit(ctx, e); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, errBadCredentials()
	}

	token, tokenHash, err := credential.NewToken(credential.SessionPrefix)
	if err != nil {
		return LoginResult{}, err
	}
	sess := Session{
		ID: uuid.Must(uuid.NewV7()), UserID: user.ID, TokenHash: tokenHash,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), ClientIP: meta.ClientIP, UserAgent: meta.UserAgent,
	}
	if web && s.cfg.SessionIdle > 0 {
		idle := s.idleUntil(now, sess.ExpiresAt)
		sess.IdleExpiresAt = &idle
	}
	err = s.store.Tx(ctx, func(r Repo) error {
		if err := r.InsertSession(ctx, sess); err != nil {
			return err
		}
		if err := r.TouchLogin(ctx, user.ID, now); err != nil {
			return err
		}
		p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: user.ID}
		e := s.audit(p, meta, recouvra.AuditLogin, "session", &sess.ID, nil)
		e.Email = email
		return r.InsertAudit(ctx, e)
	})
	if err != nil {
		return LoginResult{}, err
	}
	user.LastLoginAt = &now
	return LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, IdleExpiresAt: sess.IdleExpiresAt, User: user}, nil
}

// SessionIdle is how long a web session lives without activity (0: no
// idle expiry).
func (s *Service) SessionIdle() time.Duration { return s.cfg.SessionIdle }

// idleUntil is the idle deadline of a session active at now: SessionIdle
// later, never past its absolute end.
func (s *Service) idleUntil(now, expires time.Time) time.Time {
	if t := now.Add(s.cfg.SessionIdle); t.Before(expires) {
		return t
	}
	return expires
}

// CurrentSession returns the caller's live session and counts the call as
// activity: a web session's idle deadline moves SessionIdle on from now.
// The web app calls it when the person works (and from "Rester connecté").
func (s *Service) CurrentSession(ctx context.Context, p recouvra.Principal) (SessionInfo, error) {
	if p.Kind != recouvra.PrincipalUser {
		return SessionInfo{}, recouvra.Errorf(recouvra.ECodeForbidden, "Une clé d'API n'a pas de session : cette route est réservée aux personnes connectées.")
	}
	now := s.now()
	sess, err := s.store.TouchSession(ctx, p.SessionID, now, now.Add(s.cfg.SessionIdle))
	if err != nil {
		return SessionInfo{}, err
	}
	if sess.IdleExpiresAt != nil && sess.IdleExpiresAt.After(sess.ExpiresAt) {
		sess.IdleExpiresAt = &sess.ExpiresAt // shown as it acts: the earlier end wins
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return SessionInfo{}, err
	}
	info := SessionInfo{User: u, ExpiresAt: sess.ExpiresAt, IdleExpiresAt: sess.IdleExpiresAt, Now: now}
	if sess.IdleExpiresAt != nil {
		info.IdleTimeout = s.cfg.SessionIdle
	}
	return info, nil
}

// throttled returns how long sign-in must wait for this account or address,
// zero when it may proceed.
func (s *Service) throttled(ctx context.Context, email, ip string, now time.Time) (time.Duration, error) {
	if s.cfg.MaxFailures <= 0 {
		return 0, nil
	}
	byEmail, byIP, err := s.store.RecentSignInFailures(ctx, email, ip, now.Add(-s.cfg.FailureWindow), s.cfg.MaxFailures)
	if err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, times := range [][]time.Time{byEmail, byIP} {
		if len(times) < s.cfg.MaxFailures {
			continue
		}
		// The oldest of the last MaxFailures failures leaves the window first.
		if w := times[s.cfg.MaxFailures-1].Add(s.cfg.FailureWindow).Sub(now); w > wait {
			wait = w
		}
	}
	if wait > 0 && wait < time.Second {
		wait = time.Second
	}
	return wait, nil
}

// Authenticate resolves a bearer token (a session token or an API key) to
// its principal. Anything else, or a dead token, is unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (recouvra.Principal, error) {
	now := s.now()
	switch {
	case strings.HasPrefix(token, credential.SessionPrefix):
		return s.store.SessionPrincipal(ctx, credential.HashToken(token), now)
	case strings.HasPrefix(token, credential.APIKeyPrefix):
		p, lastUsed, err := s.store.APIKeyPrincipal(ctx, credential.HashToken(token))
		if err != nil {
			return recouvra.Principal{}, err
		}
		// Keep last-used fresh to the minute without a write per request.
		if lastUsed == nil || now.Sub(*lastUsed) > time.Minute {
			if err := s.store.TouchAPIKey(ctx, p.APIKeyID, now); err != nil {
				return recouvra.Principal{}, err
			}
		}
		return p, nil
	}
	return recouvra.Principal{}, errUnauthenticated()
}

func errUnauthenticated() error {
	return recouvra.Errorf(recouvra.ECodeUnauthorized, "Jeton absent, invalide ou expiré.")
}

// Logout revokes the caller's session.
func (s *Service) Logout(ctx context.Context, p recouvra.Principal, meta Meta) error {
	if p.Kind != recouvra.PrincipalUser {
		return recouvra.Errorf(recouvra.ECodeForbidden, "Une clé d'API ne se déconnecte pas : un administrateur la révoque.")
	}
	return s.store.Tx(ctx, func(r Repo) error {
		if err := r.RevokeSession(ctx, p.SessionID, s.now()); err != nil {
			return err
		}
		e := s.audit(p, meta, recouvra.AuditLogout, "session", &p.SessionID, nil)
		e.Email = p.Email
		return r.InsertAudit(ctx, e)
	})
}

// Me returns the caller's own account.
func (s *Service) Me(ctx context.Context, p recouvra.Principal) (recouvra.User, error) {
	if p.Kind != recouvra.PrincipalUser {
		return recouvra.User{}, recouvra.Errorf(recouvra.ECodeForbidden, "Une clé d'API n'a pas de compte utilisateur : cette route est réservée aux personnes connectées.")
	}
	return s.store.UserByID(ctx, p.UserID)
}
