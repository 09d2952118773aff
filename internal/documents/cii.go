package documents

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/speedata/einvoice"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// UN/EDIFACT codes the CII invoice uses.
const (
	ciiInvoice        = 380 // UNTDID 1001: commercial invoice
	ciiCreditNote     = 381 // UNTDID 1001: credit note
	ciiCompensation   = 97  // UNTDID 4461: clearing between partners
	ciiSIRENScheme    = "0002"
	ciiStandardVAT    = "S"
	ciiUnitOne        = "C62" // UN/ECE rec. 20: one (a unit of service)
	ciiNotePenalties  = "PMD"
	ciiNoteIndemnity  = "PMT"
	ciiNoteDiscount   = "AAB"
	ciiNoteRegulatory = "REG"
)

// InvoiceCII writes an invoice or credit note as an EN 16931 invoice in
// UN/CEFACT Cross Industry Invoice syntax (the XML a Factur-X carries), with
// github.com/speedata/einvoice, and checks it against the EN 16931 business
// rules that library implements before returning it: an invoice that breaks
// one is not issued.
func InvoiceCII(inv recouvra.Invoice) ([]byte, error) {
	doc := ciiInvoiceOf(inv)
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("facture %s non conforme à l'EN 16931 : %s", inv.Number, ViolationsText(err))
	}
	var b bytes.Buffer
	if err := doc.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ViolationsText lists the EN 16931 rules an einvoice validation error names.
func ViolationsText(err error) string {
	var v *einvoice.ValidationError
	if !errors.As(err, &v) {
		return err.Error()
	}
	var parts []string
	for _, x := range v.Violations() {
		parts = append(parts, x.Rule.Code+" "+x.Text)
	}
	return strings.Join(parts, "; ")
}

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

func day(d recouvra.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func ciiParty(p recouvra.InvoiceParty) einvoice.Party {
	out := einvoice.Party{Name: p.Name, VATaxRegistration: p.VAT,
		PostalAddress: &einvoice.PostalAddress{CountryID: p.Country, PostcodeCode: p.PostalCode, Line1: p.Line1, Line2: p.Line2, City: p.City}}
	if p.SIREN != "" {
		out.SpecifiedLegalOrganization = &einvoice.SpecifiedLegalOrganization{ID: p.SIREN, Scheme: ciiSIRENScheme}
	}
	if p.Email != "" {
		out.URIUniversalCommunication, out.URIUniversalCommunicationScheme = p.Email, "EM"
	}
	return out
}

func ciiInvoiceOf(inv recouvra.Invoice) *einvoice.Invoice {
	rate := decimal.New(inv.VATRateBps, -2)
	doc := &einvoice.Invoice{
		GuidelineSpecifiedDocumentContextParameter: einvoice.SpecEN16931,
		InvoiceNumber:               inv.Number,
		InvoiceTypeCode:             ciiInvoice,
		InvoiceDate:                 day(inv.IssuedOn),
		InvoiceCurrencyCode:         inv.Currency,
		Seller:                      ciiParty(inv.Seller),
		Buyer:                       ciiParty(inv.Buyer),
		BillingSpecifiedPeriodStart: day(inv.PeriodFrom),
		BillingSpecifiedPeriodEnd:   day(inv.PeriodTo),
		OccurrenceDateTime:          day(inv.PeriodTo),
		PaymentReference:            inv.TransferReference,
		Notes: []einvoice.Note{
			{SubjectCode: ciiNotePenalties, Text: MentionPenalties},
			{SubjectCode: ciiNoteIndemnity, Text: MentionIndemnity(inv.IndemnityCents, inv.Currency)},
			{SubjectCode: ciiNoteDiscount, Text: MentionNoDiscount},
		},
		PaymentMeans: []einvoice.PaymentMeans{{TypeCode: ciiCompensation, Information: "Compensation sur le reversement " + inv.TransferReference}},
	}
	if inv.CreditNote() {
		doc.InvoiceTypeCode = ciiCreditNote
		doc.InvoiceReferencedDocument = []einvoice.ReferencedDocument{{ID: inv.CorrectsNumber, Date: day(inv.CorrectsIssuedOn)}}
		note := MentionCreditNote(inv)
		if inv.Reason != "" {
			note += " Motif : " + inv.Reason
		}
		doc.Notes = append(doc.Notes, einvoice.Note{SubjectCode: ciiNoteRegulatory, Text: note})
		doc.SpecifiedTradePaymentTerms = []einvoice.SpecifiedTradePaymentTerms{{Description: MentionCreditNote(inv)}}
	} else {
		doc.SpecifiedTradePaymentTerms = []einvoice.SpecifiedTradePaymentTerms{{Description: MentionCompensation(inv), DueDate: day(inv.IssuedOn)}}
	}
	for i, l := range inv.Lines() {
		amount := cents(l.NetCents)
		doc.InvoiceLines = append(doc.InvoiceLines, einvoice.InvoiceLine{
			LineID: strconv.Itoa(i + 1), ItemName: l.Label,
			BilledQuantity: decimal.NewFromInt(1), BilledQuantityUnit: ciiUnitOne, NetPrice: amount, Total: amount,
			TaxTypeCode: "VAT", TaxCategoryCode: ciiStandardVAT, TaxRateApplicablePercent: rate,
		})
	}
	doc.UpdateApplicableTradeTax(nil)
	// The commission was deducted from the remittance: the whole gross
	// amount is already paid (BT-113), nothing is due (BT-115).
	doc.TotalPrepaid = cents(inv.GrossCents)
	doc.UpdateTotals()
	return doc
}
