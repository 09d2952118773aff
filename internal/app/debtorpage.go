package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// DebtorLinkConfig is the debtor's page (issue 15).
type DebtorLinkConfig struct {
	// Secret derives every case's link token (recouvra.DebtorToken) and
	// signs the page's forms. Empty: no link is printed or accepted.
	Secret []byte
	// BaseURL is the public address printed before /d/<token> on letters
	// and e-mails ("https://recouvra.example.fr"); empty until the server
	// knows its own address (SetPublicURL).
	BaseURL string
}

// Debtor-page limits.
const (
	// DebtorFailuresPerMinute wrong, expired or revoked links from one
	// address within a minute make every further try from it 429.
	DebtorFailuresPerMinute = 10
	debtorFailureWindow     = time.Minute
	// MaxDebtorFiles is how many documents one debtor form may carry.
	MaxDebtorFiles = 3
)

// Audit actions of the debtor's page (no actor: the debtor holds a link,
// not an account; details say which case and link version).
const (
	AuditDebtorLinkRefused  = "debtor_link.refused"
	AuditDebtorLinkRevoked  = "debtor_link.revoked"
	AuditDebtorLinkReissued = "debtor_link.reissued"
	AuditDebtorAction       = "debtor_page.action"
)

// DebtorLink is a case's link as stored: the token's hash only.
type DebtorLink struct {
	CaseID    uuid.UUID
	Version   int
	TokenHash []byte
	CreatedAt time.Time
	IssuedAt  time.Time
	RevokedAt *time.Time
	RevokedBy *uuid.UUID
}

// DebtorLinkRepo keeps the links (migration 00025).
type DebtorLinkRepo interface {
	// DebtorLinkOfCase reads a case's link (not found: none was made).
	DebtorLinkOfCase(ctx context.Context, caseID uuid.UUID, lock RowLock) (DebtorLink, error)
	// InsertDebtorLink adds l unless the case has one already (then it
	// does nothing: the caller reads the one there).
	InsertDebtorLink(ctx context.Context, l DebtorLink) error
	// UpdateDebtorLink saves l's version, hash, issue and revocation.
	UpdateDebtorLink(ctx context.Context, l DebtorLink) error
	// DebtorLinkByHash finds the link whose token hashes to hash.
	DebtorLinkByHash(ctx context.Context, hash []byte) (DebtorLink, error)
	// RecentDebtorLinkFailures counts (up to limit) the refused links from
	// clientIP since since.
	RecentDebtorLinkFailures(ctx context.Context, clientIP string, since time.Time, limit int) (int, error)
}

// publicURL is the address the links start with.
type publicURL struct{ v atomic.Pointer[string] }

// SetPublicURL sets the address printed before /d/<token> when the
// configuration names none (the server's own, once it listens).
func (s *Service) SetPublicURL(base string) {
	if s.cfg.DebtorLinks.BaseURL != "" {
		return
	}
	base = strings.TrimRight(base, "/")
	s.debtorBase.v.Store(&base)
}

func (s *Service) debtorBaseURL() string {
	if b := s.cfg.DebtorLinks.BaseURL; b != "" {
		return strings.TrimRight(b, "/")
	}
	if p := s.debtorBase.v.Load(); p != nil {
		return *p
	}
	return ""
}

// DebtorURL is the page's address for token.
func (s *Service) DebtorURL(token string) string { return s.debtorBaseURL() + "/d/" + token }

// debtorLinkOn says whether links are made at all.
func (s *Service) debtorLinkOn() bool { return len(s.cfg.DebtorLinks.Secret) > 0 }

// ensureDebtorLink returns the token of c's link, making the link the
// first time a letter or an e-mail needs it; "" when the link is revoked
// (staff issue a new one) or links are off.
func (s *Service) ensureDebtorLink(ctx context.Context, r Repo, caseID uuid.UUID) (string, error) {
	if !s.debtorLinkOn() {
		return "", nil
	}
	l, err := r.DebtorLinkOfCase(ctx, caseID, NoLock)
	if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
		now := s.now()
		tok := recouvra.DebtorToken(s.cfg.DebtorLinks.Secret, caseID, 1)
		if err := r.InsertDebtorLink(ctx, DebtorLink{CaseID: caseID, Version: 1, TokenHash: recouvra.HashDebtorToken(tok), CreatedAt: now, IssuedAt: now}); err != nil {
			return "", err
		}
		l, err = r.DebtorLinkOfCase(ctx, caseID, NoLock)
	}
	if err != nil {
		return "", err
	}
	if l.RevokedAt != nil {
		return "", nil
	}
	return recouvra.DebtorToken(s.cfg.DebtorLinks.Secret, caseID, l.Version), nil
}

// debtorURLFor is ensureDebtorLink as the full address ("" when none).
func (s *Service) debtorURLFor(ctx context.Context, r Repo, caseID uuid.UUID) (string, error) {
	tok, err := s.ensureDebtorLink(ctx, r, caseID)
	if err != nil || tok == "" {
		return "", err
	}
	return s.DebtorURL(tok), nil
}

// DebtorLinkView is what staff see of a case's link.
type DebtorLinkView struct {
	CaseID    uuid.UUID
	URL       string // empty while revoked
	Version   int
	Active    bool // not revoked and the case open
	IssuedAt  time.Time
	RevokedAt *time.Time
}

func (s *Service) linkView(c recouvra.Case, l DebtorLink) DebtorLinkView {
	v := DebtorLinkView{CaseID: c.ID, Version: l.Version, IssuedAt: l.IssuedAt, RevokedAt: l.RevokedAt, Active: l.RevokedAt == nil && c.Open()}
	if l.RevokedAt == nil {
		v.URL = s.DebtorURL(recouvra.DebtorToken(s.cfg.DebtorLinks.Secret, c.ID, l.Version))
	}
	return v
}

// staffLink runs fn on the case's link (made if none) for an admin or an
// agent, in one transaction with the link locked.
func (s *Service) staffLink(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, fn func(r Repo, c recouvra.Case, l *DebtorLink) error) (DebtorLinkView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return DebtorLinkView{}, err
	}
	if !s.debtorLinkOn() {
		return DebtorLinkView{}, recouvra.Errorf(recouvra.ECodeUnavailable, "Les liens débiteur ne sont pas configurés (RECOUVRA_DEBTOR_LINK_SECRET).")
	}
	var v DebtorLinkView
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, NoLock)
		if err != nil {
			return err
		}
		if _, err := s.ensureDebtorLink(ctx, r, c.ID); err != nil {
			return err
		}
		l, err := r.DebtorLinkOfCase(ctx, c.ID, ForUpdate)
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(r, c, &l); err != nil {
				return err
			}
		}
		v = s.linkView(c, l)
		return nil
	})
	return v, err
}

// DebtorLinkOf returns a case's link for staff, making it if none exists.
func (s *Service) DebtorLinkOf(ctx context.Context, p recouvra.Principal, caseID uuid.UUID) (DebtorLinkView, error) {
	return s.staffLink(ctx, p, caseID, nil)
}

// RevokeDebtorLink ends a case's link at once (a letter lost, a link
// forwarded): every try with it gets the neutral 404 page. Letters
// produced while it is revoked print no link.
func (s *Service) RevokeDebtorLink(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, meta Meta) (DebtorLinkView, error) {
	return s.staffLink(ctx, p, caseID, func(r Repo, c recouvra.Case, l *DebtorLink) error {
		if l.RevokedAt != nil {
			return nil
		}
		now := s.now()
		l.RevokedAt, l.RevokedBy = &now, &p.UserID
		if err := r.UpdateDebtorLink(ctx, *l); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, AuditDebtorLinkRevoked, "case", &c.ID, map[string]any{"version": l.Version}))
	})
}

// ReissueDebtorLink gives a case a new link (the next version: the old
// token no longer opens anything); letters printed from now on carry it.
func (s *Service) ReissueDebtorLink(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, meta Meta) (DebtorLinkView, error) {
	return s.staffLink(ctx, p, caseID, func(r Repo, c recouvra.Case, l *DebtorLink) error {
		l.Version++
		l.TokenHash = recouvra.HashDebtorToken(recouvra.DebtorToken(s.cfg.DebtorLinks.Secret, c.ID, l.Version))
		l.IssuedAt, l.RevokedAt, l.RevokedBy = s.now(), nil, nil
		if err := r.UpdateDebtorLink(ctx, *l); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, AuditDebtorLinkReissued, "case", &c.ID, map[string]any{"version": l.Version}))
	})
}

// DebtorAccess is an opened link: the debtor's principal for its case.
type DebtorAccess struct {
	Token     string
	Principal recouvra.Principal // kind debtor, scope: the case's creditor
	CaseID    uuid.UUID
	Version   int
}

// errNoSuchLink is the one answer to a wrong, revoked or expired link.
func errNoSuchLink() error { return recouvra.Errorf(recouvra.ECodeNotFound, "Lien inconnu.") }

// OpenDebtorLink resolves a link to its case's debtor. A wrong, revoked
// or expired (case closed) link is not found, whichever it is, and counts
// against the client address: after DebtorFailuresPerMinute such tries in
// a minute every try from it is refused (429) until the minute has passed,
// so links cannot be guessed even slowly at scale.
func (s *Service) OpenDebtorLink(ctx context.Context, token string, meta Meta) (DebtorAccess, error) {
	if !s.debtorLinkOn() {
		return DebtorAccess{}, errNoSuchLink()
	}
	now := s.now()
	if meta.ClientIP != "" {
		n, err := s.store.RecentDebtorLinkFailures(ctx, meta.ClientIP, now.Add(-debtorFailureWindow), DebtorFailuresPerMinute)
		if err != nil {
			return DebtorAccess{}, err
		}
		if n >= DebtorFailuresPerMinute {
			return DebtorAccess{}, &recouvra.Error{Code: recouvra.ECodeTooManyRequests, RetryAfter: debtorFailureWindow,
				Message: "Trop de tentatives depuis votre adresse : réessayez dans une minute."}
		}
	}
	fail := func() (DebtorAccess, error) {
		e := s.audit(recouvra.Principal{}, meta, AuditDebtorLinkRefused, "", nil, nil)
		if err := s.store.InsertAudit(ctx, e); err != nil {
			return DebtorAccess{}, err
		}
		return DebtorAccess{}, errNoSuchLink()
	}
	tok, ok := recouvra.NormalizeDebtorToken(token)
	if !ok {
		return fail()
	}
	l, err := s.store.DebtorLinkByHash(ctx, recouvra.HashDebtorToken(tok))
	if recouvra.ErrorCode(err) == recouvra.ECodeNotFound || (err == nil && l.RevokedAt != nil) {
		return fail()
	}
	if err != nil {
		return DebtorAccess{}, err
	}
	c, err := s.store.CaseByID(ctx, recouvra.AllCreditors, l.CaseID, NoLock)
	if err != nil {
		return DebtorAccess{}, err
	}
	if !c.Open() {
		return fail()
	}
	creditor := c.CreditorID
	return DebtorAccess{Token: tok, CaseID: c.ID, Version: l.Version,
		Principal: recouvra.Principal{Kind: recouvra.PrincipalDebtor, CreditorID: &creditor}}, nil
}

// DebtorPageView is everything the debtor's page shows, and nothing more
// (RGPD art. 5 1. c): who writes for whom, what is owed and why, the
// letters sent, how to pay. No other case, no internal event or note.
type DebtorPageView struct {
	Agency           documents.Agency
	CreditorName     string
	CreditorAddress  string
	DebtorName       string
	Case             recouvra.Case
	Statement        recouvra.Statement
	Claims           []recouvra.Claim
	Letters          []recouvra.Document
	PaymentReference string // ISO 11649, printed in groups of four
	RF               string // the same, unbroken (what a banking app wants)
	// EPC is the EPC QR code's text (EPC069-12), empty when nothing is due
	// in euros or the agency's account is not configured.
	EPC string
	// Plan is the case's running or pending payment plan, judged today.
	Plan *recouvra.Plan
}

// debtorLetterKinds are the documents the debtor may download: what was
// sent or given to it.
var debtorLetterKinds = map[string]bool{
	string(documents.KindAmicableLetter): true, string(documents.KindFormalNotice): true,
	string(documents.KindPaymentReceipt): true, string(documents.KindStatement): true,
}

// DebtorPage reads the page of an opened link, in the creditor's scope.
func (s *Service) DebtorPage(ctx context.Context, a DebtorAccess) (DebtorPageView, error) {
	var v DebtorPageView
	scope := a.Principal.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		c, err := r.CaseByID(ctx, scope, a.CaseID, NoLock)
		if err != nil {
			return err
		}
		pt, err := loadParties(ctx, r, scope, c)
		if err != nil {
			return err
		}
		in, err := s.gatherWith(ctx, r, scope, c, pt, s.today())
		if err != nil {
			return err
		}
		docs, err := r.DocumentsOfCase(ctx, scope, c.ID)
		if err != nil {
			return err
		}
		plans, err := r.PlansOfCase(ctx, scope, c.ID)
		if err != nil {
			return err
		}
		v = DebtorPageView{Agency: s.cfg.Agency, CreditorName: pt.creditor.LegalName, CreditorAddress: oneLineAddress(pt.creditor.Address),
			DebtorName: pt.debtor.Name, Case: c, Statement: recouvra.ComputeStatement(in), Claims: in.Claims, RF: c.PaymentReference()}
		v.PaymentReference = documents.PayReference(c)
		for i := range plans {
			if plans[i].Status.Open() {
				pl := plans[i]
				pl.Judge(in.Payments, s.today())
				v.Plan = &pl
				break
			}
		}
		for _, d := range docs {
			if d.Generated && d.Visibility == recouvra.Shared && d.SupersededBy == nil && debtorLetterKinds[d.Kind] {
				v.Letters = append(v.Letters, d)
			}
		}
		if due := v.Statement.Totals.TotalDueCents; due > 0 && c.Currency == "EUR" && v.RF != "" && s.cfg.Agency.IBAN != "" {
			if payload, err := recouvra.EPCPayload(s.cfg.Agency.BIC, s.cfg.Agency.Name, s.cfg.Agency.IBAN, due, v.RF); err == nil {
				v.EPC = payload
			}
		}
		return nil
	})
	return v, err
}

func oneLineAddress(a recouvra.Address) string {
	var parts []string
	for _, p := range []string{a.Line1, a.Line2, strings.TrimSpace(a.PostalCode + " " + a.City)} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, ", ")
}

// DebtorDocument opens one of the letters the page lists.
func (s *Service) DebtorDocument(ctx context.Context, a DebtorAccess, id uuid.UUID) (recouvra.Document, io.ReadCloser, error) {
	d, err := s.GetDocument(ctx, a.Principal, id)
	if err != nil {
		return d, nil, err
	}
	if d.CaseID == nil || *d.CaseID != a.CaseID || !d.Generated || d.Visibility != recouvra.Shared || !debtorLetterKinds[d.Kind] {
		return recouvra.Document{}, nil, recouvra.Errorf(recouvra.ECodeNotFound, "Document introuvable.")
	}
	return s.OpenDocument(ctx, a.Principal, id)
}

// Debtor forms: each carries a nonce and a MAC of (link, form, nonce)
// under the server secret, so a form is only accepted from a page this
// server rendered for this link (no cross-site post), and the nonce is
// the idempotency key of what the form does (a double tap records once).

// DebtorForm names one form of the page.
type DebtorForm string

const (
	FormDeclarePayment DebtorForm = "payment"
	FormDispute        DebtorForm = "dispute"
	FormCallback       DebtorForm = "callback"
	FormPlan           DebtorForm = "plan"
)

// NewDebtorFormToken is a fresh token for form on a's page.
func (s *Service) NewDebtorFormToken(a DebtorAccess, form DebtorForm) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	n := base64.RawURLEncoding.EncodeToString(nonce[:])
	return n + "." + s.formMAC(a, form, n)
}

func (s *Service) formMAC(a DebtorAccess, form DebtorForm, nonce string) string {
	m := hmac.New(sha256.New, s.cfg.DebtorLinks.Secret)
	fmt.Fprintf(m, "recouvra/debtor-form\x00%s\x00%s\x00%s", a.Token, form, nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkForm returns the nonce of a form token this server made for a's
// page and form.
func (s *Service) checkForm(a DebtorAccess, form DebtorForm, token string) (string, error) {
	nonce, mac, ok := strings.Cut(token, ".")
	if !ok || nonce == "" || len(nonce) > 64 || !hmac.Equal([]byte(mac), []byte(s.formMAC(a, form, nonce))) {
		return "", recouvra.Errorf(recouvra.ECodeForbidden, "Formulaire expiré ou invalide : rechargez la page puis recommencez.")
	}
	return nonce, nil
}

// DebtorFile is a document the debtor sends with a form.
type DebtorFile struct {
	Name    string
	Content io.Reader
}

// DebtorPayment is a payment the debtor says it already made.
type DebtorPayment struct {
	AmountCents int64
	PaidOn      string // AAAA-MM-JJ
	Note        string
	Proof       *DebtorFile
}

// DebtorDispute is the debtor contesting the debt.
type DebtorDispute struct {
	Reason string
	Files  []DebtorFile
}

// DebtorCallback is how and when the debtor wants to be called back.
type DebtorCallback struct {
	Phone, Email, BestTime string
}

// debtorAct runs one form's effect once per form token: a replay (a
// double tap, a reload after posting) does nothing and succeeds.
func (s *Service) debtorAct(ctx context.Context, a DebtorAccess, form DebtorForm, formToken string, meta Meta,
	do func(ctx context.Context) error) (replayed bool, err error) {
	nonce, err := s.checkForm(a, form, formToken)
	if err != nil {
		return false, err
	}
	var failed error
	h := sha256.Sum256([]byte(form))
	_, replayed, err = s.Idempotent(ctx, "debtor:"+a.CaseID.String(), string(form)+":"+nonce, h[:], func(ctx context.Context) (StoredResponse, bool) {
		if failed = do(ctx); failed != nil {
			return StoredResponse{}, false
		}
		e := s.audit(a.Principal, meta, AuditDebtorAction, "case", &a.CaseID, map[string]any{"form": string(form), "by": "debtor", "link_version": a.Version})
		if failed = s.store.InsertAudit(ctx, e); failed != nil {
			return StoredResponse{}, false
		}
		return StoredResponse{Status: 303}, true
	})
	if err == nil {
		err = failed
	}
	return replayed, err
}

// debtorEvent applies a debtor's event to its case like a logged one
// (shared with the creditor, "by": "debtor") and brings the case back to
// the agents' queue today.
func (s *Service) debtorEvent(ctx context.Context, a DebtorAccess, t recouvra.EventType, data map[string]any,
	before func(r Repo, c *recouvra.Case) error) error {
	data["by"] = "debtor"
	_, err := s.changeCaseAs(ctx, a.Principal, a.CaseID, func(r Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error) {
		if before != nil {
			if err := before(r, c); err != nil {
				return nil, err
			}
		}
		if err := c.ApplyEvent(t, data, f); err != nil {
			return nil, err
		}
		c.NextActionOn = f.Today
		return []recouvra.Event{s.newEvent(a.Principal, c, t, recouvra.Shared, data)}, nil
	})
	return err
}

// changeCaseAs is changeCase without reading the case back for staff.
func (s *Service) changeCaseAs(ctx context.Context, p recouvra.Principal, id uuid.UUID,
	apply func(r Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error)) (recouvra.Case, error) {
	var out recouvra.Case
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), id, ForUpdate)
		if err != nil {
			return err
		}
		expected := c.Version
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		events, err := apply(r, &c, s.facts(pt.creditor, pt.debtor, pt.claims))
		if err != nil {
			return err
		}
		out = c
		return s.commit(ctx, r, p, &c, expected, events, closeIfPaid)
	})
	return out, err
}

// debtorUpload stores a document the debtor sent, shared with the
// creditor (UploadAttachment: type read from the content, size bounded).
func (s *Service) debtorUpload(ctx context.Context, a DebtorAccess, kind string, f DebtorFile) (uuid.UUID, error) {
	d, err := s.UploadAttachment(ctx, a.Principal, a.CaseID, NewAttachment{Kind: kind, FileName: f.Name, Visibility: recouvra.Shared, Content: f.Content})
	return d.ID, err
}

// DeclarePayment records that the debtor says it paid (with its proof):
// a "direct payment reported" on the timeline for the agent to check
// against the bank; nothing is booked until the money is seen.
func (s *Service) DeclarePayment(ctx context.Context, a DebtorAccess, formToken string, in DebtorPayment, meta Meta) (bool, error) {
	return s.debtorAct(ctx, a, FormDeclarePayment, formToken, meta, func(ctx context.Context) error {
		data := map[string]any{"amount_cents": in.AmountCents, "received_on": in.PaidOn, "note": strings.TrimSpace(in.Note)}
		if in.AmountCents <= 0 {
			return recouvra.Invalid("Montant invalide.", recouvra.FieldError{Field: "amount", Code: "invalid", Message: "Indiquez le montant payé, par exemple 1 200,00."})
		}
		if in.Proof != nil {
			id, err := s.debtorUpload(ctx, a, "proof", *in.Proof)
			if err != nil {
				return err
			}
			data["document_id"] = id.String()
		}
		return s.debtorEvent(ctx, a, recouvra.EventDirectPaymentReported, data, nil)
	})
}

// OpenDebtorDispute opens a dispute from the debtor's page, with its
// documents: the same event an agent logs (escalation pauses while it is
// open), and the case comes back to the agents' queue today.
func (s *Service) OpenDebtorDispute(ctx context.Context, a DebtorAccess, formToken string, in DebtorDispute, meta Meta) (bool, error) {
	return s.debtorAct(ctx, a, FormDispute, formToken, meta, func(ctx context.Context) error {
		if len(in.Files) > MaxDebtorFiles {
			return recouvra.Invalid("Trop de documents.", recouvra.FieldError{Field: "files", Code: "too_many", Message: fmt.Sprintf("%d documents au plus.", MaxDebtorFiles)})
		}
		data := map[string]any{"reason": in.Reason}
		var ids []any
		for _, f := range in.Files {
			id, err := s.debtorUpload(ctx, a, "correspondence", f)
			if err != nil {
				return err
			}
			ids = append(ids, id.String())
		}
		if len(ids) > 0 {
			data["document_ids"] = ids
		}
		return s.debtorEvent(ctx, a, recouvra.EventDisputeOpened, data, nil)
	})
}

// RequestCallback records how and when the debtor wants to be called:
// the phone or e-mail joins the debtor's, the preferred time becomes its
// best time to call, and a message on the timeline tells the agent.
func (s *Service) RequestCallback(ctx context.Context, a DebtorAccess, formToken string, in DebtorCallback, meta Meta) (bool, error) {
	return s.debtorAct(ctx, a, FormCallback, formToken, meta, func(ctx context.Context) error {
		phone, email, best := strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email), strings.Join(strings.Fields(in.BestTime), " ")
		var fields []recouvra.FieldError
		if phone == "" && email == "" {
			fields = append(fields, recouvra.FieldError{Field: "phone", Code: "required", Message: "Indiquez un numéro de téléphone ou une adresse e-mail."})
		}
		if phone != "" && !plausiblePhone(phone) {
			fields = append(fields, recouvra.FieldError{Field: "phone", Code: "invalid", Message: "Numéro de téléphone invalide (chiffres, espaces, + au début)."})
		}
		if email != "" {
			if ad, err := mail.ParseAddress(email); err != nil || ad.Address != email || len(email) > 254 {
				fields = append(fields, recouvra.FieldError{Field: "email", Code: "invalid", Message: "Adresse e-mail invalide."})
			}
		}
		if utf8.RuneCountInString(best) > recouvra.MaxBestTimeToCall {
			fields = append(fields, recouvra.FieldError{Field: "best_time", Code: "too_long", Message: fmt.Sprintf("%d caractères au plus.", recouvra.MaxBestTimeToCall)})
		}
		fields = append(fields, recouvra.PrintableField("best_time", best, recouvra.OneLine)...)
		if len(fields) > 0 {
			return recouvra.Invalid("Demande de rappel invalide.", fields...)
		}
		text := "Le débiteur demande à être rappelé"
		var how []string
		if phone != "" {
			how = append(how, "au "+phone)
		}
		if email != "" {
			how = append(how, "par e-mail à "+email)
		}
		text += " " + strings.Join(how, " ou ")
		if best != "" {
			text += " (de préférence : " + best + ")"
		}
		data := map[string]any{"text": text + ".", "phone": phone, "email": email, "best_time_to_call": best}
		return s.debtorEvent(ctx, a, recouvra.EventMessage, data, func(r Repo, c *recouvra.Case) error {
			d, err := r.DebtorByID(ctx, recouvra.AllCreditors, c.DebtorID)
			if err != nil {
				return err
			}
			if phone != "" && !containsFold(d.Phones, phone) {
				d.Phones = append(d.Phones, phone)
			}
			if email != "" && !containsFold(d.Emails, email) {
				d.Emails = append(d.Emails, email)
			}
			if best != "" {
				d.BestTimeToCall = best
			}
			d.UpdatedAt = s.now()
			return r.UpdateDebtor(ctx, &d)
		})
	})
}

func plausiblePhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || (r == '+' && i == 0) || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// DebtorPlan is the schedule a debtor proposes on its page.
type DebtorPlan struct {
	Frequency        recouvra.Frequency
	Count            int
	FirstOn          recouvra.Date
	DownPaymentCents int64
	DownPaymentOn    recouvra.Date
}

// ProposeDebtorPlan records the plan the debtor proposes (the plans use
// case, ProposePlanAsDebtor): within the mandate's rules it runs at once,
// outside them it waits for the creditor's approval.
func (s *Service) ProposeDebtorPlan(ctx context.Context, a DebtorAccess, formToken string, in DebtorPlan, meta Meta) (bool, error) {
	return s.debtorAct(ctx, a, FormPlan, formToken, meta, func(ctx context.Context) error {
		_, err := s.ProposePlanAsDebtor(ctx, a.CaseID, PlanProposal{Schedule: &recouvra.Schedule{Frequency: in.Frequency, Count: in.Count,
			FirstOn: in.FirstOn, DownPaymentCents: in.DownPaymentCents, DownPaymentOn: in.DownPaymentOn}})
		return err
	})
}
