package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDoubleClickUploadsAndProposesOnce clicks twice, as
// TestDoubleClickActsOnce does, the portal's electronic-invoice upload —
// both clicks before the page draws again — (one upload recorded, listed
// once under Envois précédents) and the
// debtor page's plan proposal (one plan proposed), each counted through
// the service after the page says it is done.
func TestDoubleClickUploadsAndProposesOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	bg := context.Background()
	credA := s.cred["a"].ID
	if _, err := s.svc.UpdateCreditor(bg, app.System, credA, func(c *recouvra.Creditor) { c.SIREN = "404833048" }, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	ubl, err := os.ReadFile("../einvoice/testdata/ubl-invoice.xml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "FA-2026-0150.xml")
	if err := os.WriteFile(file, ubl, 0o600); err != nil {
		t.Fatal(err)
	}

	b := browser(t)
	ctx := window(t, b)
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/import"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="imports-einvoices"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#einvoices-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#einvoices-file`), []string{file}),
	); err != nil {
		t.Fatal(err)
	}
	// Two clicks in one task: the second lands before React has drawn the
	// button disabled, as on a slow phone.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const b = document.querySelector('[data-testid="einvoices-upload"] button[type="submit"]'); b.click(); b.click(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="einvoices-result"]`, "1 facture(s) placée(s), 0 déjà présente(s), 1 dossier(s) ouvert(s).", 20*time.Second)
	waitText(t, ctx, `[data-testid="einvoice-uploads"]`, "FA-2026-0150.xml", 10*time.Second)
	time.Sleep(300 * time.Millisecond) // a second request, if one left, lands in this time
	uploads, err := s.svc.EInvoiceUploads(bg, app.System, &credA, app.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Items) != 1 {
		t.Errorf("the upload recorded %d times after a double click", len(uploads.Items))
	}
	if rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="einvoice-upload"]').length`)); err != nil || rows != 1 {
		t.Errorf("Envois précédents lists %d uploads after a double click (%v)", rows, err)
	}

	// The debtor's page (no script: a plain form with a one-time token).
	own := s.cases["own"].Case
	link, err := s.svc.DebtorLinkOf(bg, app.System, own.ID)
	if err != nil || link.URL == "" {
		t.Fatalf("the debtor's link: %+v %v", link, err)
	}
	phone := window(t, b)
	if err := chromedp.Do(phone, chromedp.Navigate(link.URL), chromedp.WaitVisible(chromedp.ID("count")), chromedp.SetValue(chromedp.ID("count"), "3")); err != nil {
		t.Fatal(err)
	}
	setDate(t, phone, "#first_on", recouvra.DateOf(time.Now()).AddDays(10))
	if err := chromedp.Do(phone, chromedp.DoubleClick(chromedp.CSS(`form[action$="/plan"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, phone, `[role="status"]`, "proposition d'échéancier a été enregistrée", 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	plans, err := s.svc.Plans(bg, app.System, own.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 {
		t.Errorf("the plan proposed %d times after a double click", len(plans))
	}
}
