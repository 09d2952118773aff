// Package mail sends Recouvra's e-mail through SMTP (github.com/wneessen/go-mail)
// and, for `make run` and tests, catches it with a small SMTP server of its
// own (github.com/emersion/go-smtp). It has one job: put a composed
// app.OutgoingMail on the wire and say whether a refusal is for good.
package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/recouvra/recouvra/internal/app"
)

// Settings is where and how to reach the SMTP server, from
// RECOUVRA_SMTP_URL (read and checked by internal/config):
// smtp://user:pass@host:port (STARTTLS when the server offers it;
// authentication then needs TLS unless the host is local) or
// smtps://user:pass@host:port (TLS from the first byte).
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	Implicit bool // smtps://
}

// Redacted is the URL without its password, for logs and messages.
func (s Settings) Redacted() string {
	scheme := "smtp"
	if s.Implicit {
		scheme = "smtps"
	}
	user := ""
	if s.Username != "" {
		user = url.User(s.Username).String() + ":***@"
	}
	return fmt.Sprintf("%s://%s%s", scheme, user, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
}

// Sender implements app.Mailer over SMTP.
type Sender struct {
	settings Settings
	timeout  time.Duration
}

var _ app.Mailer = (*Sender)(nil)

// NewSender returns a sender to the server s names.
func NewSender(s Settings) *Sender { return &Sender{settings: s, timeout: 30 * time.Second} }

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.settings.Port), gomail.WithTimeout(s.timeout)}
	if s.settings.Implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.settings.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.settings.Username), gomail.WithPassword(s.settings.Password))
	}
	return gomail.NewClient(s.settings.Host, opts...)
}

// Compose builds the MIME message of m: From the agency, Reply-To the
// agent, the Message-ID given, a text part and its HTML alternative, the
// PDF attached.
func Compose(m app.OutgoingMail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(m.FromName, m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, &app.MailError{Permanent: true, Reason: fmt.Sprintf("adresse invalide : %v", err)}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyToFormat(m.ReplyToName, m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", m.ReplyTo, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if m.Attachment.Name != "" {
		if err := msg.AttachReader(m.Attachment.Name, bytes.NewReader(m.Attachment.Content), gomail.WithFileContentType(gomail.ContentType(m.Attachment.MediaType))); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// Send delivers m. A refusal is returned as an *app.MailError: permanent
// for a 5xx reply, temporary for a 4xx reply or a server that cannot be
// reached.
func (s *Sender) Send(ctx context.Context, m app.OutgoingMail) error {
	msg, err := Compose(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// classify turns go-mail's error into an app.MailError.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		reason := strings.TrimSpace(se.Error())
		if root := errors.Unwrap(se); root != nil {
			reason = strings.TrimSpace(root.Error())
		}
		permanent := code >= 500 && code < 600
		return &app.MailError{Permanent: permanent, Code: code, Reason: reason}
	}
	return &app.MailError{Reason: strings.TrimSpace(err.Error())}
}
