package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestMoneyExports: every accounting list downloads as CSV and XLSX with
// the figures of its JSON report, in the caller's scope, and a creditor's
// name that looks like a formula stays text.
func TestMoneyExports(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.exec(t, "UPDATE creditors SET legal_name = '@Menuiserie Dupont', commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR1420041010050500013M02606' WHERE id = '"+w.credA.ID.String()+"'")
	w.exec(t, "UPDATE creditors SET legal_name = '=SUM(1+1) Boulangerie' WHERE id = '"+w.credB.ID.String()+"'")
	w.payToday(w.caseA.Case.ID, 50000)
	w.payToday(w.caseB.Case.ID, 20000)
	admin := w.as("admin")
	var run oapi.RemittanceRun
	if r := admin.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": w.credA.ID}); r.Status != 201 {
		t.Fatalf("draw up: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &run)
	}
	if r := admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/book", nil); r.Status != 200 {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	csv := func(as, path string, want int) string {
		t.Helper()
		code, body := w.get(as, path)
		if code != want {
			t.Fatalf("%s %s: %d %s", as, path, code, body)
		}
		return strings.TrimPrefix(string(body), "\xEF\xBB\xBF")
	}
	has := func(what, text string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Fatalf("%s: no %q in\n%s", what, p, text)
			}
		}
	}

	// Balances: B's funds held (A's were remitted), B's name neutralised.
	text := csv("admin", "/api/v1/ledger/balances/export", 200)
	has("balances", text, "créancier;identifiant;devise;fonds détenus;", "'=SUM(1+1) Boulangerie;"+w.credB.ID.String()+";EUR;200,00;")
	if strings.Contains(text, w.credA.ID.String()) {
		t.Fatalf("A has nothing held after its remittance:\n%s", text)
	}
	if text := csv("creditor", "/api/v1/ledger/balances/export", 200); strings.Contains(text, w.credB.ID.String()) {
		t.Fatalf("creditor A sees B's balance:\n%s", text)
	}

	// Entries: the payments and the remittance, debit and credit apart; a
	// creditor its own accounts only.
	text = csv("admin", "/api/v1/ledger/entries/export", 200)
	has("entries", text, "n°;date comptable;opération;transaction;compte;créancier;débit;crédit;", ";encaissement;", ";reversement;",
		";banque — compte clients;"+w.credA.ID.String()+";500,00;;EUR;", ";dû au créancier;"+w.credA.ID.String()+";;500,00;EUR;",
		";TVA collectée;"+w.credA.ID.String()+";;11,00;EUR;")
	text = csv("creditor", "/api/v1/ledger/entries/export", 200)
	if !strings.Contains(text, ";dû au créancier;"+w.credA.ID.String()+";") || strings.Contains(text, "banque") || strings.Contains(text, w.credB.ID.String()) {
		t.Fatalf("creditor's entries:\n%s", text)
	}
	csv("creditor", "/api/v1/ledger/entries/export?creditor_id="+w.credB.ID.String(), 404)

	// Commission this month: 50.00 + fees 5.00, VAT 11.00, gross 66.00.
	text = csv("admin", "/api/v1/ledger/commission/export", 200)
	has("commission", text, "mois;devise;commissions HT;frais HT;total HT;TVA;total TTC", ";EUR;50,00;5,00;55,00;11,00;66,00")
	csv("creditor", "/api/v1/ledger/commission/export", 403)

	// Runs and a run's lines.
	text = csv("admin", "/api/v1/remittance-runs/export", 200)
	has("runs", text, run.Reference+";comptabilisé;'@Menuiserie Dupont;1;EUR;434,00;")
	csv("creditor", "/api/v1/remittance-runs/export", 403)
	text = csv("admin", "/api/v1/remittance-runs/"+run.Id.String()+"/export", 200)
	has("run lines", text, run.Reference+";"+run.Lines[0].EndToEndId+";comptabilisé;'@Menuiserie Dupont;FR1420041010050500013M02606;;EUR;",
		";500,00;50,00;0,00;5,00;55,00;20;11,00;66,00;434,00;")

	// The portal's remittances: A its own, B none.
	text = csv("creditor", "/api/v1/remittances/export", 200)
	has("A's remittances", text, run.Lines[0].EndToEndId, ";434,00;")
	if text := csv("creditor_b", "/api/v1/remittances/export", 200); strings.Count(text, "\n") != 1 {
		t.Fatalf("B's remittances:\n%s", text)
	}

	// XLSX: numbers as numbers, the formula-like name as a string cell.
	code, body := w.get("creditor", "/api/v1/remittances/export?format=xlsx")
	if code != 200 {
		t.Fatalf("xlsx: %d %s", code, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Reversements")
	if len(rows) != 2 || rows[1][3] != "@Menuiserie Dupont" || rows[1][17] != "434" {
		t.Fatalf("xlsx rows: %q", rows)
	}
	if formula, _ := f.GetCellFormula("Reversements", "D2"); formula != "" {
		t.Fatalf("the name written as a formula: %q", formula)
	}
	if typ, _ := f.GetCellType("Reversements", "R2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("net amount cell type %v", typ)
	}
	for _, path := range []string{"/api/v1/ledger/balances/export", "/api/v1/ledger/entries/export", "/api/v1/ledger/commission/export",
		"/api/v1/remittance-runs/export", "/api/v1/remittance-runs/" + run.Id.String() + "/export"} {
		code, body := w.get("admin", path+"?format=xlsx")
		if code != 200 || !bytes.HasPrefix(body, []byte("PK")) {
			t.Fatalf("%s xlsx: %d", path, code)
		}
	}
}

// exportAs downloads path as the matrix's principal (a file, not JSON).
func exportAs(path string) func(*world, *apitest.Client, string, target) *apitest.Response {
	return func(w *world, _ *apitest.Client, as string, _ target) *apitest.Response { return w.rawGet(as, path) }
}
