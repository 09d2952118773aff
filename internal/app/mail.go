package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// MailConfig is the e-mail channel. With no Mailer, nothing is sent nor
// queued: receipts stay on paper and "send by e-mail" answers 503.
type MailConfig struct {
	Mailer   Mailer
	From     string // the agency's address (RECOUVRA_MAIL_FROM, else the agency's e-mail)
	FromName string // the agency's name
	// Enqueue asks the job queue to deliver a queued mail after delay (a
	// river job, retried with backoff); nil where no queue runs.
	Enqueue func(ctx context.Context, id uuid.UUID, delay time.Duration) error
	// Backstop is how long after a staff member's own attempt the queue
	// tries again when that attempt did not settle it (30 s by default).
	Backstop time.Duration
}

// MailRepo keeps the outbox and the addresses refused for good
// (migration 00022).
type MailRepo interface {
	// InsertMail adds m unless a mail with its SourceKey exists: that one
	// is returned instead (inserted false).
	InsertMail(ctx context.Context, m *recouvra.MailMessage) (existing recouvra.MailMessage, inserted bool, err error)
	// MailByID reads a mail the scope may see; ForUpdate locks it.
	MailByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.MailMessage, error)
	// UpdateMail saves m's document, content, state, attempts and error.
	UpdateMail(ctx context.Context, m *recouvra.MailMessage) error
	// QueuedMail lists mails still queued that were created before
	// before, oldest first.
	QueuedMail(ctx context.Context, before time.Time, limit int) ([]uuid.UUID, error)
	// MarkBadEmail records an address refused for good (the latest
	// refusal wins).
	MarkBadEmail(ctx context.Context, b recouvra.BadEmail) error
	// BadEmails lists a debtor's refused addresses.
	BadEmails(ctx context.Context, debtorID uuid.UUID) ([]recouvra.BadEmail, error)
}

// MailOn says whether an SMTP server is configured.
func (s *Service) MailOn() bool { return s.cfg.Mail.Mailer != nil }

// newMessageID is a globally unique Message-ID on the sender's domain.
func (s *Service) newMessageID() string {
	domain := "recouvra.localhost"
	if _, d, ok := strings.Cut(s.cfg.Mail.From, "@"); ok && d != "" {
		domain = d
	}
	return uuid.Must(uuid.NewV7()).String() + "@" + domain
}

// mailAddress is the debtor's first e-mail address that no server has
// refused for good, and the refusals, to explain when there is none.
func mailAddress(ctx context.Context, r Repo, debtor recouvra.Debtor) (string, []recouvra.BadEmail, error) {
	bad, err := r.BadEmails(ctx, debtor.ID)
	if err != nil {
		return "", nil, err
	}
	return usableAddress(debtor, bad), bad, nil
}

// usableAddress is the debtor's first e-mail address not among bad, the
// addresses servers refused for good, or "".
func usableAddress(debtor recouvra.Debtor, bad []recouvra.BadEmail) string {
	refused := map[string]bool{}
	for _, b := range bad {
		refused[strings.ToLower(b.Email)] = true
	}
	for _, e := range debtor.Emails {
		e = strings.TrimSpace(e)
		if a, err := mail.ParseAddress(e); err == nil && a.Address == e && !refused[strings.ToLower(e)] {
			return e
		}
	}
	return ""
}

// receiptToMail is a payment just recorded, its case and its debtor.
type receiptToMail struct {
	c      recouvra.Case
	debtor recouvra.Debtor
	pay    recouvra.Payment
}

// queueReceiptMails adds, in the transaction of recordPayments, the mails
// that will carry the payments' receipts to the debtors (CPCE R124-6)
// where an address is known — the refused addresses read once for all,
// the mails inserted at once: the receipt itself is produced when a mail
// is first sent. It returns the mails' ids.
func (s *Service) queueReceiptMails(ctx context.Context, r Repo, p recouvra.Principal, receipts []receiptToMail) ([]uuid.UUID, error) {
	if !s.MailOn() || len(receipts) == 0 {
		return nil, nil
	}
	var debtorIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, x := range receipts {
		if !seen[x.debtor.ID] && len(x.debtor.Emails) > 0 {
			seen[x.debtor.ID] = true
			debtorIDs = append(debtorIDs, x.debtor.ID)
		}
	}
	if len(debtorIDs) == 0 {
		return nil, nil
	}
	bad, err := r.BadEmailsOf(ctx, debtorIDs)
	if err != nil {
		return nil, err
	}
	requestedBy, _ := p.Actor()
	var ms []recouvra.MailMessage
	for _, x := range receipts {
		to := usableAddress(x.debtor, bad[x.debtor.ID])
		if to == "" {
			continue
		}
		payID := x.pay.ID
		ms = append(ms, recouvra.MailMessage{ID: uuid.Must(uuid.NewV7()), CaseID: x.c.ID, CreditorID: x.c.CreditorID, DebtorID: x.debtor.ID,
			Kind: recouvra.MailPaymentReceipt, SourceKey: "receipt:" + x.pay.ID.String(), PaymentID: &payID, To: to,
			Language: documents.EmailLanguage(x.debtor), MessageID: s.newMessageID(), State: recouvra.MailQueued, CreatedAt: s.now(),
			RequestedBy: requestedBy})
	}
	if err := r.InsertMails(ctx, ms); err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids, nil
}

// kick asks the queue to deliver mail id after delay. A mail whose job is
// lost (a crash between the commit and this call) is found again by the
// queue's sweep (SweepMail).
func (s *Service) kick(ctx context.Context, id uuid.UUID, delay time.Duration) {
	if s.cfg.Mail.Enqueue == nil {
		return
	}
	if err := s.cfg.Mail.Enqueue(context.WithoutCancel(ctx), id, delay); err != nil {
		s.cfg.Logger.Warn("mail not queued; the sweep will find it", "mail_id", id.String(), "error", err.Error())
	}
}

// SweepMail queues again the mails still waiting after a while (their
// job was lost): the queue runs it periodically.
func (s *Service) SweepMail(ctx context.Context) error {
	if !s.MailOn() {
		return nil
	}
	ids, err := s.store.QueuedMail(ctx, s.now().Add(-2*time.Minute), 1000)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.kick(ctx, id, 0)
	}
	return nil
}

// EmailDocument sends a case's amicable letter to the debtor by e-mail:
// the letter's PDF attached, the same R124-4 mentions in the mail, the
// agency as sender and the agent on the case as Reply-To. The mail is
// queued (and recorded) first, then tried at once: the answer says whether
// it was sent, refused for good (the address is then marked bad), or left
// to the queue to retry. Sending the same letter to the same address again
// answers the first mail.
func (s *Service) EmailDocument(ctx context.Context, p recouvra.Principal, docID uuid.UUID) (m recouvra.MailMessage, created bool, err error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return recouvra.MailMessage{}, false, err
	}
	m, fresh, err := s.queueLetterMail(ctx, p, docID)
	if err != nil {
		return recouvra.MailMessage{}, false, err
	}
	if !fresh {
		return m, false, nil
	}
	backstop := s.cfg.Mail.Backstop
	if backstop <= 0 {
		backstop = 30 * time.Second
	}
	s.kick(ctx, m.ID, backstop)
	if err := s.DeliverMail(ctx, m.ID, false); err != nil && !isTemporary(err) {
		return recouvra.MailMessage{}, false, err
	}
	m, err = s.store.MailByID(ctx, p.Scope(), m.ID, NoLock)
	return m, true, err
}

// queueLetterMail writes, in one transaction, the outbox row that will
// carry an amicable letter to the debtor (EmailDocument's first half; the
// strategy engine's e-mail step in its own transaction). fresh is false
// when the same letter was already queued to the same address.
func (s *Service) queueLetterMail(ctx context.Context, p recouvra.Principal, docID uuid.UUID) (m recouvra.MailMessage, fresh bool, err error) {
	err = s.store.Tx(ctx, func(r Repo) error {
		doc, err := r.DocumentByID(ctx, p.Scope(), docID)
		if err != nil {
			return err
		}
		if doc.CaseID == nil || documents.Kind(doc.Kind) != documents.KindAmicableLetter || doc.SupersededBy != nil {
			return recouvra.Invalid("Document impossible à envoyer par e-mail.", recouvra.FieldError{Field: "id", Code: "not_emailable",
				Message: "Seule une lettre de relance amiable en vigueur (non remplacée) s'envoie par e-mail."})
		}
		if !s.MailOn() {
			return recouvra.Errorf(recouvra.ECodeUnavailable, "Aucun serveur SMTP n'est configuré (RECOUVRA_SMTP_URL) : rien ne peut partir par e-mail.")
		}
		c, err := r.CaseByID(ctx, p.Scope(), *doc.CaseID, NoLock)
		if err != nil {
			return err
		}
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		to, bad, err := mailAddress(ctx, r, pt.debtor)
		if err != nil {
			return err
		}
		if to == "" {
			msg := "Le débiteur n'a pas d'adresse e-mail : envoyez la lettre par courrier."
			code := "missing"
			if len(bad) > 0 {
				msg = fmt.Sprintf("Toutes les adresses e-mail du débiteur ont été refusées (%s : %s, le %s) : envoyez la lettre par courrier ou corrigez l'adresse.",
					bad[0].Email, bad[0].Reason, recouvra.FrenchDate(recouvra.DateOf(bad[0].MarkedAt)))
				code = "bad_address"
			}
			return recouvra.Invalid("Aucune adresse e-mail utilisable.", recouvra.FieldError{Field: "debtor.emails", Code: code, Message: msg})
		}
		in, err := s.gatherWith(ctx, r, recouvra.AllCreditors, c, pt, s.today())
		if err != nil {
			return err
		}
		signer := signerOf(ctx, r, p, c, documents.KindAmicableLetter)
		l := documents.Letter{Agency: s.cfg.Agency, Case: c, Creditor: pt.creditor, Debtor: pt.debtor, Statement: recouvra.ComputeStatement(in),
			Date: recouvra.DateOf(doc.CreatedAt), Reference: doc.Reference, FirstReference: c.FirstLetterReference, FirstDate: c.FirstLetterOn,
			Claims: in.Claims, Signer: signer.Name, At: s.now()}
		lang := documents.EmailLanguage(pt.debtor)
		e := documents.AmicableLetterEmail(l, lang)
		link, err := s.debtorURLFor(ctx, r, c.ID)
		if err != nil {
			return err
		}
		e = documents.WithDebtorLink(e, link, lang)
		id := doc.ID
		m = recouvra.MailMessage{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, CreditorID: c.CreditorID, DebtorID: pt.debtor.ID,
			Kind: recouvra.MailAmicableLetter, SourceKey: "document:" + doc.ID.String() + ":" + strings.ToLower(to), DocumentID: &id,
			To: to, ReplyTo: signer.Email, Language: lang, MessageID: s.newMessageID(), Subject: e.Subject, Text: e.Text, HTML: e.HTML,
			State: recouvra.MailQueued, CreatedAt: s.now()}
		m.RequestedBy, _ = p.Actor()
		existing, inserted, err := r.InsertMail(ctx, &m)
		if err != nil {
			return err
		}
		if !inserted {
			m = existing
		}
		fresh = inserted
		return nil
	})
	if err != nil {
		return recouvra.MailMessage{}, false, err
	}
	return m, fresh, nil
}

// isTemporary reports a refusal worth retrying.
func isTemporary(err error) bool {
	var me *MailError
	return errors.As(err, &me) && !me.Permanent
}

// MailByID reads an e-mail the caller may see.
func (s *Service) MailByID(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.MailMessage, error) {
	var m recouvra.MailMessage
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		m, err = r.MailByID(ctx, p.Scope(), id, NoLock)
		return err
	})
	return m, err
}

// mailPrincipal is who a queued mail acts for: the person who asked for
// it, else the system.
func (s *Service) mailPrincipal(ctx context.Context, m recouvra.MailMessage) recouvra.Principal {
	if m.RequestedBy != nil {
		if u, err := s.store.UserByID(ctx, *m.RequestedBy); err == nil {
			return recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: u.ID, Email: u.Email, Role: u.Role}
		}
	}
	return recouvra.Principal{Kind: recouvra.PrincipalSystem, Role: recouvra.RoleAdmin}
}

// DeliverMail sends queued mail id once: the job queue's work, and a
// staff member's first attempt. The mail's row stays locked while the
// SMTP server is spoken to, and its state is set in the same transaction,
// so two attempts never both send it; the Message-ID chosen when it was
// queued is sent on every attempt. A 5xx refusal marks the address bad; a
// temporary failure is returned (as a *MailError) for the queue to retry,
// unless last says this was the last attempt: the mail is then failed.
// Each outcome is recorded on the case's timeline, shared with the
// creditor.
func (s *Service) DeliverMail(ctx context.Context, id uuid.UUID, last bool) error {
	if !s.MailOn() {
		return errors.New("no SMTP server configured")
	}
	m, err := s.store.MailByID(ctx, recouvra.AllCreditors, id, NoLock)
	if err != nil {
		return err
	}
	if m.State != recouvra.MailQueued {
		return nil
	}
	digest := m.ToUser() // to a user (a digest, an endpoint disabled), about no case: no attachment, no timeline
	if m.DocumentID == nil && !digest {
		if err := s.prepareReceiptMail(ctx, m); err != nil {
			return err
		}
	}
	var outcome error
	err = s.store.Tx(ctx, func(r Repo) error {
		m, err := r.MailByID(ctx, recouvra.AllCreditors, id, ForUpdate)
		if err != nil {
			return err
		}
		if m.State != recouvra.MailQueued || m.DocumentID == nil && !digest {
			return nil
		}
		out := OutgoingMail{From: s.cfg.Mail.From, FromName: s.cfg.Mail.FromName, To: m.To, ReplyTo: m.ReplyTo,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: m.MessageID, Language: m.Language, Date: s.now()}
		if m.DocumentID != nil {
			doc, err := r.DocumentByID(ctx, recouvra.AllCreditors, *m.DocumentID)
			if err != nil {
				return err
			}
			rc, err := s.cfg.Blobs.Open(ctx, doc.SHA256)
			if err != nil {
				return err
			}
			content, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			out.Attachment = MailAttachment{Name: doc.FileName, MediaType: doc.MediaType, Content: content}
		}
		m.Attempts++
		sendErr := s.cfg.Mail.Mailer.Send(ctx, out)
		now := s.now()
		data := map[string]any{"mail_id": m.ID.String(), "message_id": m.MessageID, "to": m.To, "subject": m.Subject,
			"kind": string(m.Kind), "attempts": m.Attempts}
		if m.DocumentID != nil {
			data["document_id"] = m.DocumentID.String()
		}
		var me *MailError
		var event recouvra.EventType
		switch {
		case sendErr == nil:
			m.State, m.SentAt, m.FinishedAt, m.LastError = recouvra.MailSent, &now, &now, ""
			event = recouvra.EventEmailSent
		case errors.As(sendErr, &me) && me.Permanent:
			m.State, m.FinishedAt, m.LastError, m.SMTPCode = recouvra.MailRefused, &now, me.Reason, me.Code
			if digest {
				break // a person's own address: the digest stays refused, with the server's words
			}
			if err := r.MarkBadEmail(ctx, recouvra.BadEmail{DebtorID: m.DebtorID, Email: m.To, Reason: me.Reason, SMTPCode: me.Code, MessageID: m.MessageID, MarkedAt: now}); err != nil {
				return err
			}
			data["reason"], data["smtp_code"], data["address_marked_bad"] = me.Reason, me.Code, true
			event = recouvra.EventEmailRefused
		default:
			m.LastError = sendErr.Error()
			if me != nil {
				m.LastError, m.SMTPCode = me.Reason, me.Code
			}
			if !last {
				outcome = sendErr
				if me == nil {
					outcome = &MailError{Reason: sendErr.Error()}
				}
				return r.UpdateMail(ctx, &m)
			}
			m.State, m.FinishedAt = recouvra.MailFailed, &now
			data["reason"], data["smtp_code"] = m.LastError, m.SMTPCode
			event = recouvra.EventEmailFailed
		}
		if err := r.UpdateMail(ctx, &m); err != nil {
			return err
		}
		if digest {
			s.cfg.Logger.Info("mail to a user", "kind", string(m.Kind), "mail_id", m.ID.String(), "message_id", m.MessageID, "state", string(m.State), "reason", m.LastError)
			return nil
		}
		c := recouvra.Case{ID: m.CaseID, CreditorID: m.CreditorID}
		e := s.newEvent(s.mailPrincipal(ctx, m), &c, event, recouvra.Shared, data)
		return r.InsertEvent(ctx, &e)
	})
	if err != nil {
		return err
	}
	return outcome
}

// prepareReceiptMail produces the receipt a queued receipt mail carries
// and writes the mail's words, once: the mail's row is locked meanwhile.
func (s *Service) prepareReceiptMail(ctx context.Context, queued recouvra.MailMessage) error {
	p := s.mailPrincipal(ctx, queued)
	return s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		m, err := r.MailByID(ctx, recouvra.AllCreditors, queued.ID, ForUpdate)
		if err != nil {
			return err
		}
		if m.DocumentID != nil || m.State != recouvra.MailQueued || m.PaymentID == nil {
			return nil
		}
		// The receipt is produced like a person would (stored, on the
		// timeline), in this same transaction.
		rp := p
		if rp.Kind == recouvra.PrincipalUser && !s.policy.Allowed(string(rp.Role), "case_document", string(documents.KindPaymentReceipt)) {
			rp = recouvra.Principal{Kind: recouvra.PrincipalSystem, Role: recouvra.RoleAdmin}
		}
		doc, _, err := s.generateDocument(ctx, rp, m.CaseID, documents.KindPaymentReceipt, DocOptions{PaymentID: m.PaymentID})
		if err != nil {
			return err
		}
		c, err := r.CaseByID(ctx, recouvra.AllCreditors, m.CaseID, NoLock)
		if err != nil {
			return err
		}
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		in, err := s.gatherWith(ctx, r, recouvra.AllCreditors, c, pt, s.today())
		if err != nil {
			return err
		}
		var pay *recouvra.Payment
		for i := range in.Payments {
			if in.Payments[i].ID == *m.PaymentID {
				pay = &in.Payments[i]
			}
		}
		if pay == nil {
			return fmt.Errorf("receipt mail %s: payment %s not found", m.ID, m.PaymentID)
		}
		signer := signerOf(ctx, r, rp, c, documents.KindPaymentReceipt)
		e := documents.ReceiptEmail(receiptOf(s.cfg.Agency, c, pt.creditor, pt.debtor, in, *pay, signer.Name, s.now()), c.FirstLetterReference, c.FirstLetterOn, m.Language)
		link, err := s.debtorURLFor(ctx, r, c.ID)
		if err != nil {
			return err
		}
		e = documents.WithDebtorLink(e, link, m.Language)
		id := doc.ID
		m.DocumentID, m.ReplyTo, m.Subject, m.Text, m.HTML = &id, signer.Email, e.Subject, e.Text, e.HTML
		return r.UpdateMail(ctx, &m)
	})
}
