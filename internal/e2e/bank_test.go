package e2e_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestAdminBankStatements: the admin imports a camt.053 statement on the
// "Relevés bancaires" tab and reads what became of it; the transfer
// carrying a case's RF reference is booked, the one only naming the debtor
// waits in the queue with that case suggested, and one click books it.
func TestAdminBankStatements(t *testing.T) {
	s := newSite(t)
	today := recouvra.DateOf(time.Now())
	own, other := s.cases["own"], s.cases["other"]
	var stmt bytes.Buffer
	if err := bankfile.WriteCAMT053(&stmt, "MSG-E2E", bankfile.Statement{ID: "STMT-E2E", Account: "FR7630006000011234567890189", Currency: "EUR", On: today,
		Entries: []bankfile.Entry{
			{Reference: "E1", BookedOn: today, AmountCents: 500_00, Credit: true, Structured: own.Case.PaymentReference(), DebtorName: "SCIERIE DU JURA"},
			{Reference: "E2", BookedOn: today, AmountCents: 300_00, Credit: true, DebtorName: "MINOTERIE GIRARD", Unstructured: "ACOMPTE"},
		}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "releve.xml")
	if err := os.WriteFile(file, stmt.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-tabs a[href="/admin/releves"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/releves"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="bank-import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="bank-queue-empty"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="bank-file"]`), []string{file}),
		chromedp.Click(chromedp.CSS(`[data-testid="bank-import"] button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="bank-result"]`, "Relevé importé : 2 écritures, 1 imputées, 1 à rapprocher, 0 déjà importées", 10*time.Second)
	waitText(t, ctx, `[data-testid="bank-queue"]`, "Imputer à "+other.Case.Reference, 5*time.Second)
	screenshot(t, ctx, "admin-bank")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="bank-entry"] li button`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="bank-status"]`, "Virement imputé au dossier "+other.Case.Reference+" — 300,00 €", 5*time.Second)
	waitText(t, ctx, `[data-testid="bank-queue-empty"]`, "Aucun virement en attente.", 3*time.Second)

	for key, want := range map[string]int64{"own": 500_00, "other": 300_00} {
		pays, err := s.svc.ListPayments(context.Background(), app.System, s.cases[key].Case.ID)
		if err != nil || len(pays) != 1 || pays[0].AmountCents != want {
			t.Fatalf("%s: payments %+v, %v", key, pays, err)
		}
	}
}
