package server_test

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestImportRefusesInvoicesTwiceInTheFile: the same creditor reference and
// invoice number twice in one file places the first and refuses the later
// ones, naming the first line; the same invoice number under another
// reference, and a repeat of a row already refused for another reason, are
// not duplicates. Run again, the file places nothing twice.
func TestImportRefusesInvoicesTwiceInTheFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	creditor := w.as("creditor")
	rows := [][]string{
		{"Raison sociale", "SIREN", "Adresse", "Code postal", "Ville", "Numéro de facture", "Date de facture", "Échéance", "Montant TTC", "Référence"},
		{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-1", "15/01/2026", "15/02/2026", "100,00", "R-1"}, // 2
		{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-2", "15/01/2026", "15/02/2026", "200,00", "R-1"}, // 3
		{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-1", "16/01/2026", "16/02/2026", "150,00", "R-1"}, // 4: twice (line 2)
		{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-1", "15/01/2026", "15/02/2026", "80,00", "R-2"},                  // 5: another reference
		{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-9", "31/02/2026", "01/03/2026", "10,00", "R-2"},                  // 6: bad date
		{"Atelier Dupuis", "", "8 bd Voltaire", "75011", "Paris", "F-9", "01/02/2026", "01/03/2026", "10,00", "R-2"},                  // 7: line 6 was refused
		{"Garage Lefèvre SARL", "443061841", "5 rue de la Gare", "69007", "Lyon", "F-1", "15/01/2026", "15/02/2026", "100,00", "R-1"}, // 8: a third time
	}
	data := csvBytes(t, rows, ';', false)
	first := w.runImport(creditor, "", "doublons.csv", data)
	if first.Status != "done" || first.PlacedRows != 4 || first.RefusedRows != 3 || first.PresentRows != 0 || first.CasesCreated != 2 {
		t.Fatalf("first import: %+v", first)
	}
	code, body := w.get("creditor", "/api/v1/imports/"+first.Id.String()+"/refused")
	if code != 200 {
		t.Fatalf("refused rows: %d %s", code, body)
	}
	recs := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\xEF\xBB\xBF")))
	recs.Comma = ';'
	all, err := recs.ReadAll()
	if err != nil || len(all) != 4 {
		t.Fatalf("refused file: %v %q", err, body)
	}
	reason := func(i int) string { return all[i][len(all[i])-1] }
	if all[1][0] != "4" || reason(1) != "Facture en double dans le fichier (déjà ligne 2)." ||
		all[2][0] != "6" || strings.Contains(reason(2), "double") ||
		all[3][0] != "8" || reason(3) != "Facture en double dans le fichier (déjà ligne 2)." {
		t.Fatalf("refused file: %q", all)
	}
	// The cases hold the placed invoices alone: 100 + 200 under R-1, 80 + 10 under R-2.
	var balances []int64
	if err := w.db.Pool.QueryRow(t.Context(), `SELECT array_agg(principal_cents ORDER BY creditor_reference) FROM cases
		WHERE creditor_reference IN ('R-1', 'R-2') AND creditor_id = $1`, w.credA.ID).Scan(&balances); err != nil {
		t.Fatal(err)
	}
	if len(balances) != 2 || balances[0] != 30000 || balances[1] != 9000 {
		t.Fatalf("cases' principal: %v", balances)
	}

	again := w.runImport(creditor, "", "doublons.csv", data)
	if again.Status != "done" || again.PlacedRows != 0 || again.CasesCreated != 0 || again.PresentRows != 4 || again.RefusedRows != 3 {
		t.Fatalf("second import: %+v", again)
	}
}
