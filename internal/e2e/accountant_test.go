package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestAccountantMoneyScreens: the accountant (« comptable ») signs in and
// lands on Comptabilité — the client account holding a payment, then the
// bank statements and remittance runs tabs; its nav has that and the
// cases, not the queue, the docket, the portfolio, the import or the
// administration, and no notifications bell; the queue's address says it
// is not its workspace.
func TestAccountantMoneyScreens(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	bg := context.Background()
	if _, err := s.svc.CreateUser(bg, app.System, app.NewUser{Email: "comptable@e2e.test", Name: "E2E comptable", Role: recouvra.RoleAccountant, Password: password}, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	today := recouvra.DateOf(time.Now())
	if _, err := s.svc.RecordPayment(bg, app.System, s.cases["own"].Case.ID, app.NewPayment{AmountCents: 600_00, ReceivedOn: today, Method: recouvra.MethodTransfer}); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	base := s.srv.URL()
	signIn(t, ctx, base, "comptable@e2e.test")
	// Home is the ledger: what the client account holds, per creditor.
	waitText(t, ctx, `[data-testid="held-total"]`, "600,00 €", 15*time.Second)
	waitText(t, ctx, `[data-testid="balances"]`, "Menuiserie Dupont SARL", 3*time.Second)
	if who := text(t, ctx, "header .who"); !strings.HasSuffix(who, "— Comptable") {
		t.Errorf("header says %q", who)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(links, " ") != "/comptabilite /dossiers" {
		t.Errorf("the accountant's nav links to %q, want the accounting workspace and the cases only", links)
	}
	bells, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid^="notif"]').length`))
	if err != nil || bells != 0 {
		t.Errorf("notifications shown to the accountant: %d %v", bells, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/comptabilite/releves"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="bank-import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="bank-queue-empty"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/comptabilite/reversements"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-new"] button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "accountant-runs")
	// The agents' queue is another role's workspace.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/file")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "main", "Accès non autorisé", 10*time.Second)
}
