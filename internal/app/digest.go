package app

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The daily e-mail digest of notifications (recouvra.DigestRule says
// whose): a periodic job writes, once per person per day, a mail of its
// notifications still unread and not in an earlier digest, read through
// the same rule and query as the bell, in the person's scope.

// NotificationSettings is a person's choice about the digest.
type NotificationSettings struct {
	EmailDigest bool   // the daily e-mail digest, off by default
	Language    string // of the digest: fr or en
}

// NotificationSettingsView is the choice with what the person cannot
// change: when digests go, whether mail is configured at all, and whether
// its creditor has payments sent by digest anyway (R124-5).
type NotificationSettingsView struct {
	NotificationSettings
	Email              string
	DigestTime         string // HH:MM, Paris
	MailOn             bool
	PaymentsByCreditor bool
}

// DigestReader is a person who gets a digest: who asked for it, or whose
// creditor chose payments by digest.
type DigestReader struct {
	Principal recouvra.Principal
	Settings  NotificationSettings
	Reports   recouvra.PaymentReports // its creditor's choice; portal for staff
}

// DigestRepo keeps the choices and writes the digests (migration 00023).
type DigestRepo interface {
	NotificationSettings(ctx context.Context, userID uuid.UUID) (NotificationSettings, error)
	SetNotificationSettings(ctx context.Context, userID uuid.UUID, s NotificationSettings, at time.Time) error
	CreditorPaymentReports(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) (recouvra.PaymentReports, error)
	SetCreditorPaymentReports(ctx context.Context, creditorID uuid.UUID, r recouvra.PaymentReports, at time.Time) error
	// DigestReaders lists the active people who get a digest.
	DigestReaders(ctx context.Context) ([]DigestReader, error)
	// DigestNotifications reads rule's unread notifications not in an
	// earlier digest of the user, oldest first, below a fence it returns.
	DigestNotifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule) ([]recouvra.Notification, string, error)
	// InsertDigest adds digest m unless its SourceKey exists.
	InsertDigest(ctx context.Context, m *recouvra.MailMessage) (bool, error)
}

// NotificationSettings reads the caller's digest choice.
func (s *Service) NotificationSettings(ctx context.Context, p recouvra.Principal) (NotificationSettingsView, error) {
	if _, ok, err := notificationRule(p); err != nil || !ok {
		if err == nil {
			err = recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle n'a pas de notifications, donc pas de récapitulatif par e-mail.")
		}
		return NotificationSettingsView{}, err
	}
	v := NotificationSettingsView{Email: p.Email, DigestTime: s.digestTime().String(), MailOn: s.MailOn()}
	var err error
	if v.NotificationSettings, err = s.store.NotificationSettings(ctx, p.UserID); err != nil {
		return NotificationSettingsView{}, err
	}
	if p.CreditorID != nil {
		err = s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
			rep, err := r.CreditorPaymentReports(ctx, p.Scope(), *p.CreditorID)
			v.PaymentsByCreditor = rep == recouvra.PaymentReportsDigest
			return err
		})
	}
	return v, err
}

// SetNotificationSettings changes the caller's digest choice.
func (s *Service) SetNotificationSettings(ctx context.Context, p recouvra.Principal, in NotificationSettings) (NotificationSettingsView, error) {
	if _, ok, err := notificationRule(p); err != nil || !ok {
		if err == nil {
			err = recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle n'a pas de notifications, donc pas de récapitulatif par e-mail.")
		}
		return NotificationSettingsView{}, err
	}
	if in.Language != "fr" && in.Language != "en" {
		return NotificationSettingsView{}, recouvra.Invalid("Réglage invalide.", recouvra.FieldError{Field: "language", Code: "invalid",
			Message: "La langue du récapitulatif est « fr » ou « en »."})
	}
	if err := s.store.SetNotificationSettings(ctx, p.UserID, in, s.now()); err != nil {
		return NotificationSettingsView{}, err
	}
	return s.NotificationSettings(ctx, p)
}

// CreditorPaymentReports reads how creditor id is told of payments
// (R124-5): staff for any creditor, a creditor for itself (another: not
// found).
func (s *Service) CreditorPaymentReports(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.PaymentReports, error) {
	var out recouvra.PaymentReports
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		out, err = r.CreditorPaymentReports(ctx, p.Scope(), id)
		return err
	})
	return out, err
}

// SetCreditorPaymentReports records creditor id's R124-5 choice: an admin
// for any creditor, a creditor (its people or its API key) for itself.
func (s *Service) SetCreditorPaymentReports(ctx context.Context, p recouvra.Principal, id uuid.UUID, reports recouvra.PaymentReports, meta Meta) (recouvra.PaymentReports, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return "", err
	}
	if !reports.Valid() {
		return "", recouvra.Invalid("Réglage invalide.", recouvra.FieldError{Field: "payment_reports", Code: "invalid",
			Message: "Les paiements sont signalés par « portal » (notifications du portail) ou « digest » (aussi par le récapitulatif quotidien par e-mail)."})
	}
	if _, err := s.CreditorPaymentReports(ctx, p, id); err != nil {
		return "", err // another creditor's: not found
	}
	err := s.store.Tx(ctx, func(r Repo) error {
		if err := r.SetCreditorPaymentReports(ctx, id, reports, s.now()); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "creditor.payment_reports", "creditor", &id, map[string]any{"payment_reports": string(reports)}))
	})
	return reports, err
}

func (s *Service) digestTime() recouvra.DigestTime {
	if s.cfg.DigestTime == nil {
		return recouvra.DefaultDigestTime
	}
	return *s.cfg.DigestTime
}

// SendDigests writes the day's digests once their time has come (the
// queue runs it every few minutes): for each person who gets one, its
// notifications still unread since its last digest, read in its scope;
// nothing when there are none. Each digest is keyed by person and day, so
// a second run, or a second server, writes none again. It returns how many
// it wrote; each is then delivered by the mail queue.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	if !s.MailOn() {
		return 0, nil
	}
	day, due := recouvra.DigestDue(s.now(), s.digestTime())
	if !due {
		return 0, nil
	}
	readers, err := s.store.DigestReaders(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, rd := range readers {
		id, err := s.writeDigest(ctx, rd, day)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if id != nil {
			n++
			s.kick(ctx, *id, 0)
		}
	}
	return n, errors.Join(errs...)
}

// writeDigest writes rd's digest of day, if it has news and none was
// written for that day.
func (s *Service) writeDigest(ctx context.Context, rd DigestReader, day recouvra.Date) (*uuid.UUID, error) {
	p := rd.Principal
	rule, ok := recouvra.DigestRule(p, rd.Settings.EmailDigest, rd.Reports)
	if !ok {
		return nil, nil
	}
	var notes []recouvra.Notification
	var fence string
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		notes, fence, err = r.DigestNotifications(ctx, scope, rule)
		return err
	})
	if err != nil {
		return nil, err
	}
	items, more := recouvra.DigestSelect(notes)
	if len(items) == 0 {
		return nil, nil
	}
	lang := rd.Settings.Language
	if lang != "en" {
		lang = "fr"
	}
	e := documents.DigestEmail(documents.Digest{AgencyName: s.cfg.Agency.Name, Day: day, Items: items, More: more,
		PaymentsByCreditor: rd.Reports == recouvra.PaymentReportsDigest && p.CreditorID != nil}, lang)
	user := p.UserID
	m := recouvra.MailMessage{ID: uuid.Must(uuid.NewV7()), Kind: recouvra.MailNotificationDigest, SourceKey: recouvra.DigestSourceKey(user, day),
		UserID: &user, DigestBelow: fence, To: p.Email, Language: lang, MessageID: s.newMessageID(), Subject: e.Subject, Text: e.Text, HTML: e.HTML,
		State: recouvra.MailQueued, CreatedAt: s.now()}
	var inserted bool
	if err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		inserted, err = r.InsertDigest(ctx, &m)
		return err
	}); err != nil || !inserted {
		return nil, err
	}
	return &m.ID, nil
}
