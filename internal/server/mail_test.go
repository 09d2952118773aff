package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/mail"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// mailWorld is a world whose server sends through a real SMTP server the
// test started (go-smtp, internal/mail's catcher), refusing recipients as
// refuse says.
func mailWorld(t *testing.T, refuse func(rcpt string) *smtp.SMTPError, edits ...func(*config.Config)) (*world, *mail.Catcher) {
	t.Helper()
	c, err := mail.StartCatcher("127.0.0.1:0", &mail.Catcher{Refuse: refuse})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	s := c.Settings()
	w := newWorldWith(t, io.Discard, func(cfg *config.Config) {
		cfg.SMTP = config.SMTP{URL: c.URL(), Host: s.Host, Port: s.Port}
		cfg.MailFrom = "relances@recouvra.test"
		for _, edit := range edits {
			edit(cfg)
		}
	})
	return w, c
}

// mailCase opens a case of creditor A for a debtor with an e-mail address
// in country, assigned to the agent.
func (w *world) mailCase(email, country string) uuid.UUID {
	w.t.Helper()
	today := recouvra.DateOf(w.clock.Now())
	agent := w.users["agent"].ID
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{
		CreditorID: &w.credA.ID, CreditorReference: "REF-" + w.unique(), AssignedAgentID: &agent,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Charpentes Leroy " + w.unique(), Emails: []string{email},
			Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier", Country: country}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-400), DueOn: today.AddDays(-370), AmountCents: 120000, VATCents: 20000}},
	}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Case.ID
}

// parsedMail is a caught message read back as a mail program would.
type parsedMail struct {
	header     netmail.Header
	text, html string
	attachName string
	attachment []byte
}

// readMIME parses raw: the headers, the text and HTML parts of the
// multipart/alternative, and the one attachment, each decoded.
func readMIME(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := parsedMail{header: m.Header}
	var walk func(contentType string, encoding string, disposition string, body io.Reader)
	walk = func(contentType, encoding, disposition string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		var r io.Reader = body
		switch strings.ToLower(encoding) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s part: %v", mt, err)
		}
		switch {
		case strings.HasPrefix(disposition, "attachment"):
			_, dp, _ := mime.ParseMediaType(disposition)
			out.attachName, out.attachment = dp["filename"], data
		case mt == "text/plain":
			out.text = string(data)
		case mt == "text/html":
			out.html = string(data)
		}
	}
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return out
}

// mailEvents reads a case's events of type typ as principal as.
func (w *world) mailEvents(as string, caseID uuid.UUID, typ string) []oapi.Event {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/cases/"+caseID.String()+"/events?limit=200", nil)
	if r.Status != 200 {
		w.t.Fatalf("timeline: %d %s", r.Status, r.Body)
	}
	var page struct{ Items []oapi.Event }
	r.Decode(w.t, &page)
	var out []oapi.Event
	for _, e := range page.Items {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestEmailAmicableLetter(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil)
	id := w.mailCase("compta@charpentes-leroy.test", "FR")
	first, _ := w.generate("agent", id.String(), map[string]any{"kind": "amicable_letter"})
	r, letter := w.generate("agent", id.String(), map[string]any{"kind": "amicable_letter"})
	if first.Status != 201 || r.Status != 201 {
		t.Fatalf("letters: %d %d %s", first.Status, r.Status, r.Body)
	}

	r = w.as("agent").Do("POST", "/api/v1/documents/"+letter.Id.String()+"/email", nil)
	var sent oapi.MailMessage
	r.Decode(t, &sent)
	if r.Status != 201 || sent.State != "sent" || sent.To != "compta@charpentes-leroy.test" || sent.ReplyTo != "agent@recouvra.test" ||
		sent.Attempts != 1 || sent.AddressMarkedBad || sent.Language != "fr" || !strings.HasSuffix(sent.MessageId, "@recouvra.test") {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	msgs := catcher.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages caught", len(msgs))
	}
	if msgs[0].From != "relances@recouvra.test" || len(msgs[0].To) != 1 || msgs[0].To[0] != "compta@charpentes-leroy.test" {
		t.Fatalf("envelope: %s → %v", msgs[0].From, msgs[0].To)
	}
	m := readMIME(t, msgs[0].Raw)
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.header.Get("Subject"))
	from, _ := netmail.ParseAddress(m.header.Get("From"))
	replyTo, _ := netmail.ParseAddress(m.header.Get("Reply-To"))
	to, _ := netmail.ParseAddress(m.header.Get("To"))
	if from == nil || from.Address != "relances@recouvra.test" || from.Name != "Agence Recouvra Test" ||
		replyTo == nil || replyTo.Address != "agent@recouvra.test" || to == nil || to.Address != "compta@charpentes-leroy.test" ||
		subject != sent.Subject || !strings.Contains(subject, letter.Reference) || m.header.Get("Message-Id") != "<"+sent.MessageId+">" {
		t.Fatalf("headers: %v (subject %q)", m.header, subject)
	}
	// The attachment is the stored letter, byte for byte.
	_, stored := w.content("agent", letter.Id.String())
	if m.attachName != letter.FileName || !bytes.Equal(m.attachment, stored) || len(stored) == 0 {
		t.Fatalf("attachment %q: %d bytes, stored %d", m.attachName, len(m.attachment), len(stored))
	}
	// Both parts carry the letter's R124-4 mentions, from the one place
	// that writes them, and the first letter's reference.
	for _, part := range []string{m.text, m.html} {
		for _, want := range []string{"exerce l'activité de recouvrement amiable de créances pour le compte d'autrui", "Menuiserie Dupont SARL",
			"Enfin, la loi nous impose de vous rappeler les alinéas 2 et 3 de l'article L111-8", "FR76 3000 6000 0112 3456 7890 189",
			"Premier courrier : référence " + strings.TrimSuffix(letter.Reference, "-L2") + "-L1 du ", "Votre interlocuteur"} {
			if !strings.Contains(htmlText(part), want) {
				t.Fatalf("a part misses %q:\n%s", want, part)
			}
		}
	}
	if !strings.Contains(m.text, documents.LetterMentions(documents.Letter{}, "").LegalIntro) {
		t.Fatal("text part: the L111-8 introduction differs from the letter's")
	}

	// On the timeline, shared with the creditor: the Message-ID, the
	// recipient, the subject, the document.
	events := w.mailEvents("creditor", id, "email_sent")
	if len(events) != 1 || events[0].Data["message_id"] != sent.MessageId || events[0].Data["to"] != sent.To ||
		events[0].Data["subject"] != sent.Subject || events[0].Data["document_id"] != letter.Id.String() || events[0].Visibility != "shared" {
		t.Fatalf("timeline: %+v", events)
	}

	// The same letter to the same address: the first mail, nothing sent.
	r = w.as("agent").Do("POST", "/api/v1/documents/"+letter.Id.String()+"/email", nil)
	var again oapi.MailMessage
	r.Decode(t, &again)
	if r.Status != 200 || again.Id != sent.Id || again.MessageId != sent.MessageId || len(catcher.Messages()) != 1 {
		t.Fatalf("again: %d %s (%d caught)", r.Status, r.Body, len(catcher.Messages()))
	}
	// A creditor may not send; a statement is not a letter to e-mail.
	if r := w.as("creditor").Do("POST", "/api/v1/documents/"+letter.Id.String()+"/email", nil); r.Status != 403 {
		t.Fatalf("creditor: %d %s", r.Status, r.Body)
	}
	stmt := w.document(id)
	if r := w.as("agent").Do("POST", "/api/v1/documents/"+stmt.String()+"/email", nil); r.Status != 422 || fieldCodes(r.Problem(t))["id"] != "not_emailable" {
		t.Fatalf("statement: %d %s", r.Status, r.Body)
	}
}

// htmlText undoes the HTML escaping of the few characters the mentions use.
func htmlText(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&#34;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestEmailInEnglishWhereTheDebtorsLanguageIsKnown(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil)
	id := w.mailCase("accounts@leroy-timber.test", "GB")
	_, letter := w.generate("agent", id.String(), map[string]any{"kind": "amicable_letter"})
	r := w.as("agent").Do("POST", "/api/v1/documents/"+letter.Id.String()+"/email", nil)
	var sent oapi.MailMessage
	r.Decode(t, &sent)
	if r.Status != 201 || sent.State != "sent" || sent.Language != "en" || !strings.HasPrefix(sent.Subject, "Payment reminder") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := readMIME(t, catcher.Messages()[0].Raw)
	if m.header.Get("Content-Language") != "en" || !strings.Contains(m.text, "Dear Sir or Madam") ||
		!strings.Contains(m.text, "exerce l'activité de recouvrement amiable") { // the legal mentions stay as the law writes them
		t.Fatalf("english mail:\n%s", m.text)
	}
}

func TestEmailRefusedForGoodMarksTheAddressBad(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, func(rcpt string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	})
	id := w.mailCase("ancienne@charpentes-leroy.test", "FR")
	_, letter := w.generate("agent", id.String(), map[string]any{"kind": "amicable_letter"})
	r := w.as("agent").Do("POST", "/api/v1/documents/"+letter.Id.String()+"/email", nil)
	var refused oapi.MailMessage
	r.Decode(t, &refused)
	code, _ := refused.SmtpCode.Get()
	if r.Status != 201 || refused.State != "refused" || !refused.AddressMarkedBad || code != 550 || !strings.Contains(refused.LastError, "Mailbox unavailable") {
		t.Fatalf("refusal: %d %s", r.Status, r.Body)
	}
	if n := len(catcher.Messages()); n != 0 {
		t.Fatalf("%d messages caught", n)
	}
	events := w.mailEvents("creditor", id, "email_refused")
	if len(events) != 1 || events[0].Data["address_marked_bad"] != true || events[0].Data["message_id"] != refused.MessageId ||
		events[0].Data["to"] != "ancienne@charpentes-leroy.test" || events[0].Data["smtp_code"] != float64(550) {
		t.Fatalf("timeline: %+v", events)
	}
	// The address is not used again: the next letter goes by post.
	_, next := w.generate("agent", id.String(), map[string]any{"kind": "amicable_letter"})
	r = w.as("agent").Do("POST", "/api/v1/documents/"+next.Id.String()+"/email", nil)
	if r.Status != 422 || fieldCodes(r.Problem(t))["debtor.emails"] != "bad_address" {
		t.Fatalf("after refusal: %d %s", r.Status, r.Body)
	}
	// Nor for a receipt.
	pay := map[string]any{"amount_cents": 10_000, "received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer"}
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/payments", pay, "Idempotency-Key", "pay-after-refusal"); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	var queued int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_messages WHERE case_id = $1`, id).Scan(&queued); err != nil || queued != 1 {
		t.Fatalf("mails of the case: %d %v", queued, err)
	}
}

func TestReceiptEmailRetriedAfterATemporaryRefusal(t *testing.T) {
	t.Parallel()
	var tries atomic.Int32
	w, catcher := mailWorld(t, func(rcpt string) *smtp.SMTPError {
		if tries.Add(1) == 1 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"}
		}
		return nil
	})
	id := w.mailCase("compta@charpentes-leroy.test", "FR")
	pay := map[string]any{"amount_cents": 25_000, "received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer"}
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/payments", pay, "Idempotency-Key", "pay-receipt-451")
	var p oapi.Payment
	r.Decode(t, &p)
	if r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	msgs, err := catcher.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var sent []oapi.Event
	for sent == nil && ctx.Err() == nil {
		if sent = w.mailEvents("creditor", id, "email_sent"); sent == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(sent) != 1 || sent[0].Data["attempts"] != float64(2) || tries.Load() != 2 || len(catcher.Messages()) != 1 {
		t.Fatalf("sent: %+v after %d tries, %d caught", sent, tries.Load(), len(catcher.Messages()))
	}
	m := readMIME(t, msgs[0].Raw)
	if m.header.Get("Message-Id") != "<"+sent[0].Data["message_id"].(string)+">" || !strings.Contains(m.text, "reçu n° "+p.ReceiptNumber) ||
		!strings.Contains(m.text, documents.ReceiptNotice) || !strings.Contains(m.html, "R124-6") {
		t.Fatalf("receipt mail: %v\n%s", m.header, m.text)
	}
	// The attachment is the receipt the case now holds, byte for byte.
	docID, _ := sent[0].Data["document_id"].(string)
	d, err := w.svc.GetDocument(context.Background(), app.System, uuid.MustParse(docID))
	if err != nil || d.Kind != "payment_receipt" || d.Reference != p.ReceiptNumber {
		t.Fatalf("receipt document: %+v %v", d, err)
	}
	_, stored := w.content("agent", docID)
	if !bytes.Equal(stored, m.attachment) {
		t.Fatalf("attachment: %d bytes, stored %d", len(m.attachment), len(stored))
	}
	// Nothing more goes out: the job is done, the sweep finds nothing.
	if err := w.svc.SweepMail(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(catcher.Messages()); n != 1 {
		t.Fatalf("%d messages caught", n)
	}
}
