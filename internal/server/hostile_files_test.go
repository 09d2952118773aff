package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// hostile is a kind of text no file may push into the database (NUL:
// PostgreSQL refuses it in text, a 500 if unchecked) or onto a letter
// (controls, bidi overrides, U+FFFD, text past the contract's lengths).
// raw is the text as bytes, xml as a camt.053 or invoice writes it.
type hostile struct{ name, raw, xml string }

var hostiles = []hostile{
	{"NUL", "Dup\x00ont", "Dup&#0;ont"},
	{"invalid UTF-8", "Dup\xffont", "Dup\xffont"},
	{"C0 control", "Dup\x01ont", "Dup&#1;ont"},
	{"C1 control", "Dup\u0085ont", "Dup&#x85;ont"},
	{"bidi override", "Dup\u202Eont", "Dup&#x202E;ont"},
	{"replacement character", "Dup\uFFFDont", "Dup\uFFFDont"},
	{"long", strings.Repeat("Dupont ", 500), strings.Repeat("Dupont ", 500)},
}

// notXML are the hostile texts an XML parser refuses itself: the file is
// refused naming its line.
func (h hostile) notXML() bool {
	return h.name == "NUL" || h.name == "invalid UTF-8" || h.name == "C0 control"
}

// controls are what no stored or echoed text may hold once cleaned.
const controls = "\x00\x01\x1b\u0085\u202E\u2066"

// Electronic invoices (UBL, CII and Factur-X) with hostile text in the
// buyer's name, address, the invoice number and the payment terms: never
// a 5xx; the file refused naming the line (what XML itself refuses) or the
// business term (what a letter could not print, past the contract's
// length), and free text (payment terms) kept cleaned.
func TestHostileTextInEInvoices(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.sellerIsA()
	ubl := string(einvoiceSample(t, "ubl-invoice.xml"))
	cii := string(einvoiceSample(t, "facturx-en16931.xml"))
	type target struct {
		bt     string
		ubl    []string // element contents replaced (">x<" in the file)
		cii    []string
		isText bool // free text: cleaned and kept, not refused
	}
	targets := []target{
		{"BT-44", []string{"Atelier Morel", "Atelier Morel SAS"}, []string{"Garage Lefèvre SARL"}, false},
		{"BG-8", []string{"3 rue Haute"}, []string{"5 rue de la Gare"}, false},
		{"BT-1", []string{"FA-2026-0150"}, []string{"FA-2026-0142"}, false},
		{"BT-20", []string{"45 jours fin de mois, par virement"}, []string{"Paiement à 30 jours date de facture par virement"}, true},
	}
	n := 0
	for _, h := range hostiles {
		for _, tg := range targets {
			for _, syntax := range []string{"ubl", "cii", "factur-x"} {
				if syntax == "factur-x" && h.name != "NUL" && h.name != "bidi override" {
					continue // the same XML inside a PDF: two kinds are enough
				}
				n++
				file, number, targetsOf := ubl, "FA-2026-0150", tg.ubl
				if syntax != "ubl" {
					file, number, targetsOf = cii, "FA-2026-0142", tg.cii
				}
				if tg.bt != "BT-1" { // each upload a new invoice, placed unless refused
					file = strings.ReplaceAll(file, ">"+number+"<", fmt.Sprintf(">FA-H-%d<", n))
				}
				for _, v := range targetsOf {
					file = strings.ReplaceAll(file, ">"+v+"<", ">"+h.xml+"<")
				}
				name, data := "f.xml", []byte(file)
				if syntax == "factur-x" {
					name, data = "f.pdf", facturXPDF(t, data)
				}
				r := w.uploadEInvoices(w.as("agent"), w.credA.ID.String(), namedFile{name, data})
				what := fmt.Sprintf("%s in %s (%s)", h.name, tg.bt, syntax)
				switch {
				case r.Status >= 500:
					t.Fatalf("%s: %d %s", what, r.Status, r.Body)
				case h.notXML():
					if r.Status != 422 || !strings.Contains(string(r.Body), "ligne ") {
						t.Errorf("%s: want 422 naming the line, got %d %s", what, r.Status, r.Body)
					}
				case !tg.isText && h.name != "long" || tg.bt == "BT-1" && h.name == "long" || tg.bt == "BT-44" && h.name == "long":
					if r.Status != 422 || !strings.Contains(string(r.Body), tg.bt) {
						t.Errorf("%s: want 422 naming %s, got %d %s", what, tg.bt, r.Status, r.Body)
					}
				case !tg.isText: // a long address line
					if r.Status != 422 || !strings.Contains(string(r.Body), "200 caractères au plus") {
						t.Errorf("%s: want 422 naming the length, got %d %s", what, r.Status, r.Body)
					}
				default:
					var up oapi.EInvoiceUpload
					if r.Status != 200 {
						t.Errorf("%s: free text is cleaned, not refused: %d %s", what, r.Status, r.Body)
						continue
					}
					r.Decode(t, &up)
					if len(up.Invoices) != 1 || up.Invoices[0].Status != "created" {
						t.Errorf("%s: %s", what, r.Body)
						continue
					}
					terms := up.Invoices[0].PaymentTerms
					if strings.ContainsAny(terms, controls) || !strings.HasPrefix(terms, "Dup") || len(terms) > 4000 {
						t.Errorf("%s: payment terms kept as %q", what, terms)
					}
				}
			}
		}
	}
	// What was stored holds none of it.
	var bad int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE data::text ~ '[\u0001-\u001f\u0085\u202a-\u202e]|\\u00'`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("events holding controls: %d %v", bad, err)
	}
}

// Bank statements with hostile names and remittance information: camt.053
// refuses what XML refuses, naming the element; the rest, and anything in
// a CFONB 120 record (bytes: a NUL, an escape), is stored cleaned and
// bounded.
func TestHostileTextInBankStatements(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	for i, h := range hostiles {
		e := bankfile.Entry{BookedOn: today, AmountCents: 1_00, Credit: true, Unstructured: "MARKERU", DebtorName: "MARKERN"}
		for j, m := range []struct{ marker, element string }{{"MARKERU", "RmtInf/Ustrd"}, {"MARKERN", "Dbtr/Pty/Nm"}} {
			e.Reference = fmt.Sprintf("H%d-%d", i, j)
			camt := string(camtFile(t, "STMT-"+e.Reference, today, e))
			r := w.importStatement(w.as("admin"), "r.xml", []byte(strings.Replace(camt, m.marker, h.xml, 1)), "")
			switch {
			case h.notXML():
				if r.Status != 422 || !strings.Contains(string(r.Body), m.element) {
					t.Errorf("camt %s in %s: want 422 naming it, got %d %s", h.name, m.element, r.Status, r.Body)
				}
			case r.Status != 201:
				t.Errorf("camt %s in %s: want 201 (cleaned), got %d %s", h.name, m.element, r.Status, r.Body)
			}
		}
		for j, m := range []string{"MARKERU", "MARKERN"} {
			e.Reference = fmt.Sprintf("C%d-%d", i, j)
			cf := cfonbFile(t, today, e)
			v := (h.raw + "       ")[:7] // a CFONB record is 120 bytes: the marker's 7 replaced in place
			r := w.importStatement(w.as("admin"), "r.txt", []byte(strings.Replace(string(cf), m, v, 1)), "")
			if r.Status != 201 {
				t.Errorf("CFONB %s in %s: want 201 (cleaned), got %d %s", h.name, m, r.Status, r.Body)
			}
		}
	}
	var n, bad, longest int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE debtor_name || unstructured ~ '[\u0001-\u001f\u007f-\u009f\u202a-\u202e]'),
		max(greatest(length(debtor_name), length(unstructured))) FROM bank_entries`).Scan(&n, &bad, &longest); err != nil || n == 0 || bad != 0 || longest > 500 {
		t.Errorf("bank entries: %d, %d holding controls, longest text %d (%v)", n, bad, longest, err)
	}
}

// Placement files: a NUL anywhere in a CSV refuses it at the upload,
// naming its line; controls, bidi overrides, U+FFFD and values past the
// contract's lengths refuse their row, named in the preview and counted by
// the job, while the good row is placed.
func TestHostileTextInPlacementFiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.as("agent")
	head := placementRows[0]
	row := func(i int, edit func([]string)) []string {
		r := append([]string(nil), placementRows[1]...)
		r[5], r[9] = fmt.Sprintf("F-H%d", i), fmt.Sprintf("R-H%d", i)
		edit(r)
		return r
	}
	nul := csvBytes(t, [][]string{head, row(1, func([]string) {}), row(2, func(r []string) { r[0] = "Dup\x00ont" })}, ';', false)
	if r := w.uploadImport(c, w.credA.ID.String(), "nul.csv", nul); r.Status != 422 || !strings.Contains(string(r.Body), "ligne 3") || !strings.Contains(string(r.Body), "NUL") {
		t.Errorf("NUL on line 3: want 422 naming it, got %d %s", r.Status, r.Body)
	}
	rows := [][]string{head,
		row(1, func(r []string) { r[0] = "Dup\u0085ont" }),
		row(2, func(r []string) { r[2] = "3 rue\u202E Haute" }),
		row(3, func(r []string) { r[5] = "F-\uFFFD" }),
		row(4, func(r []string) { r[0] = strings.Repeat("Dupont ", 40) }),
		row(5, func(r []string) { r[9] = strings.Repeat("R", 101) }),
		row(6, func(r []string) { r[5] = strings.Repeat("F", 101) }),
		row(7, func(r []string) { r[4] = strings.Repeat("Lyon", 30) }),
		row(8, func([]string) {}),
	}
	imp := w.runImport(c, w.credA.ID.String(), "hostile.csv", csvBytes(t, rows, ';', false))
	if imp.Status != oapi.PlacementImportStatusDone || imp.PlacedRows != 1 || imp.RefusedRows != len(rows)-2 {
		t.Fatalf("import: %s placed %d refused %d (%s)", imp.Status, imp.PlacedRows, imp.RefusedRows, deref(&[]string{imp.Error})[0])
	}
	for _, p := range imp.Preview {
		if p.Line < len(rows) && len(p.Problems) == 0 {
			t.Errorf("line %d shown without its problem: %q", p.Line, p.Cells)
		}
	}
}

// The post's list of registered numbers with hostile text in its cells:
// each line refused with its number, the cell echoed cleaned.
func TestHostileTextInRegisteredNumbers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	pass := uuid.MustParse(w.letterPass())
	var csv strings.Builder
	csv.WriteString("reference;numero\n")
	for _, h := range hostiles {
		csv.WriteString(h.raw + ";1A 123 456 7890 1\n")
		csv.WriteString(w.caseA.Case.Reference + ";" + h.raw + "\n")
	}
	r := w.registeredCSV(w.as("admin"), pass, csv.String())
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), `\u0000`) || strings.ContainsAny(string(r.Body), controls) {
		t.Errorf("a control echoed: %s", r.Body)
	}
	var res oapi.RegisteredNumbersResult
	r.Decode(t, &res)
	if res.Recorded != 0 || len(res.Refused) != 2*len(hostiles) {
		t.Fatalf("%+v", res)
	}
	for i, f := range res.Refused {
		if f.Line != i+2 || len(f.Message) > 400 {
			t.Errorf("refusal %d: line %d, %d bytes", i, f.Line, len(f.Message))
		}
	}
}
