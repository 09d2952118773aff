package app

import (
	"context"
	"fmt"
	"time"
)

// Mailer is the e-mail channel's port: internal/mail implements it over
// SMTP, and the use cases never see the SMTP library.
type Mailer interface {
	// Send delivers m once. A refusal is a *MailError saying whether it is
	// for good (5xx) or worth retrying (4xx, server unreachable).
	Send(ctx context.Context, m OutgoingMail) error
}

// OutgoingMail is a composed e-mail.
type OutgoingMail struct {
	From, FromName       string // the agency
	To                   string
	ReplyTo, ReplyToName string // the agent on the case
	Subject              string
	Text, HTML           string
	MessageID            string // without angle brackets
	Language             string // fr or en (Content-Language)
	Date                 time.Time
	Attachment           MailAttachment
}

// MailAttachment is a file attached to an e-mail.
type MailAttachment struct {
	Name, MediaType string
	Content         []byte
}

// MailError is an SMTP refusal or a failure to reach the server.
type MailError struct {
	Permanent bool   // 5xx: the address (or the mail) is refused for good
	Code      int    // the SMTP reply code, 0 when there was none
	Reason    string // the server's words
}

func (e *MailError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("smtp %s failure (%d): %s", kind, e.Code, e.Reason)
}
