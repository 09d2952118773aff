package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
)

const whatEInvoice = "Facture électronique"

// LockEInvoices takes a transaction-level advisory lock on the creditor's
// electronic invoices: concurrent uploads of one creditor place one after
// the other, so the same invoice sent twice at once is placed once (the
// unique index on the number would refuse the second anyway).
func (r repo) LockEInvoices(ctx context.Context, creditorID uuid.UUID) error {
	return dbErr(r.q(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended('einvoices:' || ?::text, 0))", creditorID.String()).Error, whatEInvoice)
}

func (r repo) PlacedInvoices(ctx context.Context, creditorID uuid.UUID, numbers []string) (map[string]app.PlacedInvoice, error) {
	var rows []struct {
		InvoiceNumber string
		CaseID        uuid.UUID
		Reference     string
		AmountCents   int64
		Currency      string
	}
	// The first placed under each number, as the bulk import compares.
	err := r.q(ctx).Raw(`SELECT DISTINCT ON (cl.invoice_number) cl.invoice_number, cl.case_id, c.reference, cl.amount_cents, cl.currency
		FROM claims cl JOIN cases c ON c.id = cl.case_id
		WHERE cl.creditor_id = ? AND cl.invoice_number IN ?
		ORDER BY cl.invoice_number, cl.created_at, cl.id`, creditorID, numbers).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatEInvoice)
	}
	out := make(map[string]app.PlacedInvoice, len(rows))
	for _, row := range rows {
		out[row.InvoiceNumber] = app.PlacedInvoice{CaseID: row.CaseID, CaseReference: row.Reference, AmountCents: row.AmountCents, Currency: row.Currency}
	}
	return out, nil
}

func (r repo) OpenCaseByReference(ctx context.Context, creditorID uuid.UUID, reference, currency string) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`SELECT id FROM cases WHERE creditor_id = ? AND creditor_reference = ? AND currency = ? AND stage <> 'closed'
		ORDER BY id DESC LIMIT 1`, creditorID, reference, currency).Scan(&ids).Error
	if err != nil {
		return uuid.Nil, dbErr(err, whatCase)
	}
	if len(ids) == 0 {
		return uuid.Nil, notFound(whatCase)
	}
	return ids[0], nil
}

func (r repo) InsertEInvoice(ctx context.Context, e app.EInvoiceRecord) error {
	inv := e.Invoice
	return dbErr(r.q(ctx).Exec(`INSERT INTO einvoices (id, creditor_id, case_id, claim_id, document_id, syntax, profile, invoice_number, type_code,
		issued_on, due_on, currency, net_cents, vat_cents, gross_cents, prepaid_cents, due_cents, payment_terms, seller_name, seller_siren,
		buyer_name, buyer_siren, file_name, created_by, created_by_api_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CreditorID, e.CaseID, e.ClaimID, e.DocumentID, inv.Syntax, inv.Profile, inv.Number, inv.TypeCode,
		inv.IssuedOn.Time(), inv.DueOn.Time(), inv.Currency, inv.NetCents, inv.VATCents, inv.GrossCents, inv.PrepaidCents, inv.DueCents,
		inv.PaymentTerms, inv.Seller.Name, inv.Seller.SIREN, inv.Buyer.Name, inv.Buyer.SIREN, inv.File, e.CreatedBy, e.CreatedByAPIKey, e.CreatedAt).Error,
		whatEInvoice)
}
