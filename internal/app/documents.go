package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/blobstore"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Blobs keeps document contents by their SHA-256 (internal/blobstore).
type Blobs interface {
	Put(ctx context.Context, r io.Reader) (sha string, size int64, err error)
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// DocOptions are what some documents need beyond the case.
type DocOptions struct {
	Court            string         // injunction_packet: the court the lawyer chose
	RegisteredNumber string         // formal_notice: the registered letter's number
	AsOf             recouvra.Date  // statement: the date (today by default)
	PaymentID        *uuid.UUID     // payment_receipt: the payment
	PlanID           *uuid.UUID     // plan_agreement: the case's payment plan
	plan             *recouvra.Plan // plan_agreement: the plan read, set by generateDocument
	Supersedes       *uuid.UUID     // a corrected document replacing this one
	debtorURL        string         // letters: the debtor's page, set by generateDocument
	// numberLater: a formal notice the strategy engine prints for the post
	// before its registered number is known; the number, its sending date
	// and the deadline are recorded when the post's list comes back
	// (RecordRegisteredLetters), not now.
	numberLater bool
}

// generated is a rendered document and what it changes on its case.
type generated struct {
	pdf       documents.File
	reference string
	fileName  string
	event     *recouvra.EventType // a letter is recorded as sent
	eventData map[string]any
}

// GenerateDocument writes a document for a case from its current data and
// stores it; a letter is recorded on the timeline as sent. Roles: letters
// and receipts are the agency's; a creditor may produce its statement.
func (s *Service) GenerateDocument(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, kind documents.Kind, opts DocOptions) (recouvra.Document, error) {
	doc, _, err := s.generateDocument(ctx, p, caseID, kind, opts)
	return doc, err
}

// generateDocument is GenerateDocument returning the PDF as well.
func (s *Service) generateDocument(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, kind documents.Kind, opts DocOptions) (recouvra.Document, []byte, error) {
	if !s.policy.Allowed(string(p.Role), "case_document", string(kind)) {
		switch kind {
		case documents.KindAmicableLetter, documents.KindFormalNotice, documents.KindStatement, documents.KindPaymentReceipt,
			documents.KindInjunctionPacket, documents.KindInsolvency, documents.KindIrrecoverability, documents.KindPlanAgreement:
			return recouvra.Document{}, nil, recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle ne permet pas de produire ce document.")
		}
		return recouvra.Document{}, nil, recouvra.Invalid("Document inconnu.", recouvra.FieldError{Field: "kind", Code: "unknown",
			Message: "Documents disponibles : amicable_letter, formal_notice, statement, payment_receipt, injunction_packet, insolvency_declaration, irrecoverability_certificate, plan_agreement."})
	}
	var doc recouvra.Document
	var rendered []byte
	var replaced documents.Replacements
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, ForUpdate)
		if err != nil {
			return err
		}
		expected := c.Version
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		in, err := s.gatherWith(ctx, r, recouvra.AllCreditors, c, pt, s.today())
		if err != nil {
			return err
		}
		creditor, debtor := pt.creditor, pt.debtor
		existing, err := r.DocumentsOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return err
		}
		// Letters are numbered after every letter recorded as sent, whether
		// Recouvra wrote it or someone logged it.
		sent, err := r.CountEvents(ctx, c.ID, recouvra.EventLetterSent)
		if err != nil {
			return err
		}
		signer := signerOf(ctx, r, p, c, kind)
		// The document it corrects must be one of this case's that the
		// caller may see, checked before any rendering.
		if opts.Supersedes != nil {
			if _, err := caseDocument(ctx, r, p.Scope(), c.ID, *opts.Supersedes, "supersedes"); err != nil {
				return err
			}
		}
		if kind == documents.KindAmicableLetter || kind == documents.KindFormalNotice || kind == documents.KindPlanAgreement {
			if opts.debtorURL, err = s.debtorURLFor(ctx, r, c.ID); err != nil {
				return err
			}
		}
		if kind == documents.KindPlanAgreement {
			if opts.plan, err = casePlan(ctx, r, p.Scope(), c.ID, opts.PlanID); err != nil {
				return err
			}
		}
		g, err := s.render(kind, opts, c, creditor, debtor, in, existing, signer, sent)
		if err != nil {
			return err
		}
		sha, size, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(g.pdf.PDF))
		if err != nil {
			return err
		}
		rendered, replaced = g.pdf.PDF, g.pdf.Replaced
		doc = recouvra.Document{ID: uuid.Must(uuid.NewV7()), CaseID: &c.ID, CreditorID: c.CreditorID, Kind: string(kind), Generated: true,
			FileName: g.fileName, MediaType: "application/pdf", SizeBytes: size, SHA256: sha, Reference: g.reference,
			Visibility: recouvra.Shared, Supersedes: opts.Supersedes, CreatedAt: s.now()}
		doc.AuthorUserID, doc.AuthorAPIKeyID = p.Actor()
		if err := r.InsertDocument(ctx, &doc); err != nil {
			return err
		}
		var events []recouvra.Event
		if g.event != nil {
			f := s.facts(creditor, debtor, in.Claims)
			if err := c.ApplyEvent(*g.event, g.eventData, f); err != nil {
				return err
			}
			g.eventData["document_id"] = doc.ID.String()
			events = append(events, s.newEvent(p, &c, *g.event, recouvra.Shared, g.eventData))
			c.UpdatedAt = s.now()
			if err := r.UpdateCase(ctx, &c, expected); err != nil {
				return err
			}
		}
		events = append(events, s.newEvent(p, &c, recouvra.EventDocumentAdded, recouvra.Shared, map[string]any{
			"document_id": doc.ID.String(), "kind": doc.Kind, "file_name": doc.FileName, "reference": doc.Reference}))
		for i := range events {
			if err := r.InsertEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	// A content stored before a failed transaction is unreachable: no row names it.
	if err == nil {
		s.logReplaced(kind, replaced, "case_id", caseID)
	}
	return doc, rendered, err
}

// logReplaced says when a document was produced with characters its fonts
// cannot print (drawn as U+FFFD): data entered before the entry rule, or a
// script without a bundled font. The code points are logged, not the text.
func (s *Service) logReplaced(kind documents.Kind, r documents.Replacements, about string, id uuid.UUID) {
	if r.Count == 0 {
		return
	}
	s.cfg.Logger.Warn("document rendered with replaced characters", "kind", string(kind), about, id.String(),
		"replaced", r.Count, "characters", r.CodePoints())
}

// signerOf is who signs a document and is the debtor's contact for it: the
// lawyer assigned to the case for court documents, the agent assigned to
// it for letters and receipts; failing that (none assigned, or no longer
// found), the user producing the document, and for an API key the
// agency's service.
func signerOf(ctx context.Context, r Repo, p recouvra.Principal, c recouvra.Case, kind documents.Kind) recouvra.User {
	assigned := c.AssignedAgentID
	fallback := "Le service recouvrement"
	switch kind {
	case documents.KindInjunctionPacket, documents.KindInsolvency, documents.KindIrrecoverability:
		assigned, fallback = c.AssignedLawyerID, "Le service juridique"
	}
	if assigned != nil {
		if u, err := r.UserByID(ctx, *assigned); err == nil && strings.TrimSpace(u.Name) != "" {
			return u
		}
	}
	if p.Kind == recouvra.PrincipalUser {
		if u, err := r.UserByID(ctx, p.UserID); err == nil && strings.TrimSpace(u.Name) != "" {
			u.Bar = "" // only the lawyer on the case files as an avocat
			return u
		}
	}
	return recouvra.User{Name: fallback}
}

// paidThrough is the statement input as it stood just after pay: at its
// date, with the payments received before it (on the same day, recorded
// before it), in the order the statement applies them.
func paidThrough(in recouvra.StatementInput, pay recouvra.Payment) recouvra.StatementInput {
	out := in
	out.AsOf = pay.ReceivedOn
	out.Payments = nil
	for _, q := range in.Payments {
		if q.ReceivedOn.Before(pay.ReceivedOn) || (q.ReceivedOn.Equal(pay.ReceivedOn) && !q.CreatedAt.After(pay.CreatedAt)) {
			out.Payments = append(out.Payments, q)
		}
	}
	return out
}

// receiptOf is what the receipt of pay says: how the statement applies it
// and what remained due just after it.
func receiptOf(agency documents.Agency, c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor, in recouvra.StatementInput,
	pay recouvra.Payment, signer string, at time.Time) documents.Receipt {
	var applied []recouvra.Allocation
	for _, ps := range recouvra.ComputeStatement(in).Payments {
		if ps.Payment.ID == pay.ID {
			applied = ps.Allocations
		}
	}
	left := recouvra.ComputeStatement(paidThrough(in, pay)).Totals
	return documents.Receipt{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Payment: pay, Applied: applied,
		Left: left, Signer: signer, At: at}
}

// render writes the PDF of one kind.
func (s *Service) render(kind documents.Kind, opts DocOptions, c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor,
	in recouvra.StatementInput, existing []recouvra.Document, signatory recouvra.User, lettersSent int) (generated, error) {
	agency := s.cfg.Agency
	signer := signatory.Name
	today := s.today()
	switch kind {
	case documents.KindAmicableLetter, documents.KindFormalNotice:
		st := recouvra.ComputeStatement(in)
		ref := fmt.Sprintf("%s-L%d", c.Reference, lettersSent+1)
		first, firstOn := c.FirstLetterReference, c.FirstLetterOn
		if first == "" {
			first, firstOn = c.Reference+"-L1", today
			ref = first
		}
		l := documents.Letter{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Statement: st, Date: today,
			Reference: ref, FirstReference: first, FirstDate: firstOn, RegisteredNumber: strings.TrimSpace(opts.RegisteredNumber),
			Claims: in.Claims, Signer: signer, At: s.now(), DebtorURL: opts.debtorURL}
		missing := l.Missing()
		if kind == documents.KindFormalNotice {
			if l.RegisteredNumber == "" && !opts.numberLater {
				missing = append(missing, recouvra.FieldError{Field: "options.registered_number", Code: "required", Message: "Indiquez le numéro de la lettre recommandée avec avis de réception."})
			}
			missing = append(missing, recouvra.PrintableField("options.registered_number", l.RegisteredNumber, recouvra.OneLine)...)
			if c.Stage != recouvra.StageFormalNotice {
				missing = append(missing, recouvra.FieldError{Field: "kind", Code: "wrong_stage", Message: "La mise en demeure se produit à l'étape « mise en demeure »."})
			}
		}
		if st.Totals.TotalDueCents <= 0 {
			missing = append(missing, recouvra.FieldError{Field: "case", Code: "nothing_due", Message: "Rien n'est dû : aucune lettre de relance à envoyer."})
		}
		if len(missing) > 0 {
			return generated{}, recouvra.Invalid("Document impossible à produire.", missing...)
		}
		letterKind, file := recouvra.LetterAmicable, "relance-"+ref+".pdf"
		var b documents.File
		var err error
		if kind == documents.KindFormalNotice {
			letterKind, file = recouvra.LetterFormalNotice, "mise-en-demeure-"+ref+".pdf"
			legal := false
			for _, cl := range st.Claims {
				legal = legal || cl.Regime == recouvra.RegimeLegal
			}
			b, err = documents.FormalNotice(l, creditor.Mandate.NoticeDays(), legal)
		} else {
			b, err = documents.AmicableLetter(l)
		}
		if err != nil {
			return generated{}, err
		}
		t := recouvra.EventLetterSent
		data := map[string]any{"kind": letterKind, "sent_on": today.String(), "reference": ref}
		if kind == documents.KindFormalNotice {
			data["registered_number"] = l.RegisteredNumber
		}
		if opts.numberLater {
			return generated{pdf: b, reference: ref, fileName: file}, nil
		}
		return generated{pdf: b, reference: ref, fileName: file, event: &t, eventData: data}, nil
	case documents.KindStatement:
		if !opts.AsOf.IsZero() {
			if opts.AsOf.Before(recouvra.DateOf(c.CreatedAt)) {
				return generated{}, recouvra.Invalid("Date d'arrêté invalide.", recouvra.FieldError{Field: "options.as_of", Code: "before_case", Message: "Le dossier n'existait pas encore à cette date."})
			}
			in.AsOf = opts.AsOf
		}
		st := recouvra.ComputeStatement(in)
		b, err := documents.StatementPDF(agency, c, creditor, debtor, st, in.Claims, s.now())
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: c.Reference + "-D" + in.AsOf.String(), fileName: "decompte-" + c.Reference + "-" + in.AsOf.String() + ".pdf"}, nil
	case documents.KindPlanAgreement:
		st := recouvra.ComputeStatement(in)
		ref := fmt.Sprintf("%s-E%s", c.Reference, opts.plan.MadeOn.String())
		first, firstOn := c.FirstLetterReference, c.FirstLetterOn
		l := documents.Letter{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Statement: st, Date: today,
			Reference: ref, FirstReference: first, FirstDate: firstOn, Claims: in.Claims, Signer: signer, At: s.now(), DebtorURL: opts.debtorURL}
		if missing := l.Missing(); len(missing) > 0 {
			return generated{}, recouvra.Invalid("Document impossible à produire.", missing...)
		}
		b, err := documents.PlanAgreement(l, *opts.plan)
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: ref, fileName: "echeancier-" + ref + ".pdf"}, nil
	case documents.KindPaymentReceipt:
		if opts.PaymentID == nil {
			return generated{}, recouvra.Invalid("Paiement manquant.", recouvra.FieldError{Field: "options.payment_id", Code: "required", Message: "Indiquez le paiement dont produire le reçu."})
		}
		var pay *recouvra.Payment
		for i := range in.Payments {
			if in.Payments[i].ID == *opts.PaymentID {
				pay = &in.Payments[i]
			}
		}
		if pay == nil {
			return generated{}, unknownRef("options.payment_id", "Aucun paiement de ce dossier ne porte cet identifiant.")
		}
		if pay.ReversedAt != nil {
			return generated{}, recouvra.Invalid("Paiement contrepassé.", recouvra.FieldError{Field: "options.payment_id", Code: "reversed", Message: "Ce paiement a été contrepassé : pas de reçu."})
		}
		b, err := documents.PaymentReceipt(receiptOf(agency, c, creditor, debtor, in, *pay, signer, s.now()))
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: pay.ReceiptNumber, fileName: "recu-" + pay.ReceiptNumber + ".pdf"}, nil
	case documents.KindInjunctionPacket:
		f := s.facts(creditor, debtor, in.Claims)
		f.Today = today
		ff := filingFacts{c: c, f: f, creditor: creditor, in: in, docs: existing}
		if c.AssignedLawyerID != nil && signatory.ID == *c.AssignedLawyerID {
			ff.signer = signatory
		}
		fl := prepareFiling(ff, agency) // the docket's and the move's list, TestFilingBlockersAreOneList
		court, courtProblems := courtName(opts.Court, c.Injunction.Court, fl.competence)
		if c.Stage != recouvra.StageInjunction && c.Stage != recouvra.StageFormalNotice {
			courtProblems = nil // the stage is the problem
		} else if c.Stage == recouvra.StageFormalNotice {
			fl.blockers = append(fl.blockers, recouvra.FieldError{Field: "kind", Code: "wrong_stage",
				Message: "Passez d'abord le dossier à l'étape « injonction de payer » : la requête se prépare à cette étape."})
		}
		if missing := append(fl.blockers, courtProblems...); len(missing) > 0 {
			return generated{}, recouvra.Invalid("Requête impossible à produire.", missing...)
		}
		form, ok := s.cfg.CourtForms.For(fl.competence.Kind, today)
		if !ok {
			return generated{}, fmt.Errorf("no court form for the %s court on %s (configs/legal/court-forms.csv)", fl.competence.Kind, today)
		}
		b, err := documents.InjunctionPacket(documents.Filing{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Statement: fl.statement,
			Claims: in.Claims, Court: court, Competence: fl.competence, Form: form, Signer: ff.signer, PowerExhibit: fl.powerExhibit,
			Exhibits: fl.exhibits, At: s.now()})
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: c.Reference + "-IP", fileName: "requete-injonction-" + c.Reference + ".pdf"}, nil
	case documents.KindInsolvency:
		ins := debtor.Insolvency
		if ins == nil {
			return generated{}, recouvra.Invalid("Aucune procédure collective.", recouvra.FieldError{Field: "debtor.insolvency", Code: "missing",
				Message: "Le débiteur n'a pas de procédure collective enregistrée."})
		}
		in.AsOf = ins.PublishedOn
		if !opts.AsOf.IsZero() {
			in.AsOf = opts.AsOf
		}
		st := recouvra.ComputeStatement(in)
		exhibits, missing := claimExhibits(in.Claims, liveDocs(existing))
		if st.Provisional {
			missing = append(missing, recouvra.FieldError{Field: "statement", Code: "provisional", Message: "Le décompte utilise un taux provisoire : enregistrez le taux du semestre."})
		}
		if len(missing) > 0 {
			return generated{}, recouvra.Invalid("Déclaration impossible à produire.", missing...)
		}
		b, err := documents.InsolvencyDeclaration(documents.Declaration{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Statement: st,
			Claims: in.Claims, Deadline: ins.DeclarationDeadline(creditor.Abroad()), Exhibits: exhibits, Signer: signer, At: s.now()})
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: c.Reference + "-DC", fileName: "declaration-creance-" + c.Reference + ".pdf"}, nil
	case documents.KindIrrecoverability:
		if c.Irrecoverable == nil {
			return generated{}, recouvra.Invalid("Créance non déclarée irrécouvrable.", recouvra.FieldError{Field: "kind", Code: "wrong_stage",
				Message: "Le dossier n'a pas été déclaré irrécouvrable (étape « irrécouvrable », avec sa preuve)."})
		}
		st := recouvra.ComputeStatement(in)
		b, err := documents.IrrecoverabilityCertificate(documents.Certificate{Agency: agency, Case: c, Creditor: creditor, Debtor: debtor, Statement: st, Claims: in.Claims, Signer: signer, At: s.now()})
		if err != nil {
			return generated{}, err
		}
		return generated{pdf: b, reference: c.Reference + "-IR", fileName: "attestation-irrecouvrabilite-" + c.Reference + ".pdf"}, nil
	}
	return generated{}, recouvra.Invalid("Document inconnu.", recouvra.FieldError{Field: "kind", Code: "unknown", Message: "Ce type de document n'existe pas."})
}

func agencyMissing(a documents.Agency) []recouvra.FieldError {
	if strings.TrimSpace(a.Name) == "" || len(a.Address) == 0 {
		return []recouvra.FieldError{{Field: "agency", Code: "missing", Message: "Le nom et l'adresse de l'agence ne sont pas configurés."}}
	}
	return nil
}

// ListDocuments lists a case's documents (a creditor: the shared ones).
func (s *Service) ListDocuments(ctx context.Context, p recouvra.Principal, caseID uuid.UUID) ([]recouvra.Document, error) {
	var out []recouvra.Document
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CaseByID(ctx, scope, caseID, NoLock); err != nil {
			return err
		}
		var err error
		out, err = r.DocumentsOfCase(ctx, scope, caseID)
		return err
	})
	return out, err
}

// GetDocument returns a document's record.
func (s *Service) GetDocument(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.Document, error) {
	var d recouvra.Document
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		d, err = r.DocumentByID(ctx, scope, id)
		return err
	})
	return d, err
}

// OpenDocument returns a document and its content, checked against its
// SHA-256: a stored file changed behind our back is refused.
func (s *Service) OpenDocument(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.Document, io.ReadCloser, error) {
	d, err := s.GetDocument(ctx, p, id)
	if err != nil {
		return d, nil, err
	}
	rc, err := s.cfg.Blobs.Open(ctx, d.SHA256)
	switch {
	case errors.Is(err, blobstore.ErrTampered):
		return d, nil, &recouvra.Error{Code: recouvra.ECodeIntegrity, Message: "Le fichier stocké ne correspond plus à son empreinte SHA-256 : il a été modifié et n'est pas servi.", Err: err}
	case errors.Is(err, blobstore.ErrNotFound):
		return d, nil, &recouvra.Error{Code: recouvra.ECodeIntegrity, Message: "Le fichier stocké est introuvable.", Err: err}
	case err != nil:
		return d, nil, err
	}
	return d, rc, nil
}

// allowedUploads maps the detected media type to the extension it gets.
var allowedUploads = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

// NewAttachment is uploaded evidence.
type NewAttachment struct {
	Kind       string
	FileName   string
	Visibility recouvra.Visibility
	Content    io.Reader
	Supersedes *uuid.UUID
}

// UploadAttachment stores evidence for a case — PDF, PNG or JPEG, the type
// read from the content, not the name — within the size limit.
func (s *Service) UploadAttachment(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, in NewAttachment) (recouvra.Document, error) {
	if _, ok := recouvra.AttachmentKinds[in.Kind]; !ok {
		return recouvra.Document{}, recouvra.Invalid("Type de pièce inconnu.", recouvra.FieldError{Field: "kind", Code: "unknown",
			Message: "Types : invoice, credit_note, contract, purchase_order, delivery_note, formal_notice, formal_notice_receipt, mandate, power_of_attorney, proof, correspondence, other."})
	}
	if p.Role == recouvra.RoleCreditor || in.Visibility == "" {
		in.Visibility = recouvra.Shared
	}
	br := bufio.NewReader(in.Content)
	head, _ := br.Peek(512)
	media := http.DetectContentType(head)
	if i := strings.IndexByte(media, ';'); i >= 0 {
		media = media[:i]
	}
	ext, ok := allowedUploads[media]
	if !ok {
		return recouvra.Document{}, recouvra.Errorf(recouvra.ECodeUnsupportedMedia, "Seuls les fichiers PDF, PNG et JPEG sont acceptés (le contenu reçu est %s).", media)
	}
	limited := &io.LimitedReader{R: br, N: s.cfg.MaxUploadBytes + 1}
	var doc recouvra.Document
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, NoLock)
		if err != nil {
			return err
		}
		// The document it corrects: one of this case's the caller may see,
		// never another creditor's (whose record would then point here).
		if in.Supersedes != nil {
			if _, err := caseDocument(ctx, r, p.Scope(), c.ID, *in.Supersedes, "supersedes"); err != nil {
				return err
			}
		}
		sha, size, err := s.cfg.Blobs.Put(ctx, limited)
		if err != nil {
			return err
		}
		if size > s.cfg.MaxUploadBytes {
			return recouvra.Errorf(recouvra.ECodeTooLarge, "Le fichier dépasse la taille maximale de %d Mo.", s.cfg.MaxUploadBytes>>20)
		}
		doc = recouvra.Document{ID: uuid.Must(uuid.NewV7()), CaseID: &c.ID, CreditorID: c.CreditorID, Kind: in.Kind, FileName: safeName(in.FileName, ext),
			MediaType: media, SizeBytes: size, SHA256: sha, Visibility: in.Visibility, Supersedes: in.Supersedes, CreatedAt: s.now()}
		doc.AuthorUserID, doc.AuthorAPIKeyID = p.Actor()
		if err := r.InsertDocument(ctx, &doc); err != nil {
			return err
		}
		e := s.newEvent(p, &c, recouvra.EventDocumentAdded, in.Visibility, map[string]any{"document_id": doc.ID.String(), "kind": doc.Kind, "file_name": doc.FileName})
		return r.InsertEvent(ctx, &e)
	})
	return doc, err
}

// safeName keeps a file name readable and harmless: no path, no control
// characters, the extension of the detected type.
func safeName(name, ext string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSuffix(name, filepath.Ext(name))
	if name == "" || name == "." {
		name = "piece"
	}
	if len(name) > 120 {
		name = name[:120]
	}
	return name + ext
}

// RemittanceStatement produces a creditor's remittance statement for a
// period (admin): payments collected, commission and fixed fees per the
// mandate, net to remit.
func (s *Service) RemittanceStatement(ctx context.Context, p recouvra.Principal, creditorID uuid.UUID, from, to recouvra.Date) (recouvra.Document, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Document{}, err
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return recouvra.Document{}, recouvra.Invalid("Période invalide.", recouvra.FieldError{Field: "to", Code: "before_from", Message: "La fin de la période ne peut précéder son début."})
	}
	if to.After(s.today()) {
		return recouvra.Document{}, recouvra.Invalid("Période invalide.", recouvra.FieldError{Field: "to", Code: "future", Message: "Un relevé porte sur une période écoulée."})
	}
	var doc recouvra.Document
	var replaced documents.Replacements
	err := s.store.Tx(ctx, func(r Repo) error {
		creditor, err := r.CreditorByID(ctx, recouvra.AllCreditors, creditorID)
		if err != nil {
			return err
		}
		if f := agencyMissing(s.cfg.Agency); len(f) > 0 {
			return recouvra.Invalid("Relevé impossible à produire.", f...)
		}
		// A payment is remitted once: a period may be issued again (a lost
		// copy) but not straddle another statement's.
		if o, err := r.OverlappingRemittance(ctx, creditorID, from, to); err != nil {
			return err
		} else if o != nil {
			return recouvra.Invalid("Période déjà couverte.", recouvra.FieldError{Field: "from", Code: "overlaps", Message: fmt.Sprintf(
				"La période chevauche le relevé du %s au %s : un paiement n'est reversé qu'une fois.", recouvra.FrenchDate(o.From), recouvra.FrenchDate(o.To))})
		}
		payments, err := r.PaymentsOfCreditor(ctx, creditorID, from, to)
		if err != nil {
			return err
		}
		rem := documents.Remittance{Agency: s.cfg.Agency, Creditor: creditor, From: from, To: to, Currency: "EUR", At: s.now()}
		for _, cp := range payments {
			l := documents.RemittanceLine{ReceivedOn: cp.Payment.ReceivedOn, CaseReference: cp.CaseReference, DebtorName: cp.DebtorName,
				Receipt: cp.Payment.ReceiptNumber, Direct: cp.Payment.Method == recouvra.MethodDirectToCreditor, AmountCents: cp.Payment.AmountCents}
			if cp.FirstOfCase {
				l.FixedFeeCents = creditor.Mandate.FixedFeeCents
			}
			if cp.Payment.Currency != "" {
				rem.Currency = cp.Payment.Currency
			}
			rem.Lines = append(rem.Lines, l)
		}
		b, err := documents.RemittanceStatement(rem)
		if err != nil {
			return err
		}
		sha, size, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(b.PDF))
		if err != nil {
			return err
		}
		replaced = b.Replaced
		ref := fmt.Sprintf("REV-%s-%s", from.String(), to.String())
		doc = recouvra.Document{ID: uuid.Must(uuid.NewV7()), CreditorID: creditorID, Kind: string(documents.KindRemittance), Generated: true,
			FileName: "releve-reversement-" + from.String() + "-" + to.String() + ".pdf", MediaType: "application/pdf", SizeBytes: size, SHA256: sha,
			Reference: ref, Visibility: recouvra.Shared, CreatedAt: s.now()}
		doc.AuthorUserID, doc.AuthorAPIKeyID = p.Actor()
		if err := r.InsertDocument(ctx, &doc); err != nil {
			return err
		}
		t := rem.Totals()
		if err := r.InsertRemittance(ctx, Remittance{DocumentID: doc.ID, CreditorID: creditorID, From: from, To: to, Currency: rem.Currency,
			CollectedCents: t.CollectedCents, DirectCents: t.DirectCents, CommissionCents: t.CommissionCents, FeesCents: t.FeesCents, NetCents: t.NetCents,
			CreatedAt: doc.CreatedAt}); err != nil {
			return err
		}
		if err := s.queueWebhook(ctx, r, creditorID, recouvra.WebhookRemittance, map[string]any{"document_id": doc.ID.String(), "reference": ref,
			"from": from.String(), "to": to.String(), "currency": rem.Currency, "collected_cents": t.CollectedCents, "direct_cents": t.DirectCents,
			"commission_cents": t.CommissionCents, "fees_cents": t.FeesCents, "net_cents": t.NetCents}); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, Meta{}, "remittance_statement.create", "document", &doc.ID, map[string]any{
			"creditor_id": creditorID, "from": from.String(), "to": to.String(), "net_cents": t.NetCents, "commission_cents": t.CommissionCents}))
	})
	if err == nil {
		s.logReplaced(documents.KindRemittance, replaced, "creditor_id", creditorID)
		s.wakeWebhooks()
	}
	return doc, err
}

// CreditorDocuments lists a creditor's own documents (remittance statements).
func (s *Service) CreditorDocuments(ctx context.Context, p recouvra.Principal, creditorID uuid.UUID) ([]recouvra.Document, error) {
	var out []recouvra.Document
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CreditorByID(ctx, scope, creditorID); err != nil {
			return err
		}
		var err error
		out, err = r.DocumentsOfCreditor(ctx, scope, creditorID)
		return err
	})
	return out, err
}
