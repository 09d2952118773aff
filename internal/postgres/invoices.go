package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatInvoice = "Facture"

type invoiceRow struct {
	ID                    uuid.UUID
	Series                string
	Seq                   int64
	Number                string
	Kind                  string
	CorrectsID            *uuid.UUID
	CreditorID            uuid.UUID
	RunID                 uuid.UUID
	TransferReference     string
	IssuedOn              recouvra.Date
	PeriodFrom            recouvra.Date
	PeriodTo              recouvra.Date
	Currency              string
	CommissionCents       int64
	DirectCommissionCents int64
	FeesCents             int64
	NetCents              int64
	VATRateBps            int64 `gorm:"column:vat_rate_bps"`
	VATCents              int64 `gorm:"column:vat_cents"`
	GrossCents            int64
	IndemnityCents        int64
	Seller                recouvra.InvoiceParty `gorm:"serializer:json"`
	Buyer                 recouvra.InvoiceParty `gorm:"serializer:json"`
	Reason                string
	PDF                   []byte `gorm:"column:pdf"`
	CII                   []byte `gorm:"column:cii"`
	CreatedBy             *uuid.UUID
	CreatedAt             time.Time      `gorm:"autoCreateTime:false"`
	CorrectsNumber        *string        `gorm:"->;-:migration"`
	CorrectsIssuedOn      *recouvra.Date `gorm:"->;-:migration"`
	CreditedBy            *uuid.UUID     `gorm:"->;-:migration"`
}

func (invoiceRow) TableName() string { return "invoices" }

func (r invoiceRow) domain() recouvra.Invoice {
	inv := recouvra.Invoice{ID: r.ID, Series: r.Series, Seq: r.Seq, Number: r.Number, Kind: recouvra.InvoiceKind(r.Kind), CorrectsID: r.CorrectsID,
		CreditedBy: r.CreditedBy, CreditorID: r.CreditorID, RunID: r.RunID, TransferReference: r.TransferReference, IssuedOn: r.IssuedOn,
		PeriodFrom: r.PeriodFrom, PeriodTo: r.PeriodTo, Currency: strings.TrimSpace(r.Currency), CommissionCents: r.CommissionCents,
		DirectCommCents: r.DirectCommissionCents, FeesCents: r.FeesCents, NetCents: r.NetCents, VATRateBps: r.VATRateBps, VATCents: r.VATCents,
		GrossCents: r.GrossCents, IndemnityCents: r.IndemnityCents, Seller: r.Seller, Buyer: r.Buyer, Reason: r.Reason, PDF: r.PDF, CII: r.CII,
		CreatedAt: r.CreatedAt.UTC()}
	if r.CorrectsNumber != nil {
		inv.CorrectsNumber = *r.CorrectsNumber
	}
	if r.CorrectsIssuedOn != nil {
		inv.CorrectsIssuedOn = *r.CorrectsIssuedOn
	}
	return inv
}

// NextInvoiceSeq takes the next number of a series. The counter row stays
// locked until the transaction ends: a concurrent booking waits for it,
// and a rollback gives the number back — the series has no gap.
func (r repo) NextInvoiceSeq(ctx context.Context, series string) (int64, error) {
	var n int64
	err := r.q(ctx).Raw(`INSERT INTO invoice_counters (series, last_number) VALUES (?, 1)
		ON CONFLICT (series) DO UPDATE SET last_number = invoice_counters.last_number + 1
		RETURNING last_number`, series).Scan(&n).Error
	return n, dbErr(err, whatInvoice)
}

func (r repo) InsertInvoice(ctx context.Context, inv recouvra.Invoice, by *uuid.UUID) error {
	row := invoiceRow{ID: inv.ID, Series: inv.Series, Seq: inv.Seq, Number: inv.Number, Kind: string(inv.Kind), CorrectsID: inv.CorrectsID,
		CreditorID: inv.CreditorID, RunID: inv.RunID, TransferReference: inv.TransferReference, IssuedOn: inv.IssuedOn, PeriodFrom: inv.PeriodFrom,
		PeriodTo: inv.PeriodTo, Currency: inv.Currency, CommissionCents: inv.CommissionCents, DirectCommissionCents: inv.DirectCommCents,
		FeesCents: inv.FeesCents, NetCents: inv.NetCents, VATRateBps: inv.VATRateBps, VATCents: inv.VATCents, GrossCents: inv.GrossCents,
		IndemnityCents: inv.IndemnityCents, Seller: inv.Seller, Buyer: inv.Buyer, Reason: inv.Reason, PDF: inv.PDF, CII: inv.CII, CreatedBy: by,
		CreatedAt: inv.CreatedAt}
	if err := r.q(ctx).Omit("CorrectsNumber", "CorrectsIssuedOn", "CreditedBy").Create(&row).Error; err != nil {
		if recouvra.ErrorCode(dbErr(err, whatInvoice)) == recouvra.ECodeConflict && inv.CorrectsID != nil {
			return recouvra.Errorf(recouvra.ECodeConflict, "La facture %s a déjà été annulée par un avoir.", inv.CorrectsNumber)
		}
		return dbErr(err, whatInvoice)
	}
	return nil
}

// invoiceColumns reads an invoice with the number and date of the invoice
// a credit note corrects and the credit note that cancelled an invoice;
// files only when asked (a list does not carry them).
func invoiceColumns(files bool) string {
	cols := `i.id, i.series, i.seq, i.number, i.kind, i.corrects_id, i.creditor_id, i.run_id, i.transfer_reference, i.issued_on, i.period_from,
		i.period_to, i.currency, i.commission_cents, i.direct_commission_cents, i.fees_cents, i.net_cents, i.vat_rate_bps, i.vat_cents,
		i.gross_cents, i.indemnity_cents, i.seller, i.buyer, i.reason, i.created_by, i.created_at,
		c.number AS corrects_number, c.issued_on AS corrects_issued_on,
		(SELECT x.id FROM invoices x WHERE x.corrects_id = i.id) AS credited_by`
	if files {
		cols += ", i.pdf, i.cii"
	}
	return cols
}

func (r repo) InvoiceByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, files bool) (recouvra.Invoice, error) {
	var row invoiceRow
	q := scoped(r.q(ctx).Table("invoices i").Joins("LEFT JOIN invoices c ON c.id = i.corrects_id"), scope, "i.creditor_id")
	if err := q.Select(invoiceColumns(files)).Where("i.id = ?", id).Take(&row).Error; err != nil {
		return recouvra.Invoice{}, dbErr(err, whatInvoice)
	}
	return row.domain(), nil
}

func (r repo) Invoices(ctx context.Context, scope recouvra.Scope, f app.InvoiceFilter) ([]recouvra.Invoice, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := scoped(r.q(ctx).Table("invoices i").Joins("LEFT JOIN invoices c ON c.id = i.corrects_id"), scope, "i.creditor_id")
	if f.CreditorID != nil {
		q = q.Where("i.creditor_id = ?", *f.CreditorID)
	}
	if f.RunID != nil {
		q = q.Where("i.run_id = ?", *f.RunID)
	}
	var rows []invoiceRow
	if err := q.Select(invoiceColumns(f.Files)).Order("i.series DESC, i.seq DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatInvoice)
	}
	return domains[invoiceRow, recouvra.Invoice](rows), nil
}
