package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// placementRows are the rows of the test files: three good ones (two
// invoices of one company, one of a company without SIREN) and three bad.
var placementRows = [][]string{
	{"Raison sociale", "SIREN", "Adresse", "Code postal", "Ville", "Numéro de facture", "Date de facture", "Échéance", "Montant TTC", "Référence", "Courriel"},
	{"Garage Lefèvre SARL", "443 061 841", "5 rue de la Gare", "69007", "Lyon", "F-100", "15/01/2026", "15/02/2026", "1 234,56", "R-1", "compta@lefevre.fr"},
	{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-101", "20/01/2026", "20/02/2026", "600,00", "R-1", ""},
	{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-200", "2026-01-10", "2026-02-10", "80.50", "R-2", ""},
	{"Société Inconnue", "123456789", "1 rue X", "13001", "Marseille", "F-300", "01/01/2026", "01/02/2026", "10,00", "R-3", ""},
	{"Café du Port", "", "2 quai Sud", "29200", "Brest", "F-400", "31/02/2026", "01/03/2026", "50,00", "R-4", ""},
	{"Boucherie Morel", "", "3 rue Haute", "35000", "Rennes", "F-500", "01/01/2026", "01/02/2026", "beaucoup", "R-5", ""},
}

func csvBytes(t testing.TB, rows [][]string, sep rune, win1252 bool) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = sep
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if !win1252 {
		return append([]byte("\xEF\xBB\xBF"), b.Bytes()...)
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func xlsxBytes(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	// A real date cell and a number cell, as an accounting export writes them.
	if err := f.SetCellValue("Sheet1", "G2", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Sheet1", "I2", 1234.56); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (w *world) uploadImport(c *apitest.Client, creditor, name string, data []byte) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if creditor != "" {
		_ = mw.WriteField("creditor_id", creditor)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return c.Do("POST", "/api/v1/imports", body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// runImport uploads, runs and waits for an import; it returns it finished.
func (w *world) runImport(c *apitest.Client, creditor, name string, data []byte) oapi.PlacementImport {
	w.t.Helper()
	r := w.uploadImport(c, creditor, name, data)
	if r.Status != 201 {
		w.t.Fatalf("upload %s: %d %s", name, r.Status, r.Body)
	}
	var imp oapi.PlacementImport
	r.Decode(w.t, &imp)
	if r := c.Do("POST", "/api/v1/imports/"+imp.Id.String()+"/run", nil); r.Status != 202 {
		w.t.Fatalf("run: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := c.Do("GET", "/api/v1/imports/"+imp.Id.String(), nil)
		if r.Status != 200 {
			w.t.Fatalf("get import: %d %s", r.Status, r.Body)
		}
		r.Decode(w.t, &imp)
		if imp.Status == oapi.PlacementImportStatusDone || imp.Status == oapi.PlacementImportStatusFailed {
			return imp
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatalf("import %s still %s", imp.Id, imp.Status)
	return imp
}

func TestPlacementImportCSVAndXLSXTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	creditor := w.as("creditor")

	// The preview marks the bad cells under the guessed mapping.
	r := w.uploadImport(creditor, "", "impayes.csv", csvBytes(t, placementRows, ';', false))
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var up oapi.PlacementImport
	r.Decode(t, &up)
	if up.Encoding != "utf-8" || up.Separator != ";" || up.Mapping.Siren == nil || *up.Mapping.Siren != 1 || up.Mapping.Email == nil ||
		up.Mapping.Amount == nil || *up.Mapping.Amount != 8 || len(up.Preview) != 6 {
		t.Fatalf("upload: %+v", up)
	}
	problems := map[int]string{}
	for _, row := range up.Preview {
		for _, p := range row.Problems {
			problems[row.Line] += p.Field + ","
		}
	}
	if problems[2] != "" || problems[5] != "siren," || problems[6] != "issued_on," || problems[7] != "amount," {
		t.Fatalf("problems per line: %v", problems)
	}

	first := w.runImport(creditor, "", "impayes.csv", csvBytes(t, placementRows, ';', false))
	if first.PlacedRows != 3 || first.RefusedRows != 3 || first.PresentRows != 0 || first.CasesCreated != 2 || first.TotalRows != 6 {
		t.Fatalf("first import: %+v", first)
	}
	// The cases as the API shows them: one per debtor, the claims' total.
	var list struct {
		Items []struct {
			Reference         string `json:"reference"`
			CreditorReference string `json:"creditor_reference"`
			PrincipalCents    int64  `json:"principal_cents"`
		} `json:"items"`
	}
	creditor.Do("GET", "/api/v1/cases?q=R-1", nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].PrincipalCents != 183456 {
		t.Fatalf("case R-1: %+v", list.Items)
	}

	// The same rows again, in Windows-1252 with commas, then tabs, then
	// XLSX: nothing is placed twice.
	for _, f := range []struct {
		name string
		data []byte
		enc  string
	}{
		{"impayes-1252.csv", csvBytes(t, placementRows, ',', true), "windows-1252"},
		{"impayes-tab.txt", csvBytes(t, placementRows, '\t', false), "utf-8"},
		{"impayes.xlsx", xlsxBytes(t, placementRows), ""},
	} {
		again := w.runImport(creditor, "", f.name, f.data)
		if again.PlacedRows != 0 || again.PresentRows != 3 || again.RefusedRows != 3 || again.Encoding != f.enc {
			t.Fatalf("%s: %+v", f.name, again)
		}
	}

	// A changed amount is refused and reported, not applied; a new
	// invoice is placed (by the agent, naming the creditor).
	changed := [][]string{placementRows[0],
		{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-100", "15/01/2026", "15/02/2026", "1 300,00", "R-1", ""},
		{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-201", "2026-03-10", "2026-04-10", "=1+2", "R-2", ""},
		{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-202", "10/03/2026", "10/04/2026", "99,99", "R-2", ""},
	}
	third := w.runImport(w.as("agent"), w.credA.ID.String(), "corrections.csv", csvBytes(t, changed, ';', false))
	if third.PlacedRows != 1 || third.RefusedRows != 2 || third.PresentRows != 0 || third.CasesCreated != 0 {
		t.Fatalf("changed amount: %+v", third)
	}
	creditor.Do("GET", "/api/v1/cases?q=R-1", nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].PrincipalCents != 183456 {
		t.Fatalf("the changed amount was applied: %+v", list.Items)
	}

	// The refused rows, ready to be corrected: French headers, the line,
	// the reason; a formula-like cell is neutralised.
	code, body := w.get("creditor", "/api/v1/imports/"+third.Id.String()+"/refused")
	if code != 200 {
		t.Fatalf("refused rows: %d %s", code, body)
	}
	recs := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\xEF\xBB\xBF")))
	recs.Comma = ';'
	all, err := recs.ReadAll()
	if err != nil || len(all) != 3 {
		t.Fatalf("refused file: %v %q", err, body)
	}
	if all[0][0] != "ligne" || all[0][len(all[0])-1] != "motif du refus" || all[1][0] != "2" || !strings.Contains(all[1][len(all[1])-1], "Montant modifié") ||
		!strings.Contains(all[1][len(all[1])-1], "1234,56") || all[2][0] != "3" || !strings.Contains(string(body), ";'=1+2;") {
		t.Fatalf("refused file: %q", all)
	}
	// The refused file itself is a valid placement file (its headers map).
	fix := w.uploadImport(creditor, "", "lignes-refusees.csv", body)
	if fix.Status != 201 {
		t.Fatalf("re-upload of the refused rows: %d %s", fix.Status, fix.Body)
	}
	var re oapi.PlacementImport
	fix.Decode(t, &re)
	if re.Mapping.InvoiceNumber == nil || *re.Mapping.InvoiceNumber != 10 || re.Mapping.Amount == nil || re.Mapping.DueOn == nil {
		t.Fatalf("refused file's mapping: %+v", re.Mapping)
	}

	// A new invoice under a reference already placed joins its case.
	creditor.Do("GET", "/api/v1/cases?q=R-2", nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].PrincipalCents != 8050+9999 {
		t.Fatalf("case R-2: %+v", list.Items)
	}
	// The timeline shows the case opened and each invoice added.
	var evs struct {
		Items []struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	creditor.Do("GET", "/api/v1/cases/"+mustCaseID(t, w, creditor, "R-2")+"/events", nil).Decode(t, &evs)
	if len(evs.Items) != 3 || evs.Items[0].Type != "case_created" {
		t.Fatalf("timeline of the imported case: %+v", evs.Items)
	}
}

func mustCaseID(t *testing.T, w *world, c *apitest.Client, q string) string {
	t.Helper()
	var list struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
	}
	c.Do("GET", "/api/v1/cases?q="+q, nil).Decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("cases for %s: %+v", q, list.Items)
	}
	return list.Items[0].ID.String()
}

func TestPlacementImportRefusesBadFilesAndOthersCreditors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	creditor := w.as("creditor")
	good := csvBytes(t, placementRows[:2], ';', false)
	for _, c := range []struct {
		name, creditor string
		data           []byte
		as             string
		status         int
		want           string
	}{
		{"impayes.xlsx", "", good, "creditor", 422, "XLSX"},                             // not the kind declared
		{"impayes.csv", "", xlsxBytes(t, placementRows), "creditor", 422, "XLSX"},       // a workbook named .csv
		{"impayes.pdf", "", []byte("%PDF-1.7"), "creditor", 422, "csv"},                 // not a placement file
		{"impayes.csv", "", []byte("a\x81b;c\nd;e\n"), "creditor", 422, "ligne 1"},      // neither encoding
		{"impayes.csv", "", []byte("foo;bar;baz\n1;2;3\n"), "creditor", 422, "ligne 1"}, // headers mapping to nothing
		{"impayes.csv", "", []byte(""), "creditor", 422, "vide"},                        // empty
		{"impayes.csv", w.credB.ID.String(), good, "creditor", 403, "lui-même"},         // another creditor's
		{"impayes.csv", "", good, "agent", 422, "créancier"},                            // staff must name it
		{"impayes.csv", uuid.NewString(), good, "agent", 422, "créancier"},              // an unknown one
		{"impayes.csv", "", good, "lawyer", 403, ""},                                    // not a lawyer's work
	} {
		r := w.uploadImport(w.as(c.as), c.creditor, c.name, c.data)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s as %s for %q: %d %s", c.name, c.as, c.creditor, r.Status, r.Body)
		}
	}
	// Another creditor's import is not found; a bad mapping is refused.
	r := w.uploadImport(creditor, "", "impayes.csv", good)
	var imp oapi.PlacementImport
	r.Decode(t, &imp)
	if r := w.as("creditor_b").Do("GET", "/api/v1/imports/"+imp.Id.String(), nil); r.Status != 404 {
		t.Fatalf("another creditor's import: %d %s", r.Status, r.Body)
	}
	if code, _ := w.get("creditor_b", "/api/v1/imports/"+imp.Id.String()+"/refused"); code != 404 {
		t.Fatalf("another creditor's refused rows: %d", code)
	}
	if r := creditor.Do("PUT", "/api/v1/imports/"+imp.Id.String()+"/mapping", map[string]any{"mapping": map[string]int{"debtor_name": 0, "invoice_number": 0}}); r.Status != 422 {
		t.Fatalf("bad mapping: %d %s", r.Status, r.Body)
	}
	// A mapping chosen is saved for the creditor's next file.
	m := map[string]int{"debtor_name": 0, "invoice_number": 5, "issued_on": 6, "due_on": 7, "amount": 8, "reference": 9}
	if r := creditor.Do("PUT", "/api/v1/imports/"+imp.Id.String()+"/mapping", map[string]any{"mapping": m}); r.Status != 200 {
		t.Fatalf("mapping: %d %s", r.Status, r.Body)
	}
	r = w.uploadImport(creditor, "", "impayes.csv", good)
	r.Decode(t, &imp)
	if imp.Mapping.Siren == nil || imp.Mapping.Reference == nil || *imp.Mapping.Reference != 9 {
		t.Fatalf("saved mapping: %+v", imp.Mapping)
	}
}

// importFor uploads a two-row placement file for creditor and returns the
// import's id (not run).
func (w *world) importFor(creditor uuid.UUID) uuid.UUID {
	w.t.Helper()
	v, err := w.svc.UploadImport(context.Background(), app.System, &creditor, "impayes.csv", bytes.NewReader(csvBytes(w.t, placementRows[:3], ';', false)))
	if err != nil {
		w.t.Fatal(err)
	}
	return v.ID
}

// uploadImportAs uploads a file for creditor A as principal as (staff name it).
func (w *world) uploadImportAs(c *apitest.Client, as string) *apitest.Response {
	creditor := ""
	if as != "creditor" && as != "api_key" {
		creditor = w.credA.ID.String()
	}
	return w.uploadImport(c, creditor, "impayes.csv", csvBytes(w.t, placementRows[:3], ';', false))
}

// rawGet is w.get as an apitest.Response for the access matrix.
func (w *world) rawGet(as, path string) *apitest.Response {
	status, body := w.get(as, path)
	return &apitest.Response{Status: status, Body: body, Header: http.Header{"Content-Type": {"application/problem+json"}}}
}

func TestCaseExportStreamsTheFilteredListWithoutFormulas(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	evil := w.newCase(w.credA.ID, "=HYPERLINK(\"http://evil.test\";\"Payer\")", "")
	_ = evil
	for _, as := range []string{"creditor", "admin"} {
		code, body := w.get(as, "/api/v1/cases/export?format=csv&sort=reference&order=asc")
		if code != 200 {
			t.Fatalf("%s csv export: %d %s", as, code, body)
		}
		text := strings.TrimPrefix(string(body), "\xEF\xBB\xBF")
		if !strings.HasPrefix(text, "référence;référence créancier;débiteur;") || !strings.Contains(text, `"'=HYPERLINK(""http://evil.test"";""Payer"")"`) ||
			strings.Contains(text, ";=HYPERLINK") || !strings.Contains(text, w.caseA.Case.Reference) {
			t.Fatalf("%s csv export: %s", as, text)
		}
		if as == "creditor" && strings.Contains(text, w.caseB.Case.Reference) {
			t.Fatalf("a creditor's export carries another's case: %s", text)
		}
		if as == "admin" && !strings.Contains(text, w.caseB.Case.Reference) {
			t.Fatalf("the agency's export misses a case: %s", text)
		}
	}
	// The list's filters apply: the debtor searched for only.
	_, body := w.get("creditor", "/api/v1/cases/export?q=Scierie")
	if n := strings.Count(string(body), "\r\n"); n != 2 {
		t.Fatalf("filtered export: %d lines: %s", n, body)
	}
	code, body := w.get("creditor", "/api/v1/cases/export?format=xlsx")
	if code != 200 {
		t.Fatalf("xlsx export: %d %s", code, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Dossiers")
	found := false
	for i, r := range rows {
		if len(r) > 2 && strings.HasPrefix(r[2], "=HYPERLINK") {
			cell, _ := excelize.CoordinatesToCellName(3, i+1)
			if formula, _ := f.GetCellFormula("Dossiers", cell); formula != "" {
				t.Fatalf("written as a formula: %q", formula)
			}
			found = true
		}
	}
	if !found || len(rows) != 3 {
		t.Fatalf("xlsx rows: %q", rows)
	}
	// A case's timeline, as the creditor sees it.
	code, body = w.get("creditor", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/events/export")
	if text := string(body); code != 200 || !strings.Contains(text, "date;heure (UTC);événement;visibilité;détails") ||
		!strings.Contains(text, ";case_created;partagé;") || !strings.Contains(text, ";claim_added;partagé;") || strings.Contains(text, "interne") {
		t.Fatalf("timeline export: %d %s", code, body)
	}
	if code, _ := w.get("creditor", "/api/v1/cases/"+w.caseB.Case.ID.String()+"/events/export?format=xlsx"); code != 404 {
		t.Fatalf("another creditor's timeline: %d", code)
	}
	if code, _ := w.get("creditor", "/api/v1/cases/export?format=pdf"); code != 422 {
		t.Fatalf("unknown format: %d", code)
	}
}
