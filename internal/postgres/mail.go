package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatMail = "E-mail"

// mailRow is a mail_messages row (migration 00022).
type mailRow struct {
	ID          uuid.UUID
	CaseID      *uuid.UUID // NULL for a digest (migration 00023)
	CreditorID  *uuid.UUID // NULL for a staff member's digest
	DebtorID    *uuid.UUID
	UserID      *uuid.UUID // a digest's reader
	Kind        string
	SourceKey   string
	PaymentID   *uuid.UUID
	DocumentID  *uuid.UUID
	RequestedBy *uuid.UUID
	Recipient   string
	ReplyTo     string
	Language    string
	MessageID   string
	Subject     string
	TextBody    string
	HTMLBody    string `gorm:"column:html_body"`
	State       string
	Attempts    int
	LastError   string
	SMTPCode    *int `gorm:"column:smtp_code"`
	CreatedAt   time.Time
	SentAt      *time.Time
	FinishedAt  *time.Time
}

func (mailRow) TableName() string { return "mail_messages" }

func mailRowOf(m *recouvra.MailMessage) mailRow {
	row := mailRow{ID: m.ID, CaseID: nilUUID(m.CaseID), CreditorID: nilUUID(m.CreditorID), DebtorID: nilUUID(m.DebtorID), UserID: m.UserID, Kind: string(m.Kind), SourceKey: m.SourceKey,
		PaymentID: m.PaymentID, DocumentID: m.DocumentID, RequestedBy: m.RequestedBy, Recipient: m.To, ReplyTo: m.ReplyTo, Language: m.Language,
		MessageID: m.MessageID, Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, State: string(m.State), Attempts: m.Attempts,
		LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt, FinishedAt: m.FinishedAt}
	if m.SMTPCode != 0 {
		code := m.SMTPCode
		row.SMTPCode = &code
	}
	return row
}

func (r mailRow) domain() recouvra.MailMessage {
	m := recouvra.MailMessage{ID: r.ID, CaseID: orNil(r.CaseID), CreditorID: orNil(r.CreditorID), DebtorID: orNil(r.DebtorID), UserID: r.UserID, Kind: recouvra.MailKind(r.Kind),
		SourceKey: r.SourceKey, PaymentID: r.PaymentID, DocumentID: r.DocumentID, RequestedBy: r.RequestedBy, To: r.Recipient, ReplyTo: r.ReplyTo,
		Language: r.Language, MessageID: r.MessageID, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody, State: recouvra.MailState(r.State),
		Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt), FinishedAt: utcPtr(r.FinishedAt)}
	if r.SMTPCode != nil {
		m.SMTPCode = *r.SMTPCode
	}
	return m
}

// nilUUID is NULL for uuid.Nil; orNil the way back.
func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func (r repo) InsertMail(ctx context.Context, m *recouvra.MailMessage) (recouvra.MailMessage, bool, error) {
	row := mailRowOf(m)
	res := r.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_key"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return recouvra.MailMessage{}, false, dbErr(res.Error, whatMail)
	}
	if res.RowsAffected == 1 {
		return *m, true, nil
	}
	var existing mailRow
	if err := r.q(ctx).Where("source_key = ?", m.SourceKey).Take(&existing).Error; err != nil {
		return recouvra.MailMessage{}, false, dbErr(err, whatMail)
	}
	return existing.domain(), false, nil
}

func (r repo) MailByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.MailMessage, error) {
	var row mailRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatMail); err != nil {
		return recouvra.MailMessage{}, err
	}
	return row.domain(), nil
}

func (r repo) UpdateMail(ctx context.Context, m *recouvra.MailMessage) error {
	row := mailRowOf(m)
	err := r.q(ctx).Model(&mailRow{}).Where("id = ?", m.ID).Select("document_id", "reply_to", "subject", "text_body", "html_body",
		"state", "attempts", "last_error", "smtp_code", "sent_at", "finished_at").Updates(&row).Error
	return dbErr(err, whatMail)
}

func (r repo) QueuedMail(ctx context.Context, before time.Time, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Model(&mailRow{}).Where("state = 'queued' AND created_at < ?", before).Order("created_at").Limit(limit).Pluck("id", &ids).Error
	return ids, dbErr(err, whatMail)
}

type badEmailRow struct {
	DebtorID  uuid.UUID
	Email     string
	Reason    string
	SMTPCode  *int `gorm:"column:smtp_code"`
	MessageID string
	MarkedAt  time.Time
}

func (badEmailRow) TableName() string { return "debtor_bad_emails" }

func (r repo) MarkBadEmail(ctx context.Context, b recouvra.BadEmail) error {
	row := badEmailRow{DebtorID: b.DebtorID, Email: b.Email, Reason: b.Reason, MessageID: b.MessageID, MarkedAt: b.MarkedAt}
	if b.SMTPCode != 0 {
		code := b.SMTPCode
		row.SMTPCode = &code
	}
	err := r.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "debtor_id"}, {Name: "email"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason", "smtp_code", "message_id", "marked_at"})}).Create(&row).Error
	return dbErr(err, "Adresse e-mail refusée")
}

func (r repo) BadEmails(ctx context.Context, debtorID uuid.UUID) ([]recouvra.BadEmail, error) {
	var rows []badEmailRow
	if err := r.q(ctx).Where("debtor_id = ?", debtorID).Order("marked_at DESC").Find(&rows).Error; err != nil {
		return nil, dbErr(err, "Adresse e-mail refusée")
	}
	out := make([]recouvra.BadEmail, len(rows))
	for i, b := range rows {
		out[i] = recouvra.BadEmail{DebtorID: b.DebtorID, Email: b.Email, Reason: b.Reason, MessageID: b.MessageID, MarkedAt: b.MarkedAt.UTC()}
		if b.SMTPCode != nil {
			out[i].SMTPCode = *b.SMTPCode
		}
	}
	return out, nil
}
