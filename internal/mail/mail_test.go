package mail_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/mail"
)

func outgoing(to string) app.OutgoingMail {
	return app.OutgoingMail{From: "relances@agence.test", FromName: "Agence Recouvra", To: to, ReplyTo: "agent@agence.test", ReplyToName: "Camille Agent",
		Subject: "Reçu n° R-2026-000001 — dossier D-1", Text: "Bonjour", HTML: "<p>Bonjour</p>", MessageID: "0190-test@agence.test", Language: "fr",
		Date: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), Attachment: app.MailAttachment{Name: "recu.pdf", MediaType: "application/pdf", Content: []byte("%PDF-1.4 test")}}
}

// The sender speaks to a real SMTP server (the catcher); the catcher's page
// lists what it received and gives each message's source.
func TestSendToTheCatcherAndReadItsPage(t *testing.T) {
	c, err := mail.StartCatcher("127.0.0.1:0", &mail.Catcher{Dir: t.TempDir(), Refuse: func(rcpt string) *smtp.SMTPError {
		switch {
		case strings.HasPrefix(rcpt, "gone@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		case strings.HasPrefix(rcpt, "later@"):
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	web, err := c.ServeWeb("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := mail.NewSender(c.Settings())
	ctx := context.Background()
	if err := s.Send(ctx, outgoing("compta@debiteur.test")); err != nil {
		t.Fatal(err)
	}
	var me *app.MailError
	if err := s.Send(ctx, outgoing("gone@debiteur.test")); !errors.As(err, &me) || !me.Permanent || me.Code != 550 || !strings.Contains(me.Reason, "No such user") {
		t.Fatalf("550: %#v", err)
	}
	if err := s.Send(ctx, outgoing("later@debiteur.test")); !errors.As(err, &me) || me.Permanent || me.Code != 451 {
		t.Fatalf("451: %#v", err)
	}
	// A server that cannot be reached is a temporary failure.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close()
	if err := mail.NewSender(mail.Settings{Host: "127.0.0.1", Port: addr.Port}).Send(ctx, outgoing("compta@debiteur.test")); !errors.As(err, &me) || me.Permanent {
		t.Fatalf("unreachable: %#v", err)
	}
	msgs := c.Messages()
	if len(msgs) != 1 || msgs[0].Header("Subject") != "Reçu n° R-2026-000001 — dossier D-1" || msgs[0].Header("Message-Id") != "<0190-test@agence.test>" {
		t.Fatalf("caught: %d %q", len(msgs), msgs[0].Header("Subject"))
	}
	resp, err := http.Get(web)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Reçu n° R-2026-000001 — dossier D-1") || !strings.Contains(string(page), "/messages/1.eml") {
		t.Fatalf("page:\n%s", page)
	}
	resp, err = http.Get(web + "messages/1.eml")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "message/rfc822" || string(raw) != string(msgs[0].Raw) {
		t.Fatalf("source: %s %d bytes", resp.Header.Get("Content-Type"), len(raw))
	}
}
