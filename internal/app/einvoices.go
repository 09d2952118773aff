package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/einvoice"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// EInvoiceRepo keeps what electronic invoices were read as (migration
// 00032) and answers what placing them needs.
type EInvoiceRepo interface {
	// LockEInvoices holds, until the transaction ends, the right to place
	// electronic invoices for the creditor: two uploads of the same
	// invoice at once place it once.
	LockEInvoices(ctx context.Context, creditorID uuid.UUID) error
	// PlacedInvoices finds the creditor's claims bearing these numbers,
	// whatever way they were placed, by number.
	PlacedInvoices(ctx context.Context, creditorID uuid.UUID, numbers []string) (map[string]PlacedInvoice, error)
	// OpenCaseByReference is the newest open case of the creditor under
	// its own reference in that currency (ECodeNotFound when none).
	OpenCaseByReference(ctx context.Context, creditorID uuid.UUID, reference, currency string) (uuid.UUID, error)
	InsertEInvoice(ctx context.Context, e EInvoiceRecord) error
}

// PlacedInvoice is a claim already placed under an invoice number.
type PlacedInvoice struct {
	CaseID        uuid.UUID
	CaseReference string
	AmountCents   int64
	Currency      string
}

// EInvoiceRecord is an electronic invoice placed: what it was read as and
// what it became.
type EInvoiceRecord struct {
	ID, CreditorID, CaseID, ClaimID, DocumentID uuid.UUID
	Invoice                                     einvoice.Invoice
	CreatedBy, CreatedByAPIKey                  *uuid.UUID
	CreatedAt                                   time.Time
}

// EInvoiceOutcome is what became of one invoice of an upload.
type EInvoiceOutcome struct {
	Invoice       einvoice.Invoice
	Status        string // created, present
	CaseID        uuid.UUID
	CaseReference string
	NewCase       bool
	DocumentID    *uuid.UUID
}

// EInvoiceUpload is what an upload placed.
type EInvoiceUpload struct {
	Invoices     []EInvoiceOutcome
	Created      int
	Present      int
	CasesCreated int
}

// einvoiceLimits bounds an upload: the file limit for each file as
// received, the package's own bounds for the rest.
func (s *Service) einvoiceLimits() einvoice.Limits {
	lim := einvoice.DefaultLimits
	if s.cfg.MaxUploadBytes > 0 {
		lim.FileBytes = s.cfg.MaxUploadBytes
	}
	return lim
}

// problemsError turns refused files into one 422, a field per file.
func problemsError(problems []*einvoice.Problem) error {
	fields := make([]recouvra.FieldError, len(problems))
	for i, p := range problems {
		msg := p.Reason
		if p.Element != "" {
			msg += " [" + p.Element + "]"
		}
		fields[i] = recouvra.FieldError{Field: "form.file:" + p.File, Code: "refused", Message: msg}
	}
	title := "Facture électronique refusée : rien n'a été placé."
	if len(problems) == 1 {
		title = "Facture électronique refusée (" + problems[0].File + ") : " + problems[0].Reason
	}
	return recouvra.Invalid(title, fields...)
}

// UploadEInvoices places electronic invoices — Factur-X PDFs, CII or UBL
// XML, or zips of them — as claims of the creditor, grouped into one case
// per debtor and reference, each with its original file as the invoice's
// exhibit. All or nothing: one invoice refused (unreadable, an EN 16931
// rule broken, another seller, an amount changed since it was placed)
// refuses the upload with every reason and places none. An invoice
// already placed with the same amount is reported present.
func (s *Service) UploadEInvoices(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, files []einvoice.Source) (EInvoiceUpload, error) {
	creditorUUID, err := importCreditor(p, creditorID)
	if err != nil {
		return EInvoiceUpload{}, err
	}
	var creditor recouvra.Creditor
	var keyName string
	if err := s.store.Tx(ctx, func(r Repo) error {
		creditor, err = r.CreditorByID(ctx, recouvra.AllCreditors, creditorUUID)
		if err = fieldNotFound(err, "creditor_id", "Aucun créancier ne porte cet identifiant."); err != nil || p.Kind != recouvra.PrincipalAPIKey {
			return err
		}
		// An upload made with an API key is listed with the key's name.
		k, err := r.APIKeyByID(ctx, p.APIKeyID)
		keyName = k.Name
		return err
	}); err != nil {
		return EInvoiceUpload{}, err
	}
	record := s.newUploadRecord(p, keyName, creditor.ID, files)
	lim := s.einvoiceLimits()
	sources, err := einvoice.Unpack(files, lim)
	if err != nil {
		var pr *einvoice.Problem
		if errors.As(err, &pr) {
			return EInvoiceUpload{}, s.recordRefusedUpload(ctx, record, problemsError([]*einvoice.Problem{pr}))
		}
		return EInvoiceUpload{}, err
	}
	invoices, problems := einvoice.Read(sources, lim)
	problems = append(problems, s.checkEInvoices(creditor, invoices)...)
	if len(problems) > 0 {
		return EInvoiceUpload{}, s.recordRefusedUpload(ctx, record, problemsError(problems))
	}
	var out EInvoiceUpload
	err = s.store.Tx(ctx, func(r Repo) error {
		out = EInvoiceUpload{}
		if err := r.LockEInvoices(ctx, creditor.ID); err != nil {
			return err
		}
		numbers := make([]string, len(invoices))
		for i, inv := range invoices {
			numbers[i] = inv.Number
		}
		placed, err := r.PlacedInvoices(ctx, creditor.ID, numbers)
		if err != nil {
			return err
		}
		var fresh []einvoice.Invoice
		var refused []*einvoice.Problem
		for _, inv := range invoices {
			prev, ok := placed[inv.Number]
			switch {
			case !ok:
				fresh = append(fresh, inv)
			case prev.AmountCents == inv.DueCents && prev.Currency == inv.Currency:
				out.Invoices = append(out.Invoices, EInvoiceOutcome{Invoice: inv, Status: "present", CaseID: prev.CaseID, CaseReference: prev.CaseReference})
				out.Present++
			default:
				refused = append(refused, &einvoice.Problem{File: inv.File, Element: "BT-115",
					Reason: fmt.Sprintf("montant modifié : la facture %s est déjà placée au dossier %s pour %s ; le nouveau montant %s n'est pas appliqué (signalez la correction à l'agence)",
						inv.Number, prev.CaseReference, recouvra.FrenchMoney(prev.AmountCents, prev.Currency), recouvra.FrenchMoney(inv.DueCents, inv.Currency))})
			}
		}
		if len(refused) > 0 {
			return problemsError(refused)
		}
		for _, group := range groupByDebtor(fresh) {
			outcomes, created, err := s.placeEInvoiceGroup(ctx, r, p, creditor, group)
			if err != nil {
				return err
			}
			out.Invoices = append(out.Invoices, outcomes...)
			out.Created += len(outcomes)
			if created {
				out.CasesCreated++
			}
		}
		done := placedRecord(record, out)
		return r.InsertEInvoiceUpload(ctx, &done)
	})
	if err != nil {
		return EInvoiceUpload{}, s.recordRefusedUpload(ctx, record, err)
	}
	s.cfg.Logger.Info("electronic invoices placed", "creditor", creditor.ID, "created", out.Created, "present", out.Present, "cases", out.CasesCreated)
	return out, nil
}

// checkEInvoices refuses, before anything is written, an invoice another
// company issued, one that appears twice in the upload, and one whose
// buyer or amounts the rules of POST /api/v1/cases refuse.
func (s *Service) checkEInvoices(creditor recouvra.Creditor, invoices []einvoice.Invoice) []*einvoice.Problem {
	var problems []*einvoice.Problem
	seen := map[string]string{}
	for _, inv := range invoices {
		bad := func(element, reason string) {
			problems = append(problems, &einvoice.Problem{File: inv.File, Element: element, Reason: reason})
		}
		switch {
		case creditor.SIREN == "":
			bad("BT-30", fmt.Sprintf("le créancier %s n'a pas de SIREN enregistré : l'agence doit le saisir pour que ses factures électroniques soient reconnues", creditor.LegalName))
			continue
		case inv.Seller.SIREN == "":
			bad("BT-30", "le vendeur n'est pas identifié par un SIREN (identifiant légal 0002, SIRET 0009 ou numéro de TVA français)")
			continue
		case inv.Seller.SIREN != creditor.SIREN:
			bad("BT-27 BT-30", fmt.Sprintf("la facture %s est émise par %s (SIREN %s), pas par %s (SIREN %s) : un créancier ne place que ses propres factures",
				inv.Number, inv.Seller.Name, inv.Seller.SIREN, creditor.LegalName, creditor.SIREN))
			continue
		}
		if first, dup := seen[inv.Number]; dup {
			bad("BT-1", fmt.Sprintf("facture %s en double dans l'envoi (déjà dans %s)", inv.Number, first))
			continue
		}
		seen[inv.Number] = inv.File
		d := debtorOf(inv)
		cl := claimOf(inv)
		for _, f := range append(d.Validate(), cl.Validate(inv.Currency, "claim.")...) {
			bad(einvoiceElement(f.Field), f.Message)
		}
		if f := recouvra.PrintableField("creditor_reference", inv.Buyer.ID, recouvra.OneLine); f != nil {
			bad("BT-46", f[0].Message)
		}
	}
	return problems
}

// einvoiceElement names the business term a field of the case rules
// comes from.
func einvoiceElement(field string) string {
	for prefix, bt := range map[string]string{
		"debtor.name": "BT-44", "debtor.siren": "BT-47", "debtor.siret": "BT-47", "debtor.vat_number": "BT-48", "debtor.address": "BG-8",
		"debtor.emails": "BT-58", "debtor.phones": "BT-57", "claim.invoice_number": "BT-1", "claim.due_on": "BT-9", "claim.issued_on": "BT-2",
		"claim.amount_cents": "BT-115", "claim.vat_cents": "BT-110", "claim.currency": "BT-5",
	} {
		if strings.HasPrefix(field, prefix) {
			return bt
		}
	}
	return field
}

// debtorOf is the buyer as a debtor: a company (the invoice is between
// businesses), its SIREN, VAT number, address and contact.
func debtorOf(inv einvoice.Invoice) recouvra.Debtor {
	b := inv.Buyer
	d := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: b.Name, SIREN: b.SIREN, SIRET: b.SIRET, Address: b.Address}
	if strings.HasPrefix(strings.ToUpper(b.VATNumber), "FR") {
		d.VATNumber = b.VATNumber // a foreign VAT number is not checked by the French key
	}
	if b.Email != "" {
		d.Emails = []string{b.Email}
	}
	if b.Phone != "" {
		d.Phones = []string{b.Phone}
	}
	return d
}

// claimOf is the invoice as a claim: the amount due for payment (BT-115:
// the total with VAT less what was paid on account), and the VAT in the
// same proportion when something was prepaid.
func claimOf(inv einvoice.Invoice) recouvra.Claim {
	vat := inv.VATCents
	if inv.PrepaidCents != 0 && inv.GrossCents != 0 && inv.DueCents != inv.GrossCents {
		vat = roundDiv(inv.VATCents*inv.DueCents, inv.GrossCents)
	}
	return recouvra.Claim{InvoiceNumber: inv.Number, IssuedOn: inv.IssuedOn, DueOn: inv.DueOn, AmountCents: inv.DueCents, VATCents: vat,
		Currency: inv.Currency, Nature: recouvra.NatureGeneral}
}

// roundDiv is a/b rounded half away from zero (b > 0).
func roundDiv(a, b int64) int64 {
	if a < 0 {
		return -roundDiv(-a, b)
	}
	return (2*a + b) / (2 * b)
}

// groupByDebtor groups invoices as the bulk import groups rows: one case
// per debtor (its SIREN, else its name and postcode), reference and
// currency, in the order they came.
func groupByDebtor(invoices []einvoice.Invoice) [][]einvoice.Invoice {
	var order []string
	groups := map[string][]einvoice.Invoice{}
	for _, inv := range invoices {
		who := "siren:" + inv.Buyer.SIREN
		if inv.Buyer.SIREN == "" {
			who = "name:" + strings.ToLower(strings.Join(strings.Fields(inv.Buyer.Name), " ")) + "|" + inv.Buyer.Address.PostalCode
		}
		key := who + "|" + inv.Buyer.ID + "|" + inv.Currency
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], inv)
	}
	out := make([][]einvoice.Invoice, len(order))
	for i, k := range order {
		out[i] = groups[k]
	}
	return out
}

// placeEInvoiceGroup places one debtor's invoices: into its open case
// under the same reference, or a new case; each claim with its event, its
// original file as the invoice's exhibit and the record of what was read.
func (s *Service) placeEInvoiceGroup(ctx context.Context, r Repo, p recouvra.Principal, creditor recouvra.Creditor, group []einvoice.Invoice) ([]EInvoiceOutcome, bool, error) {
	first := group[0]
	now := s.now()
	reference := strings.TrimSpace(first.Buyer.ID)
	var c recouvra.Case
	var events []recouvra.Event
	existing := false
	if reference != "" {
		id, err := r.OpenCaseByReference(ctx, creditor.ID, reference, first.Currency)
		switch {
		case err == nil:
			if c, err = r.CaseByID(ctx, recouvra.AllCreditors, id, ForUpdate); err != nil {
				return nil, false, err
			}
			existing = true
		case recouvra.ErrorCode(err) != recouvra.ECodeNotFound:
			return nil, false, err
		}
	}
	expected := c.Version
	if !existing {
		debtor, err := s.resolveDebtor(ctx, r, NewCase{Debtor: ptr(debtorOf(first))})
		if err != nil {
			return nil, false, err
		}
		c = recouvra.Case{ID: uuid.Must(uuid.NewV7()), CreditorID: creditor.ID, DebtorID: debtor.ID, CreditorReference: reference,
			Stage: recouvra.StageAmicable, Priority: 1, Currency: first.Currency, NextActionOn: s.today(), Version: 1, CreatedAt: now, UpdatedAt: now}
		if c.Reference, err = r.NextCaseReference(ctx, s.today().Year()); err != nil {
			return nil, false, err
		}
	}
	claims := make([]recouvra.Claim, len(group))
	for i, inv := range group {
		claims[i] = claimOf(inv)
		claims[i].ID, claims[i].CaseID, claims[i].CreatedAt = uuid.Must(uuid.NewV7()), c.ID, now
		if err := c.AddClaim(claims[i]); err != nil {
			return nil, false, err
		}
	}
	if existing {
		c.UpdatedAt = now
		if err := r.UpdateCase(ctx, &c, expected); err != nil {
			return nil, false, err
		}
	} else {
		if err := r.InsertCase(ctx, &c); err != nil {
			return nil, false, err
		}
		events = append(events, s.newEvent(p, &c, recouvra.EventCaseCreated, recouvra.Shared, map[string]any{
			"reference": c.Reference, "creditor_reference": c.CreditorReference, "principal_cents": c.PrincipalCents, "currency": c.Currency,
			"source": "einvoice"}))
	}
	outcomes := make([]EInvoiceOutcome, len(group))
	for i, inv := range group {
		if err := r.InsertClaim(ctx, c.CreditorID, &claims[i]); err != nil {
			return nil, false, err
		}
		data := claimData(claims[i])
		data["einvoice"], data["payment_terms"], data["net_cents"] = inv.Syntax, inv.PaymentTerms, inv.NetCents
		events = append(events, s.newEvent(p, &c, recouvra.EventClaimAdded, recouvra.Shared, data))
		doc, err := s.keepOriginal(ctx, r, p, c, inv)
		if err != nil {
			return nil, false, err
		}
		events = append(events, s.newEvent(p, &c, recouvra.EventDocumentAdded, recouvra.Shared,
			map[string]any{"document_id": doc.ID.String(), "kind": doc.Kind, "file_name": doc.FileName}))
		rec := EInvoiceRecord{ID: uuid.Must(uuid.NewV7()), CreditorID: c.CreditorID, CaseID: c.ID, ClaimID: claims[i].ID, DocumentID: doc.ID,
			Invoice: inv, CreatedAt: now}
		rec.CreatedBy, rec.CreatedByAPIKey = p.Actor()
		if err := r.InsertEInvoice(ctx, rec); err != nil {
			return nil, false, err
		}
		outcomes[i] = EInvoiceOutcome{Invoice: inv, Status: "created", CaseID: c.ID, CaseReference: c.Reference, NewCase: !existing, DocumentID: &doc.ID}
	}
	for i := range events {
		if err := r.InsertEvent(ctx, &events[i]); err != nil {
			return nil, false, err
		}
	}
	return outcomes, !existing, nil
}

// keepOriginal stores the invoice's file as received — the Factur-X PDF,
// or the CII or UBL XML — as the case's "invoice" piece, named after the
// invoice number so that the injunction request lists it as the invoice's
// exhibit.
func (s *Service) keepOriginal(ctx context.Context, r Repo, p recouvra.Principal, c recouvra.Case, inv einvoice.Invoice) (recouvra.Document, error) {
	ext := ".xml"
	if inv.MediaType == "application/pdf" {
		ext = ".pdf"
	}
	sha, size, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(inv.Original))
	if err != nil {
		return recouvra.Document{}, err
	}
	doc := recouvra.Document{ID: uuid.Must(uuid.NewV7()), CaseID: &c.ID, CreditorID: c.CreditorID, Kind: "invoice",
		FileName: exhibitName(inv.Number, ext), MediaType: inv.MediaType, SizeBytes: size, SHA256: sha,
		Visibility: recouvra.Shared, CreatedAt: s.now()}
	doc.AuthorUserID, doc.AuthorAPIKeyID = p.Actor()
	return doc, r.InsertDocument(ctx, &doc)
}

// exhibitName names an invoice's original after its number: slashes, which
// invoice numbers may hold, become dashes rather than paths (claimExhibits
// ignores both when it looks for the number in a piece's name).
func exhibitName(number, ext string) string {
	return safeName("facture-"+strings.NewReplacer("/", "-", "\\", "-").Replace(number)+ext, ext)
}
