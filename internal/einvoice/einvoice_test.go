package einvoice

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// facturX builds a Factur-X PDF as the standard has it: a visible invoice
// with the CII embedded as an attached file (fpdf's EmbeddedFiles, the
// stream FlateDecode-compressed).
func facturX(t *testing.T, cii []byte) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAttachments([]fpdf.Attachment{{Content: cii, Filename: "factur-x.xml", Description: "Factur-X"}})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Cell(0, 10, "Facture FA-2026-0142")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t *testing.T, files ...Source) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readAll(t *testing.T, files ...Source) ([]Invoice, []*Problem) {
	t.Helper()
	src, err := Unpack(files, DefaultLimits)
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			return nil, []*Problem{p}
		}
		t.Fatal(err)
	}
	return Read(src, DefaultLimits)
}

func TestReadEachSyntax(t *testing.T) {
	t.Parallel()
	cii := sample(t, "facturx-en16931.xml")
	invs, problems := readAll(t, Source{"FA-2026-0142.pdf", facturX(t, cii)}, Source{"FA-2026-0142.xml", cii},
		Source{"FA-2026-0150.xml", sample(t, "ubl-invoice.xml")})
	if len(problems) > 0 {
		t.Fatalf("refused: %v", problems[0])
	}
	if len(invs) != 3 {
		t.Fatalf("%d invoices", len(invs))
	}
	for _, inv := range invs[:2] {
		want := Invoice{Number: "FA-2026-0142", TypeCode: 380, IssuedOn: recouvra.NewDate(2026, 1, 15), DueOn: recouvra.NewDate(2026, 2, 14),
			Currency: "EUR", NetCents: 150000, VATCents: 30000, GrossCents: 180000, DueCents: 180000, PaymentTerms: "Paiement à 30 jours date de facture par virement"}
		if inv.Number != want.Number || inv.TypeCode != want.TypeCode || inv.IssuedOn != want.IssuedOn || inv.DueOn != want.DueOn || inv.Currency != want.Currency ||
			inv.NetCents != want.NetCents || inv.VATCents != want.VATCents || inv.GrossCents != want.GrossCents || inv.DueCents != want.DueCents || inv.PaymentTerms != want.PaymentTerms {
			t.Errorf("%s read as %+v", inv.File, inv)
		}
		if inv.Seller.SIREN != "404833048" || inv.Seller.Name != "Menuiserie Dupont SARL" {
			t.Errorf("%s seller %+v", inv.File, inv.Seller)
		}
		b := inv.Buyer
		if b.Name != "Garage Lefèvre SARL" || b.SIREN != "512345679" || b.VATNumber != "FR75512345679" || b.ID != "CLI-0042" ||
			b.Address != (recouvra.Address{Line1: "5 rue de la Gare", Line2: "Bâtiment B", PostalCode: "69007", City: "Lyon", Country: "FR"}) ||
			b.Email != "compta@garage-lefevre.fr" || b.Phone != "04 78 00 00 00" {
			t.Errorf("%s buyer %+v", inv.File, b)
		}
		if inv.Profile != "urn:cen.eu:en16931:2017" {
			t.Errorf("profile %q", inv.Profile)
		}
	}
	if invs[0].Syntax != SyntaxFacturX || invs[0].MediaType != "application/pdf" || !bytes.HasPrefix(invs[0].Original, []byte("%PDF-")) {
		t.Errorf("the Factur-X keeps its PDF: %s %s", invs[0].Syntax, invs[0].MediaType)
	}
	if invs[1].Syntax != SyntaxCII || invs[1].MediaType != "application/xml" {
		t.Errorf("CII: %s %s", invs[1].Syntax, invs[1].MediaType)
	}
	u := invs[2]
	if u.Syntax != SyntaxUBL || u.Number != "FA-2026-0150" || u.DueOn != recouvra.NewDate(2026, 3, 6) || u.NetCents != 75000 || u.VATCents != 13500 ||
		u.GrossCents != 88500 || u.PrepaidCents != 20000 || u.DueCents != 68500 || u.PaymentTerms != "45 jours fin de mois, par virement" {
		t.Errorf("UBL read as %+v", u)
	}
	if u.Seller.SIREN != "404833048" || u.Buyer.SIREN != "380129866" || u.Buyer.Name != "Atelier Morel" || u.Buyer.Address.City != "Rennes" ||
		u.Buyer.Email != "fournisseurs@atelier-morel.fr" || u.Buyer.ID != "CLI-0077" {
		t.Errorf("UBL parties %+v / %+v", u.Seller, u.Buyer)
	}
}

func TestReadZipOfSeveral(t *testing.T) {
	t.Parallel()
	cii := sample(t, "facturx-en16931.xml")
	z := zipOf(t, Source{"janvier/FA-2026-0142.pdf", facturX(t, cii)}, Source{"janvier/FA-2026-0150.xml", sample(t, "ubl-invoice.xml")},
		Source{"__MACOSX/._FA-2026-0150.xml", []byte{0, 5, 22, 7}})
	invs, problems := readAll(t, Source{"lot.zip", z})
	if len(problems) > 0 || len(invs) != 2 {
		t.Fatalf("%d invoices, problems %v", len(invs), problems)
	}
	if invs[0].File != "lot.zip/janvier/FA-2026-0142.pdf" || invs[1].Number != "FA-2026-0150" {
		t.Errorf("%s %s", invs[0].File, invs[1].Number)
	}
}

// refused reads files and returns the one problem expected.
func refused(t *testing.T, files ...Source) *Problem {
	t.Helper()
	invs, problems := readAll(t, files...)
	if len(problems) != 1 || len(invs) != 0 {
		t.Fatalf("want one refusal, got %d invoices and %v", len(invs), problems)
	}
	return problems[0]
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	cii := string(sample(t, "facturx-en16931.xml"))
	ubl := string(sample(t, "ubl-invoice.xml"))
	// A deflate stream of 11 MiB of zeros, a few kilobytes in the zip.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("FA-1.xml")
	_, _ = w.Write([]byte("<a>"))
	zeros := make([]byte, 1<<20)
	for range 11 { // past the 10 MiB an entry may inflate to
		_, _ = w.Write(zeros)
	}
	_ = zw.Close()
	many := make([]Source, DefaultLimits.Files+1)
	for i := range many {
		many[i] = Source{Name: "F" + strings.Repeat("x", i%7) + ".xml", Data: []byte(ubl)}
	}
	pdfNoInvoice := func() []byte {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddPage()
		var b bytes.Buffer
		_ = pdf.Output(&b)
		return b.Bytes()
	}()
	cases := []struct {
		name            string
		files           []Source
		element, reason string
	}{
		{"pdf that is not", []Source{{"FA.pdf", []byte("<Invoice/>")}}, "", "n'est pas un PDF"},
		{"xml that is a pdf", []Source{{"FA.xml", facturX(t, []byte(cii))}}, "", "n'est pas du XML"},
		{"zip that is not", []Source{{"lot.zip", []byte(cii)}}, "", "n'est pas une archive zip"},
		{"unknown kind", []Source{{"FA.docx", []byte("PK\x03\x04")}}, "", "type de fichier refusé"},
		{"billion laughs", []Source{{"FA.xml", []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`)}}, "DOCTYPE", "bombes XML"},
		{"external entity", []Source{{"FA.xml", []byte(strings.Replace(cii, "<rsm:CrossIndustryInvoice", `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rsm:CrossIndustryInvoice`, 1))}}, "DOCTYPE", "entités externes"},
		{"malformed", []Source{{"FA.xml", []byte(strings.Replace(cii, "</ram:TypeCode>", "</ram:Type>", 1))}}, "ligne 16", "XML mal formé"},
		{"zip bomb", []Source{{"lot.zip", bomb.Bytes()}}, "", "une fois décompressée"},
		{"too many", many, "", "plus de 500 factures"},
		{"entry name", []Source{{"lot.zip", zipOf(t, Source{"FA\u202e.xml", []byte(ubl)})}}, "", "nom d'entrée illisible"},
		{"zip in zip", []Source{{"lot.zip", zipOf(t, Source{"inner.zip", zipOf(t, Source{"a.xml", []byte(ubl)})})}}, "", "une archive dans l'archive"},
		{"not an invoice", []Source{{"FA.xml", []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>`)}}, "Document", "ni UBL 2.1"},
		{"pdf without invoice", []Source{{"FA.pdf", pdfNoInvoice}}, "EmbeddedFiles", "pas une facture Factur-X"},
		{"EN 16931 rule", []Source{{"FA.xml", []byte(strings.Replace(cii, "<ram:GrandTotalAmount>1800.00", "<ram:GrandTotalAmount>1900.00", 1))}}, "BR-CO-15", "règle EN 16931 BR-CO-15"},
		{"minimum profile", []Source{{"FA.xml", []byte(strings.Replace(cii, "urn:cen.eu:en16931:2017</ram:ID>", "urn:factur-x.eu:1p0:minimum</ram:ID>", 1))}}, "BT-24", "MINIMUM"},
		{"no profile", []Source{{"FA.xml", []byte(strings.Replace(ubl, "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>", "", 1))}}, "BT-24 cbc:CustomizationID", "ne se déclare pas conforme"},
		{"credit note", []Source{{"AV.xml", []byte(strings.Replace(cii, "<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>381</ram:TypeCode>", 1))}}, "BT-3", "avoir"},
		{"bad buyer SIREN", []Source{{"FA.xml", []byte(strings.Replace(cii, `<ram:ID schemeID="0002">512345679`, `<ram:ID schemeID="0002">512345678`, 1))}}, "BT-47", "SIREN"},
	}
	for _, c := range cases {
		p := refused(t, c.files...)
		if !strings.Contains(p.Element, c.element) || !strings.Contains(p.Reason, c.reason) {
			t.Errorf("%s: got %q (%q), want element %q and a reason with %q", c.name, p.Reason, p.Element, c.element, c.reason)
		}
	}
}

// TestEmbeddedXMLFormsOfLength reads an embedded file whose /Length is an
// indirect object and one whose stream is not compressed, as other
// writers make them.
func TestEmbeddedXMLFormsOfLength(t *testing.T) {
	t.Parallel()
	xml := `<rsm:CrossIndustryInvoice xmlns:rsm="` + nsCII + `"/>`
	pdf := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" +
		"4 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length 5 0 R >>\nstream\n" + xml + "\nendstream\nendobj\n" +
		"5 0 obj\n" + strconv.Itoa(len(xml)) + "\nendobj\n%%EOF\n"
	got, err := embeddedXML([]byte(pdf), 1<<20)
	if err != nil || len(got) != 1 || string(got[0]) != xml {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := embeddedXML([]byte("%PDF-1.7\n1 0 obj << /Encrypt 2 0 R >> endobj"), 1<<20); err == nil || !strings.Contains(err.Error(), "chiffré") {
		t.Errorf("an encrypted PDF: %v", err)
	}
}
