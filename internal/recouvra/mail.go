package recouvra

import (
	"time"

	"github.com/google/uuid"
)

// Events the e-mail channel writes on a case's timeline, shared with the
// creditor: each names the Message-ID, the recipient, the subject and the
// document attached.
const (
	EventEmailSent    EventType = "email_sent"    // the SMTP server accepted the mail
	EventEmailRefused EventType = "email_refused" // refused for good (5xx): the address is marked bad
	EventEmailFailed  EventType = "email_failed"  // temporary failures until the retries ran out
)

// MailKind says what an e-mail to a debtor carries.
type MailKind string

const (
	MailPaymentReceipt MailKind = "payment_receipt" // the receipt of a payment (CPCE R124-6)
	MailAmicableLetter MailKind = "amicable_letter" // an amicable letter, sent by a staff member
	// MailWebhookDisabled tells a creditor's user that one of its webhook
	// endpoints was disabled (to a user, about no case, like a digest).
	MailWebhookDisabled MailKind = "webhook_disabled"
)

// ToUser says whether the mail goes to a user of the portal (a digest, a
// webhook endpoint disabled) rather than to a debtor about a case: no
// attachment, no timeline event, no address marked bad.
func (m MailMessage) ToUser() bool { return m.UserID != nil }

// MailState is where an e-mail stands.
type MailState string

const (
	MailQueued  MailState = "queued"  // waiting for its first or next attempt
	MailSent    MailState = "sent"    // accepted by the SMTP server
	MailRefused MailState = "refused" // refused for good: the address is bad
	MailFailed  MailState = "failed"  // temporary failures until the retries ran out
)

// MailMessage is one e-mail as the outbox holds it: to a debtor about a
// case, or a notification digest to a user (MailNotificationDigest: no
// case nor debtor, uuid.Nil; CreditorID the user's, uuid.Nil for staff).
type MailMessage struct {
	ID          uuid.UUID
	CaseID      uuid.UUID
	CreditorID  uuid.UUID
	DebtorID    uuid.UUID
	UserID      *uuid.UUID // a digest's reader
	DigestBelow string     // a digest's fence (xid8 as text): it covers the notifications of transactions below it
	Kind        MailKind
	SourceKey   string // one mail per source: the payment, or the document and address
	PaymentID   *uuid.UUID
	DocumentID  *uuid.UUID
	RequestedBy *uuid.UUID
	To          string
	ReplyTo     string
	Language    string // fr or en
	MessageID   string // without angle brackets
	Subject     string
	Text        string
	HTML        string
	State       MailState
	Attempts    int
	LastError   string
	SMTPCode    int
	CreatedAt   time.Time
	SentAt      *time.Time
	FinishedAt  *time.Time
}

// BadEmail is an address an SMTP server refused for good.
type BadEmail struct {
	DebtorID  uuid.UUID
	Email     string
	Reason    string
	SMTPCode  int
	MessageID string
	MarkedAt  time.Time
}
