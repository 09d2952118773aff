package recouvra

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// InvoiceKind says whether a document of the agency's invoice series is an
// invoice or a credit note (avoir).
type InvoiceKind string

const (
	KindInvoice    InvoiceKind = "invoice"
	KindCreditNote InvoiceKind = "credit_note"
)

// InvoiceParty is the seller or the buyer of an agency invoice, as it was
// on the day the invoice was issued (CGI 242 nonies A: names, addresses,
// SIREN and VAT numbers).
type InvoiceParty struct {
	Name       string   `json:"name"`
	Address    []string `json:"address"`     // printed lines
	Line1      string   `json:"line1"`       // for the CII postal address
	Line2      string   `json:"line2"`       //
	PostalCode string   `json:"postal_code"` //
	City       string   `json:"city"`        //
	Country    string   `json:"country"`     // ISO 3166-1 alpha-2
	SIREN      string   `json:"siren"`
	VAT        string   `json:"vat"`
	Email      string   `json:"email,omitempty"`
}

// Invoice is one of the agency's invoices for its commission and fees on a
// remittance, or a credit note cancelling one. Amounts are positive in
// both: a credit note's kind says it is one. Nothing of an issued invoice
// changes.
type Invoice struct {
	ID                uuid.UUID
	Series            string // "FA-2026": one per calendar year
	Seq               int64  // 1, 2, … within the series, no gap
	Number            string // "FA-2026-000001"
	Kind              InvoiceKind
	CorrectsID        *uuid.UUID // a credit note: the invoice it cancels
	CorrectsNumber    string     // … its number
	CorrectsIssuedOn  Date       // … and date
	CreditedBy        *uuid.UUID // an invoice: the credit note that cancelled it (read, not stored)
	CreditorID        uuid.UUID
	RunID             uuid.UUID
	TransferReference string // the remittance's transfer (EndToEndId): the commission was deducted from it
	IssuedOn          Date
	PeriodFrom        Date // the service: the collection work of this period
	PeriodTo          Date
	Currency          string
	CommissionCents   int64 // the mandate's commission on the funds collected
	DirectCommCents   int64 // commission on payments made to the creditor directly
	FeesCents         int64 // the mandate's fixed fees
	NetCents          int64 // the three, VAT excluded
	VATRateBps        int64
	VATCents          int64
	GrossCents        int64
	IndemnityCents    int64 // the fixed recovery indemnity of D441-5 in force on IssuedOn
	Seller, Buyer     InvoiceParty
	Reason            string // a credit note's reason
	PDF, CII          []byte
	CreatedAt         time.Time
}

// InvoiceLine is one line of an invoice: a service and its amount before VAT.
type InvoiceLine struct {
	Label    string
	NetCents int64
}

// Lines are the invoice's lines, those of zero left out.
func (inv Invoice) Lines() []InvoiceLine {
	var out []InvoiceLine
	add := func(label string, cents int64) {
		if cents != 0 {
			out = append(out, InvoiceLine{Label: label, NetCents: cents})
		}
	}
	add("Commission de recouvrement sur les fonds encaissés pour votre compte", inv.CommissionCents)
	add("Commission de recouvrement sur les paiements reçus directement par vous", inv.DirectCommCents)
	add("Frais fixes de dossier du mandat", inv.FeesCents)
	return out
}

// CreditNote reports whether the document is a credit note.
func (inv Invoice) CreditNote() bool { return inv.Kind == KindCreditNote }

// InvoiceSeries is the series an invoice issued on d is numbered in: one
// per calendar year.
func InvoiceSeries(d Date) string { return fmt.Sprintf("FA-%04d", d.Year()) }

// InvoiceNumber is the number of the seq-th document of a series.
func InvoiceNumber(series string, seq int64) string { return fmt.Sprintf("%s-%06d", series, seq) }

// RunInvoice is the invoice of one creditor's line of a remittance run:
// the run's commission, direct commission and fees with their VAT, as the
// ledger booked them. ok is false when the line invoices nothing (a
// mandate without commission or fees).
func RunInvoice(runID, creditorID uuid.UUID, transferRef, currency string, from, to, issuedOn Date, f RemittanceFigures) (Invoice, bool) {
	inv := Invoice{ID: uuid.Must(uuid.NewV7()), Kind: KindInvoice, CreditorID: creditorID, RunID: runID, TransferReference: transferRef,
		IssuedOn: issuedOn, PeriodFrom: from, PeriodTo: to, Currency: currency, CommissionCents: f.CommissionCents, DirectCommCents: f.DirectCommCents,
		FeesCents: f.FeesCents, NetCents: f.CommissionNetCents, VATRateBps: f.VATRateBps, VATCents: f.VATCents, GrossCents: f.CommissionGrossCents}
	if inv.PeriodTo.Before(inv.PeriodFrom) {
		inv.PeriodFrom = inv.PeriodTo
	}
	return inv, inv.NetCents > 0
}

// CreditNoteFor is the credit note cancelling inv in full, issued on day
// for reason: the same figures, seller and buyer, its own number (set when
// it is numbered).
func CreditNoteFor(inv Invoice, day Date, reason string) Invoice {
	cn := inv
	cn.ID = uuid.Must(uuid.NewV7())
	cn.Kind = KindCreditNote
	id := inv.ID
	cn.CorrectsID, cn.CorrectsNumber, cn.CorrectsIssuedOn = &id, inv.Number, inv.IssuedOn
	cn.IssuedOn, cn.Reason = day, reason
	cn.Series, cn.Seq, cn.Number, cn.PDF, cn.CII, cn.CreditedBy = "", 0, "", nil, nil, nil
	return cn
}

// Numbered gives the invoice its place in its series.
func (inv *Invoice) Numbered(seq int64) {
	inv.Series = InvoiceSeries(inv.IssuedOn)
	inv.Seq = seq
	inv.Number = InvoiceNumber(inv.Series, seq)
}
