package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The daily notification digest (migration 00023): each person's choice,
// each creditor's R124-5 choice, and the digests themselves in the outbox.

func (r repo) NotificationSettings(ctx context.Context, userID uuid.UUID) (app.NotificationSettings, error) {
	var rows []app.NotificationSettings
	err := r.q(ctx).Raw(`SELECT notification_digest AS email_digest, notification_language AS language FROM users WHERE id = ?`, userID).Scan(&rows).Error
	if err != nil {
		return app.NotificationSettings{}, dbErr(err, whatUser)
	}
	if len(rows) == 0 {
		return app.NotificationSettings{}, notFound(whatUser)
	}
	return rows[0], nil
}

func (r repo) SetNotificationSettings(ctx context.Context, userID uuid.UUID, s app.NotificationSettings, at time.Time) error {
	return oneRow(r.q(ctx).Exec(`UPDATE users SET notification_digest = ?, notification_language = ?, updated_at = ? WHERE id = ?`,
		s.EmailDigest, s.Language, at, userID), whatUser)
}

func (r repo) CreditorPaymentReports(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) (recouvra.PaymentReports, error) {
	var out []string
	if err := scoped(r.q(ctx).Table("creditors"), scope, "id").Where("id = ?", creditorID).Pluck("payment_reports", &out).Error; err != nil {
		return "", dbErr(err, whatCreditor)
	}
	if len(out) == 0 {
		return "", notFound(whatCreditor)
	}
	return recouvra.PaymentReports(out[0]), nil
}

func (r repo) SetCreditorPaymentReports(ctx context.Context, creditorID uuid.UUID, reports recouvra.PaymentReports, at time.Time) error {
	return oneRow(r.q(ctx).Exec(`UPDATE creditors SET payment_reports = ?, updated_at = ? WHERE id = ?`, string(reports), at, creditorID), whatCreditor)
}

type digestReaderRow struct {
	ID             uuid.UUID
	Email          string
	Role           string
	CreditorID     *uuid.UUID
	EmailDigest    bool
	Language       string
	PaymentReports string
}

func (r repo) DigestReaders(ctx context.Context) ([]app.DigestReader, error) {
	var rows []digestReaderRow
	err := r.q(ctx).Raw(`SELECT u.id, u.email, u.role, u.creditor_id, u.notification_digest AS email_digest,
			u.notification_language AS language, coalesce(c.payment_reports, 'portal') AS payment_reports
		FROM users u LEFT JOIN creditors c ON c.id = u.creditor_id
		WHERE u.active AND u.email <> '' AND (u.notification_digest OR c.payment_reports = 'digest')
		ORDER BY u.id`).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatUser)
	}
	out := make([]app.DigestReader, len(rows))
	for i, row := range rows {
		out[i] = app.DigestReader{
			Principal: recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: row.ID, Email: row.Email, Role: recouvra.Role(row.Role), CreditorID: row.CreditorID},
			Settings:  app.NotificationSettings{EmailDigest: row.EmailDigest, Language: row.Language},
			Reports:   recouvra.PaymentReports(row.PaymentReports),
		}
	}
	return out, nil
}

func (r repo) DigestNotifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule) ([]recouvra.Notification, string, error) {
	// The fence first: every transaction below it has ended, so what this
	// digest takes (below it) is complete, and what commits later lies at
	// or above it, for the next digest.
	var fence []string
	if err := r.q(ctx).Raw(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&fence).Error; err != nil || len(fence) == 0 {
		return nil, "", dbErr(err, whatNotification)
	}
	var since []string // "" before the first digest
	if err := r.q(ctx).Raw(`SELECT coalesce(max(digest_below)::text, '') FROM mail_messages WHERE user_id = ? AND kind = 'notification_digest'`, rule.UserID).
		Scan(&since).Error; err != nil {
		return nil, "", dbErr(err, whatMail)
	}
	mark, err := r.readBelow(ctx, rule.UserID)
	if err != nil {
		return nil, "", err
	}
	q := notificationEvents(r.q(ctx), scope, rule).Select(notificationColumns, mark, rule.UserID).
		Where("events.tx >= CAST(? AS text)::xid8 AND events.tx < CAST(? AS text)::xid8", mark, fence[0]).
		Where("NOT EXISTS (SELECT 1 FROM notification_reads nr WHERE nr.user_id = ? AND nr.event_seq = events.seq)", rule.UserID)
	if len(since) == 1 && since[0] != "" {
		q = q.Where("events.tx >= CAST(? AS text)::xid8", since[0])
	}
	var rows []notificationRow
	if err := q.Order("events.tx, events.seq").Limit(recouvra.DigestMaxItems * 20).Scan(&rows).Error; err != nil {
		return nil, "", dbErr(err, whatNotification)
	}
	return domains(rows), fence[0], nil
}

func (r repo) InsertDigest(ctx context.Context, m *recouvra.MailMessage) (bool, error) {
	res := r.q(ctx).Exec(`INSERT INTO mail_messages (id, kind, source_key, user_id, digest_below, recipient, language, message_id,
			subject, text_body, html_body, state, created_at)
		VALUES (?, ?, ?, ?, CAST(? AS text)::xid8, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING`,
		m.ID, string(m.Kind), m.SourceKey, m.UserID, m.DigestBelow, m.To, m.Language, m.MessageID, m.Subject, m.Text, m.HTML, string(m.State), m.CreatedAt)
	if res.Error != nil {
		return false, dbErr(res.Error, whatMail)
	}
	return res.RowsAffected == 1, nil
}
