package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// InvoiceFilter selects the agency's invoices and credit notes.
type InvoiceFilter struct {
	CreditorID *uuid.UUID
	RunID      *uuid.UUID
	Limit      int  // 1 to 500 (default 100)
	Files      bool // read the PDF and the CII XML too
}

// issueInvoice numbers an invoice or credit note in its series, renders it
// (PDF and CII XML, the latter checked against EN 16931) and stores it, in
// r's transaction: the series' counter stays locked until that transaction
// ends, so numbers follow each other without a gap whatever rolls back.
func (s *Service) issueInvoice(ctx context.Context, r Repo, inv *recouvra.Invoice, by *uuid.UUID) error {
	seq, err := r.NextInvoiceSeq(ctx, recouvra.InvoiceSeries(inv.IssuedOn))
	if err != nil {
		return err
	}
	inv.Numbered(seq)
	inv.CreatedAt = s.now().Truncate(time.Microsecond)
	file, err := documents.InvoicePDF(s.cfg.Agency, *inv, s.now())
	if err != nil {
		return err
	}
	inv.PDF = file.PDF
	if inv.CII, err = documents.InvoiceCII(*inv); err != nil {
		return recouvra.Invalid("Facture non conforme.", recouvra.FieldError{Field: "invoice", Code: "en16931", Message: err.Error()})
	}
	return r.InsertInvoice(ctx, *inv, by)
}

// invoiceTerms are what every invoice of the day needs besides its
// figures: the agency as seller and the fixed recovery indemnity in force
// (D441-5, a row of the rate tables).
func (s *Service) invoiceTerms(ctx context.Context, r Repo, day recouvra.Date) (recouvra.InvoiceParty, int64, error) {
	seller, err := documents.AgencyParty(s.cfg.Agency)
	if err != nil {
		return seller, 0, err
	}
	rates, err := r.ListRates(ctx)
	if err != nil {
		return seller, 0, err
	}
	ind, _, ok := recouvra.NewRateTable(rates).RateAt(recouvra.RateIndemnity, day)
	if !ok {
		return seller, 0, recouvra.Invalid("Facture impossible.", recouvra.FieldError{Field: "rates", Code: "no_indemnity",
			Message: "Aucune indemnité forfaitaire pour frais de recouvrement (recovery_indemnity) n'est en vigueur : ajoutez-la dans les taux, la facture doit en indiquer le montant."})
	}
	return seller, ind.Value, nil
}

// runInvoices issues the invoice of each line of a run being booked: the
// commission, direct commission and fees the ledger takes, with their VAT,
// to the creditor as it is recorded today.
func (s *Service) runInvoices(ctx context.Context, r Repo, run RemittanceRun, today recouvra.Date, by *uuid.UUID) error {
	seller, indemnity, err := s.invoiceTerms(ctx, r, today)
	if err != nil {
		return err
	}
	for _, l := range run.Lines {
		inv, ok := recouvra.RunInvoice(run.ID, l.CreditorID, l.EndToEndID, l.Currency, l.From, l.To, today, l.Figures)
		if !ok {
			continue // nothing to invoice: a mandate without commission or fees
		}
		c, err := r.CreditorByID(ctx, recouvra.AllCreditors, l.CreditorID)
		if err != nil {
			return err
		}
		inv.Seller, inv.Buyer, inv.IndemnityCents = seller, documents.CreditorParty(c), indemnity
		if err := s.issueInvoice(ctx, r, &inv, by); err != nil {
			return err
		}
	}
	return nil
}

// creditRunInvoices cancels the standing invoices of a run by credit notes
// (a booked run being cancelled: its postings are reversed too).
func (s *Service) creditRunInvoices(ctx context.Context, r Repo, runID uuid.UUID, today recouvra.Date, reason string, by *uuid.UUID) error {
	invs, err := r.Invoices(ctx, recouvra.AllCreditors, InvoiceFilter{RunID: &runID, Limit: 500})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.Kind != recouvra.KindInvoice || inv.CreditedBy != nil {
			continue
		}
		cn := recouvra.CreditNoteFor(inv, today, reason)
		if err := s.issueInvoice(ctx, r, &cn, by); err != nil {
			return err
		}
	}
	return nil
}

// Invoices lists invoices and credit notes, newest first: an admin any
// creditor's (or one's), a creditor its own.
func (s *Service) Invoices(ctx context.Context, p recouvra.Principal, f InvoiceFilter) ([]recouvra.Invoice, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return nil, err
	}
	scope := p.Scope()
	f.Files = false
	var out []recouvra.Invoice
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if f.CreditorID != nil {
			if _, err := r.CreditorByID(ctx, scope, *f.CreditorID); err != nil {
				return err // another creditor answers as a missing one
			}
		}
		var err error
		out, err = r.Invoices(ctx, scope, f)
		return err
	})
	return out, err
}

// Invoice reads one invoice or credit note, with its files when asked: an
// admin any, a creditor its own (another creditor's answers as a missing one).
func (s *Service) Invoice(ctx context.Context, p recouvra.Principal, id uuid.UUID, files bool) (recouvra.Invoice, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return recouvra.Invoice{}, err
	}
	var inv recouvra.Invoice
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		inv, err = r.InvoiceByID(ctx, p.Scope(), id, files)
		return err
	})
	return inv, err
}

// InvoiceCorrection is what correcting an invoice issues: the credit note
// cancelling it and the invoice replacing it.
type InvoiceCorrection struct {
	CreditNote  recouvra.Invoice
	Replacement recouvra.Invoice
}

// CorrectInvoice corrects an invoice the only way French law allows — never
// by an edit: a credit note cancels it in full, and a new invoice with the
// same figures and period, addressed to the creditor as it is recorded
// now, replaces it (a wrong name, address, SIREN or VAT number). The money
// does not move: the commission was taken once by the remittance and stays
// invoiced once. An invoice already cancelled, or of a cancelled run, is
// refused (409).
func (s *Service) CorrectInvoice(ctx context.Context, p recouvra.Principal, id uuid.UUID, reason string, meta Meta) (InvoiceCorrection, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return InvoiceCorrection{}, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return InvoiceCorrection{}, recouvra.Invalid("Motif manquant.", recouvra.FieldError{Field: "reason", Code: "required", Message: "Indiquez pourquoi la facture est corrigée : le motif figure sur l'avoir."})
	case utf8.RuneCountInString(reason) > 500:
		return InvoiceCorrection{}, recouvra.Invalid("Motif trop long.", recouvra.FieldError{Field: "reason", Code: "too_long", Message: "Le motif ne peut dépasser 500 caractères."})
	}
	if f := recouvra.PrintableField("reason", reason, recouvra.OneLine); len(f) > 0 {
		return InvoiceCorrection{}, recouvra.Invalid("Motif illisible.", f...)
	}
	var out InvoiceCorrection
	err := s.store.Tx(ctx, func(r Repo) error {
		inv, err := r.InvoiceByID(ctx, recouvra.AllCreditors, id, false)
		if err != nil {
			return err
		}
		// The run's lock orders this with the run's cancellation.
		run, err := r.RemittanceRunByID(ctx, inv.RunID, true)
		if err != nil {
			return err
		}
		if inv, err = r.InvoiceByID(ctx, recouvra.AllCreditors, id, false); err != nil {
			return err
		}
		switch {
		case inv.Kind != recouvra.KindInvoice:
			return recouvra.Errorf(recouvra.ECodeConflict, "%s est un avoir : seule une facture se corrige par un avoir.", inv.Number)
		case inv.CreditedBy != nil:
			return recouvra.Errorf(recouvra.ECodeConflict, "La facture %s a déjà été annulée par un avoir.", inv.Number)
		case run.State != recouvra.RunBooked && run.State != recouvra.RunSent:
			return recouvra.Errorf(recouvra.ECodeConflict, "Le reversement %s n'est pas comptabilisé (état « %s ») : sa facture ne peut être remplacée.", run.Reference, run.State)
		}
		seller, indemnity, err := s.invoiceTerms(ctx, r, s.today())
		if err != nil {
			return err
		}
		c, err := r.CreditorByID(ctx, recouvra.AllCreditors, inv.CreditorID)
		if err != nil {
			return err
		}
		by, _ := p.Actor()
		out.CreditNote = recouvra.CreditNoteFor(inv, s.today(), reason)
		if err := s.issueInvoice(ctx, r, &out.CreditNote, by); err != nil {
			return err
		}
		f := recouvra.RemittanceFigures{CommissionCents: inv.CommissionCents, DirectCommCents: inv.DirectCommCents, FeesCents: inv.FeesCents,
			CommissionNetCents: inv.NetCents, VATRateBps: inv.VATRateBps, VATCents: inv.VATCents, CommissionGrossCents: inv.GrossCents}
		out.Replacement, _ = recouvra.RunInvoice(inv.RunID, inv.CreditorID, inv.TransferReference, inv.Currency, inv.PeriodFrom, inv.PeriodTo, s.today(), f)
		out.Replacement.Seller, out.Replacement.Buyer, out.Replacement.IndemnityCents = seller, documents.CreditorParty(c), indemnity
		if err := s.issueInvoice(ctx, r, &out.Replacement, by); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "invoice.correct", "invoice", &inv.ID, map[string]any{
			"number": inv.Number, "credit_note": out.CreditNote.Number, "replacement": out.Replacement.Number, "reason": reason}))
	})
	return out, err
}

// InvoiceFileName is the download name of an invoice's file.
func InvoiceFileName(inv recouvra.Invoice, ext string) string {
	kind := "facture"
	if inv.CreditNote() {
		kind = "avoir"
	}
	return fmt.Sprintf("%s-%s.%s", kind, strings.ToLower(inv.Number), ext)
}
