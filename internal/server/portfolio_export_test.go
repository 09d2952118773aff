package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestPortfolioExport: the portfolio figures as CSV and XLSX — a creditor
// its own (another creditor's cases counted nowhere), staff the agency's
// or the creditor they name; a creditor naming another is refused.
func TestPortfolioExport(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.newCase(w.credA.ID, "Tuilerie Bernard SAS", "") // A: two cases of 1 200,00 €; B: one

	code, body := w.get("creditor", "/api/v1/portfolio/export")
	if code != 200 {
		t.Fatalf("csv: %d %s", code, body)
	}
	text := strings.TrimPrefix(string(body), "\xEF\xBB\xBF")
	for _, want := range []string{"rubrique;libellé;dossiers;montant;devise\r\n", "total;dossiers confiés;2;;\r\n",
		"total;principal confié;;2400,00;EUR\r\n", "étape;amiable;2;2400,00;EUR\r\n", "ancienneté;plus de 365 jours;2;2400,00;EUR\r\n"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the creditor's portfolio file lacks %q:\n%s", want, text)
		}
	}

	code, body = w.get("admin", "/api/v1/portfolio/export?format=xlsx&creditor_id="+w.credB.ID.String())
	if code != 200 {
		t.Fatalf("xlsx: %d %s", code, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Portefeuille")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) >= 5 && r[0] == "total" && r[1] == "principal confié" {
			found = r[3] == "1200" && r[4] == "EUR"
			if typ, _ := f.GetCellType("Portefeuille", "D5"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Fatalf("the amount is not a number cell: %v", typ)
			}
		}
	}
	if !found {
		t.Fatalf("creditor B's portfolio sheet: %q", rows)
	}

	if code, body := w.get("creditor", "/api/v1/portfolio/export?creditor_id="+w.credB.ID.String()); code == 200 {
		t.Fatalf("a creditor exported another's portfolio: %s", body)
	}
	if code, _ := w.get("creditor", "/api/v1/portfolio/export?format=pdf"); code != 422 {
		t.Fatalf("an unknown format: %d", code)
	}
}
