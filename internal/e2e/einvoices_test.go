package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCreditorPlacesEInvoices: from the import screen the creditor opens
// the electronic-invoice screen, sends its UBL invoice with another
// company's CII — the whole upload is refused with the reason beside the
// file, nothing placed — then its invoice alone, which is placed.
func TestCreditorPlacesEInvoices(t *testing.T) {
	s := newSite(t)
	bg := context.Background()
	if _, err := s.svc.UpdateCreditor(bg, app.System, s.cred["a"].ID, func(c *recouvra.Creditor) { c.SIREN = "404833048" }, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile("../einvoice/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	mine, theirs := filepath.Join(dir, "FA-2026-0150.xml"), filepath.Join(dir, "FA-X.xml")
	other := strings.NewReplacer("<ram:Name>Menuiserie Dupont SARL</ram:Name>", "<ram:Name>Ébénisterie Concurrente SAS</ram:Name>",
		`<ram:ID schemeID="0002">404833048</ram:ID>`, `<ram:ID schemeID="0002">823164421</ram:ID>`, "FR83404833048", "FR54823164421").Replace(string(read("facturx-en16931.xml")))
	if err := os.WriteFile(mine, read("ubl-invoice.xml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(theirs, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
	send := func(files ...string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`#einvoices-file`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#einvoices-file`), files),
			chromedp.Click(chromedp.CSS(`[data-testid="einvoices-upload"] button[type="submit"]`)),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/import"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="imports-einvoices"]`)),
	); err != nil {
		t.Fatal(err)
	}
	send(mine, theirs)
	waitText(t, ctx, `[data-testid="einvoices-refused"]`, "rien n'a été placé", 20*time.Second)
	waitText(t, ctx, `[data-testid="einvoices-refused"]`, "FA-X.xml", time.Second)
	waitText(t, ctx, `[data-testid="einvoices-refused"]`, "Ébénisterie Concurrente SAS (SIREN 823164421), pas par Menuiserie Dupont SARL", time.Second)
	credA := s.cred["a"].ID
	if cases, err := s.svc.ListCases(bg, app.System, app.CaseFilter{CreditorID: &credA, Query: "Morel"}, app.PageRequest{}); err != nil || len(cases.Items) != 0 {
		t.Fatalf("a refused upload placed %d cases (%v)", len(cases.Items), err)
	}
	send(mine)
	waitText(t, ctx, `[data-testid="einvoices-result"]`, "1 facture(s) placée(s), 0 déjà présente(s), 1 dossier(s) ouvert(s).", 20*time.Second)
	waitText(t, ctx, `[data-testid="einvoices-result"]`, "Atelier Morel", time.Second)
	screenshot(t, ctx, "creditor-einvoices-placed")
	cases, err := s.svc.ListCases(bg, app.System, app.CaseFilter{CreditorID: &credA, Query: "Morel"}, app.PageRequest{})
	if err != nil || len(cases.Items) != 1 || cases.Items[0].PrincipalCents != 68_500 {
		t.Fatalf("the placed case: %+v %v", cases.Items, err)
	}
}
