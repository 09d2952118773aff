package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/speedata/einvoice"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func sampleInvoice(t *testing.T) recouvra.Invoice {
	t.Helper()
	a := agency()
	a.SIREN = "732829320"
	seller, err := documents.AgencyParty(a)
	if err != nil {
		t.Fatal(err)
	}
	buyer := documents.CreditorParty(recouvra.Creditor{LegalName: "Menuiserie Dupont SARL", CreditorDetails: recouvra.CreditorDetails{SIREN: "542107651",
		Address: recouvra.Address{Line1: "12 rue des Lilas", PostalCode: "69003", City: "Lyon"}}})
	f, err := recouvra.ComputeRemittance(123456, 2500, 1000, recouvra.Mandate{CommissionBps: 1250}, 2000)
	if err != nil {
		t.Fatal(err)
	}
	inv, ok := recouvra.RunInvoice(uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), "REV-20260302-ABCDEF-12345678", "EUR",
		recouvra.MustDate("2026-02-01"), recouvra.MustDate("2026-02-28"), recouvra.MustDate("2026-03-02"), f)
	if !ok {
		t.Fatal("nothing invoiced")
	}
	inv.Numbered(7)
	inv.Seller, inv.Buyer, inv.IndemnityCents = seller, buyer, 4000
	return inv
}

// TestInvoiceCIIIsEN16931AndSaysWhatThePDFSays: the CII XML of an invoice
// passes einvoice's EN 16931 rules, reads back with the same number, dates,
// parties, lines and totals, and the PDF prints the same figures and the
// mentions of L441-10 and D441-5; its credit note is a 381 referencing it.
func TestInvoiceCIIIsEN16931AndSaysWhatThePDFSays(t *testing.T) {
	t.Parallel()
	inv := sampleInvoice(t)
	// 1 234,56 € held at 12,5 %: 154,32 €; + 25,00 € direct + 10,00 € fees = 189,32 € net, VAT 37,86 €, gross 227,18 €.
	if inv.Number != "FA-2026-000007" || inv.CommissionCents != 15432 || inv.NetCents != 18932 || inv.VATCents != 3786 || inv.GrossCents != 22718 {
		t.Fatalf("invoice: %+v", inv)
	}
	xml, err := documents.InvoiceCII(inv)
	if err != nil {
		t.Fatal(err)
	}
	back, err := einvoice.ParseReader(bytes.NewReader(xml))
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("read back: %s\n%s", documents.ViolationsText(err), xml)
	}
	if back.InvoiceNumber != inv.Number || back.InvoiceTypeCode != 380 || back.InvoiceDate.Format("2006-01-02") != "2026-03-02" ||
		back.Seller.VATaxRegistration != "FR44732829320" || back.Seller.SpecifiedLegalOrganization.ID != "732829320" ||
		back.Buyer.VATaxRegistration != "FR13542107651" || back.Buyer.SpecifiedLegalOrganization.ID != "542107651" ||
		back.TaxBasisTotal.StringFixed(2) != "189.32" || back.TaxTotal.StringFixed(2) != "37.86" || back.GrandTotal.StringFixed(2) != "227.18" ||
		back.TotalPrepaid.StringFixed(2) != "227.18" || !back.DuePayableAmount.IsZero() || len(back.InvoiceLines) != 3 ||
		back.BillingSpecifiedPeriodStart.Format("2006-01-02") != "2026-02-01" || back.BillingSpecifiedPeriodEnd.Format("2006-01-02") != "2026-02-28" {
		t.Fatalf("CII read back: %+v\n%s", back, xml)
	}
	notes := map[string]string{}
	for _, n := range back.Notes {
		notes[n.SubjectCode] = n.Text
	}
	if !strings.Contains(notes["PMD"], "L441-10") || !strings.Contains(notes["PMT"], "40,00") || !strings.Contains(notes["AAB"], "escompte") {
		t.Fatalf("notes: %+v", back.Notes)
	}

	file, err := documents.InvoicePDF(agency(), inv, at)
	if err != nil {
		t.Fatal(err)
	}
	text := apitest.PDFText(t, file.PDF)
	for _, want := range []string{"Facture n° FA-2026-000007", "Date d'émission : 02/03/2026", "du 01/02/2026 au 28/02/2026", "FR44732829320", "732829320",
		"FR13542107651", "542107651", "154,32 €", "25,00 €", "10,00 €", "Total hors taxes 189,32 €", "20,00 %", "37,86 €", "Total TTC 227,18 €",
		"par compensation", "Net à payer : 0,00 €", "L441-10", "D441-5", "40,00 €", "escompte"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}

	cn := recouvra.CreditNoteFor(inv, recouvra.MustDate("2026-03-05"), "reversement annulé")
	cn.Numbered(8)
	xml, err = documents.InvoiceCII(cn)
	if err != nil {
		t.Fatal(err)
	}
	if back, err = einvoice.ParseReader(bytes.NewReader(xml)); err != nil {
		t.Fatal(err)
	}
	if back.InvoiceTypeCode != 381 || back.InvoiceNumber != "FA-2026-000008" || len(back.InvoiceReferencedDocument) != 1 ||
		back.InvoiceReferencedDocument[0].ID != "FA-2026-000007" || back.GrandTotal.StringFixed(2) != "227.18" {
		t.Fatalf("credit note read back: %+v", back)
	}
	file, err = documents.InvoicePDF(agency(), cn, at)
	if err != nil {
		t.Fatal(err)
	}
	if text := apitest.PDFText(t, file.PDF); !strings.Contains(text, "Avoir n° FA-2026-000008") || !strings.Contains(text, "n° FA-2026-000007 du 02/03/2026") ||
		!strings.Contains(text, "reversement annulé") {
		t.Fatalf("credit note PDF:\n%s", text)
	}
}
