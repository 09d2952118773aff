// Package app holds Recouvra's use cases: each loads what it needs through
// the Store, applies the domain's rules, saves and audits in one
// transaction. Who may see what is decided here: every read of creditor
// data passes the caller's Scope down to the store.
package app

import (
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Config tunes the use cases.
type Config struct {
	SessionTTL time.Duration // how long a sign-in token lives
	// SessionIdle ends a web-app (cookie) session after this long without
	// activity; 0 turns idle expiry off. Bearer tokens are not concerned.
	SessionIdle time.Duration
	// Sign-in throttling: MaxFailures failed attempts within FailureWindow,
	// per account or per client address, make further attempts wait.
	MaxFailures   int
	FailureWindow time.Duration
	Password      credential.Params
	// LeaseDuration is how long a case handed out by the queue stays with
	// its agent.
	LeaseDuration time.Duration
	// UrgentDays: a docket entry whose nearest deadline is at most this
	// many days away is urgent; 0 means only today and overdue ones.
	UrgentDays int
	// DeadlineMarginDays: each legal deadline shows the agency's internal
	// target this many days earlier, on a working day (Deadline.TargetOn).
	DeadlineMarginDays int
	// PromiseGraceDays: a promise is kept by payments received up to this
	// many days after its due date (recouvra.JudgePromise).
	PromiseGraceDays int
	// LargePaymentCents: the web app asks for confirmation before
	// recording a payment of at least this amount (Settings).
	LargePaymentCents int64
	// Agency signs the documents; Blobs keeps their contents.
	Agency documents.Agency
	Blobs  Blobs
	// CourtForms are the official forms a court request cites, by court
	// and date (configs/legal/court-forms.csv).
	CourtForms     recouvra.CourtForms
	MaxUploadBytes int64
	// Batches keeps document batches and queues their background job.
	Batches BatchStore
	// Imports keeps placement files and places their rows (imports.go);
	// nil: imports are unavailable.
	Imports ImportStore
	// Mail is the e-mail channel (mail.go); its zero value sends nothing.
	Mail MailConfig
	// Webhooks is the channel to creditors' systems (webhooks.go); with no
	// sender nothing is delivered.
	Webhooks WebhookConfig
	// DebtorLinks is the debtor's page: its secret and public address
	// (debtorpage.go).
	DebtorLinks DebtorLinkConfig
	// DigestTime is when, in Paris, the daily notification digests are
	// written (digest.go); nil means recouvra.DefaultDigestTime.
	DigestTime *recouvra.DigestTime
	// Logger receives what an operator should know about a use case that
	// succeeded anyway (a document printed with replaced characters); nil
	// discards it.
	Logger *slog.Logger
}

// Service is the application: every use case is a method.
type Service struct {
	store     Store
	policy    Policy
	cfg       Config
	now       func() time.Time
	dummyHash string // verified for unknown accounts, so they take as long as known ones
	// debtorBase is the server's own address, for debtor links when the
	// configuration names none (SetPublicURL).
	debtorBase publicURL
}

// New builds the service. now is the clock (UTC); nil means time.Now.
func New(store Store, policy Policy, cfg Config, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	dummy, err := cfg.Password.Hash("not a password anyone has: equalises timing")
	if err != nil {
		return nil, err
	}
	if cfg.LeaseDuration <= 0 {
		cfg.LeaseDuration = 15 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, policy: policy, cfg: cfg, now: func() time.Time { return now().UTC() }, dummyHash: dummy}, nil
}

// Meta describes where a request came from, for the audit log.
type Meta struct {
	ClientIP  string
	UserAgent string
}

// Page is one page of a keyset-paginated list.
type Page[T any] struct {
	Items      []T
	NextCursor string // empty on the last page
}

// PageRequest asks for a page: Limit items after Cursor.
type PageRequest struct {
	Limit  int
	Cursor string
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// normalize applies the defaults and bounds and decodes the cursor, which
// is the id of the last item of the previous page.
func (r PageRequest) normalize() (limit int, after *uuid.UUID, err error) {
	limit = r.Limit
	switch {
	case limit <= 0:
		limit = defaultPageSize
	case limit > maxPageSize:
		limit = maxPageSize
	}
	if r.Cursor == "" {
		return limit, nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(r.Cursor)
	if err != nil {
		return 0, nil, badCursor()
	}
	id, err := uuid.FromBytes(raw)
	if err != nil {
		return 0, nil, badCursor()
	}
	return limit, &id, nil
}

func badCursor() error {
	return recouvra.Invalid("Curseur invalide.", recouvra.FieldError{Field: "query.cursor", Code: "invalid", Message: "Curseur de pagination invalide."})
}

// pageOf cuts a result fetched with limit+1 rows into a page.
func pageOf[T any](items []T, limit int, id func(T) uuid.UUID) Page[T] {
	if len(items) <= limit {
		return Page[T]{Items: items}
	}
	items = items[:limit]
	last := id(items[len(items)-1])
	return Page[T]{Items: items, NextCursor: base64.RawURLEncoding.EncodeToString(last[:])}
}

// requireRole refuses callers whose role is not listed. The HTTP layer's
// policy already stops them; this keeps the rule true for every other caller
// (the CLI, jobs, future transports).
func requireRole(p recouvra.Principal, roles ...recouvra.Role) error {
	for _, r := range roles {
		if p.Role == r {
			return nil
		}
	}
	return recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle ne permet pas cette action.")
}

// audit builds an audit entry stamped with the service's clock, with the
// actor and origin of the request.
func (s *Service) audit(p recouvra.Principal, meta Meta, action, targetType string, targetID *uuid.UUID, details map[string]any) recouvra.AuditEntry {
	e := recouvra.AuditEntry{
		At: s.now(), Action: action, TargetType: targetType, TargetID: targetID,
		ClientIP: meta.ClientIP, UserAgent: meta.UserAgent, Details: details,
	}
	e.ActorUserID, e.ActorAPIKeyID = p.Actor()
	return e
}

// System is the principal of administration commands run on the server
// itself (recouvra user create): full rights, audited without an actor.
var System = recouvra.Principal{Kind: recouvra.PrincipalSystem, Role: recouvra.RoleAdmin}
