package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// The sellers' SIREN in the samples of internal/einvoice/testdata: creditor
// A is given it, as an admin enters a creditor's identifiers.
const sampleSellerSIREN = "404833048"

func einvoiceSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../einvoice/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// facturXPDF embeds a CII invoice in a PDF as Factur-X does (an attached
// file, FlateDecode-compressed).
func facturXPDF(t testing.TB, cii []byte) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAttachments([]fpdf.Attachment{{Content: cii, Filename: "factur-x.xml", Description: "Factur-X"}})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	pdf.Cell(0, 10, "Facture")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type namedFile struct {
	name string
	data []byte
}

func zipFiles(t testing.TB, files ...namedFile) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sellerIsA gives creditor A the samples' seller SIREN.
func (w *world) sellerIsA() {
	w.t.Helper()
	if _, err := w.db.Pool.Exec(context.Background(), `UPDATE creditors SET siren = $2 WHERE id = $1`, w.credA.ID, sampleSellerSIREN); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) uploadEInvoices(c *apitest.Client, creditor string, files ...namedFile) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if creditor != "" {
		_ = mw.WriteField("creditor_id", creditor)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("file", f.name)
		_, _ = fw.Write(f.data)
	}
	_ = mw.Close()
	return c.Do("POST", "/api/v1/e-invoices", body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// uploadEInvoiceAs is the access matrix's call: the UBL sample for A.
func (w *world) uploadEInvoiceAs(c *apitest.Client, as string) *apitest.Response {
	w.sellerIsA()
	creditor := ""
	if as != "creditor" && as != "api_key" {
		creditor = w.credA.ID.String()
	}
	return w.uploadEInvoices(c, creditor, namedFile{"FA-2026-0150.xml", einvoiceSample(w.t, "ubl-invoice.xml")})
}

// countCases counts creditor A's cases.
func (w *world) countCasesOfA() int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM cases WHERE creditor_id = $1`, w.credA.ID).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestEInvoicesPlaceClaimsWithTheirOriginal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.sellerIsA()
	creditor := w.as("creditor")
	cii := einvoiceSample(t, "facturx-en16931.xml")
	ubl := einvoiceSample(t, "ubl-invoice.xml")

	// A Factur-X PDF and a UBL invoice, two parts of one request.
	r := w.uploadEInvoices(creditor, "", namedFile{"FA-2026-0142.pdf", facturXPDF(t, cii)}, namedFile{"FA-2026-0150.xml", ubl})
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var up oapi.EInvoiceUpload
	r.Decode(t, &up)
	if up.Created != 2 || up.Present != 0 || up.CasesCreated != 2 || len(up.Invoices) != 2 {
		t.Fatalf("first upload: %+v", up)
	}
	fx, u := up.Invoices[0], up.Invoices[1]
	if fx.Status != "created" || fx.Syntax != "factur-x" || fx.InvoiceNumber != "FA-2026-0142" || fx.AmountCents != 180000 || fx.VatCents != 30000 ||
		fx.NetCents != 150000 || fx.DueOn.String() != "2026-02-14" || fx.DebtorSiren != "512345679" || fx.PaymentTerms == "" {
		t.Errorf("Factur-X outcome %+v", fx)
	}
	if u.Syntax != "ubl" || u.AmountCents != 68500 || u.GrossCents != 88500 || u.DebtorName != "Atelier Morel" {
		t.Errorf("UBL outcome %+v", u)
	}

	// The case: the buyer as debtor with its SIREN and address, the claim
	// with its dates and VAT, the reference its account number at the seller.
	var c oapi.Case
	if r := creditor.Do("GET", "/api/v1/cases/"+fx.CaseId.String(), nil); r.Status != 200 {
		t.Fatalf("case: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &c)
	}
	if c.Debtor.Siren != "512345679" || c.Debtor.Name != "Garage Lefèvre SARL" || str(c.Debtor.Address.City) != "Lyon" || str(c.Debtor.Address.PostalCode) != "69007" ||
		c.CreditorReference != "CLI-0042" || len(c.Claims) != 1 || c.PrincipalCents != 180000 {
		t.Fatalf("case from the Factur-X: %+v", c)
	}
	if cl := c.Claims[0]; cl.InvoiceNumber != "FA-2026-0142" || cl.IssuedOn.String() != "2026-01-15" || cl.DueOn.String() != "2026-02-14" || cl.VatCents != 30000 {
		t.Errorf("claim %+v", cl)
	}
	// The UBL's 200 € paid on account: the claim is what is due, its VAT in proportion.
	if r := creditor.Do("GET", "/api/v1/cases/"+u.CaseId.String(), nil); r.Status == 200 {
		var uc oapi.Case
		r.Decode(t, &uc)
		if len(uc.Claims) != 1 || uc.Claims[0].AmountCents != 68500 || uc.Claims[0].VatCents != 10449 {
			t.Errorf("UBL claim %+v", uc.Claims)
		}
	}

	// The original is the invoice's exhibit: the PDF as sent, named after
	// the invoice; the UBL's XML served back as application/xml.
	var docs oapi.ListDocuments200JSONResponse
	if r := creditor.Do("GET", "/api/v1/cases/"+fx.CaseId.String()+"/documents", nil); r.Status != 200 {
		t.Fatalf("documents: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &docs)
	}
	if len(docs.Items) != 1 || docs.Items[0].Kind != "invoice" || docs.Items[0].MediaType != "application/pdf" || !strings.Contains(docs.Items[0].FileName, "FA-2026-0142") {
		t.Fatalf("exhibit %+v", docs.Items)
	}
	if code, body := w.get("creditor", "/api/v1/documents/"+u.DocumentId.MustGet().String()+"/content"); code != 200 || !bytes.Equal(body, ubl) {
		t.Errorf("the UBL original: %d, %d bytes", code, len(body))
	}

	// Again, zipped with a new invoice of the same buyer: the old one is
	// present, the new one joins the buyer's case under its reference.
	cii2 := bytes.ReplaceAll(cii, []byte("FA-2026-0142"), []byte("FA-2026-0143"))
	before := w.countCasesOfA()
	r = w.uploadEInvoices(creditor, "", namedFile{"janvier.zip", zipFiles(t, namedFile{"FA-2026-0142.pdf", facturXPDF(t, cii)}, namedFile{"FA-2026-0143.xml", cii2})})
	if r.Status != 200 {
		t.Fatalf("zip: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &up)
	if up.Created != 1 || up.Present != 1 || up.CasesCreated != 0 || w.countCasesOfA() != before {
		t.Fatalf("zip upload: %+v", up)
	}
	for _, o := range up.Invoices {
		if o.CaseId != fx.CaseId {
			t.Errorf("%s went to case %s, not the buyer's %s", o.InvoiceNumber, o.CaseReference, fx.CaseReference)
		}
		if o.InvoiceNumber == "FA-2026-0142" && (o.Status != "present" || o.DocumentId.IsSpecified() && !o.DocumentId.IsNull()) {
			t.Errorf("the invoice sent twice: %+v", o)
		}
	}

	// The same new invoice sent twice at once is placed once.
	cii3 := namedFile{"FA-2026-0144.xml", bytes.ReplaceAll(cii, []byte("FA-2026-0142"), []byte("FA-2026-0144"))}
	results := make(chan oapi.EInvoiceUpload, 2)
	for range 2 {
		go func() {
			var u oapi.EInvoiceUpload
			if r := w.uploadEInvoices(w.as("creditor"), "", cii3); r.Status == 200 {
				r.Decode(t, &u)
			}
			results <- u
		}()
	}
	a, b := <-results, <-results
	if a.Created+b.Created != 1 || a.Present+b.Present != 1 {
		t.Errorf("concurrent uploads of one invoice: %+v and %+v", a, b)
	}
}

func TestEInvoicesRefusedWholeWithTheReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.sellerIsA()
	creditor := w.as("creditor")
	cii := string(einvoiceSample(t, "facturx-en16931.xml"))
	good := namedFile{"FA-2026-0150.xml", einvoiceSample(t, "ubl-invoice.xml")}
	otherSeller := strings.NewReplacer("<ram:Name>Menuiserie Dupont SARL</ram:Name>", "<ram:Name>Ébénisterie Concurrente SAS</ram:Name>",
		`<ram:ID schemeID="0002">404833048</ram:ID>`, `<ram:ID schemeID="0002">823164421</ram:ID>`, "FR83404833048", "FR54823164421").Replace(cii)
	before := w.countCasesOfA()
	cases := []struct {
		name   string
		files  []namedFile
		field  string
		detail string
	}{
		{"another seller", []namedFile{good, {"FA-X.xml", []byte(otherSeller)}}, "form.file:FA-X.xml", "Ébénisterie Concurrente SAS (SIREN 823164421), pas par Menuiserie Dupont SARL"},
		{"XML bomb", []namedFile{good, {"bombe.xml", []byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>`)}}, "form.file:bombe.xml", "bombes XML"},
		{"not the kind declared", []namedFile{{"facture.pdf", []byte(cii)}}, "form.file:facture.pdf", "n'est pas un PDF"},
		{"EN 16931 rule", []namedFile{{"FA.xml", []byte(strings.Replace(cii, "<ram:TaxBasisTotalAmount>1500.00", "<ram:TaxBasisTotalAmount>1400.00", 1))}}, "form.file:FA.xml", "BR-CO-"},
		{"in a zip", []namedFile{{"lot.zip", zipFiles(t, namedFile{"ok.xml", good.data}, namedFile{"notes.txt", []byte("x")})}}, "form.file:lot.zip/notes.txt", ".pdf (Factur-X)"},
	}
	for _, c := range cases {
		r := w.uploadEInvoices(creditor, "", c.files...)
		if r.Status != 422 {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		var p oapi.Problem
		r.Decode(t, &p)
		found := false
		for _, f := range deref(p.Errors) {
			found = found || (f.Field != nil && *f.Field == c.field && strings.Contains(f.Message, c.detail))
		}
		if !found {
			t.Errorf("%s: want %s with %q, got %s", c.name, c.field, c.detail, r.Body)
		}
	}
	if n := w.countCasesOfA(); n != before {
		t.Fatalf("refused uploads placed %d cases", n-before)
	}
	// Placed once, the same number with another amount is refused and the case unchanged.
	if r := w.uploadEInvoices(creditor, "", good); r.Status != 200 {
		t.Fatalf("good: %d %s", r.Status, r.Body)
	}
	changed := strings.NewReplacer("<cbc:PrepaidAmount currencyID=\"EUR\">200.00", "<cbc:PrepaidAmount currencyID=\"EUR\">100.00",
		"<cbc:PayableAmount currencyID=\"EUR\">685.00", "<cbc:PayableAmount currencyID=\"EUR\">785.00").Replace(string(good.data))
	r := w.uploadEInvoices(creditor, "", namedFile{"FA-2026-0150-bis.xml", []byte(changed)})
	if r.Status != 422 || !strings.Contains(string(r.Body), "montant modifié") {
		t.Errorf("changed amount: %d %s", r.Status, r.Body)
	}
	// Creditor B's people cannot place A's invoices: B has no SIREN of A.
	if r := w.uploadEInvoices(w.as("creditor_b"), "", good); r.Status != 422 {
		t.Errorf("creditor B: %d %s", r.Status, r.Body)
	}
	if r := w.uploadEInvoices(creditor, w.credB.ID.String(), good); r.Status != 403 {
		t.Errorf("creditor A naming B: %d %s", r.Status, r.Body)
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
