package e2e_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDebtorPlansOnAPhone: on a 390 px phone the debtor proposes, on its
// page, a plan within the mandate's rules (it runs at once) and, on another
// case of the same creditor, one beyond them (fourteen months: it goes to
// the creditor); the agent's case page, open in its own window before the
// proposal, shows it arrive and then the creditor's approval, given on the
// portal, without a reload. axe finds nothing serious or critical on the
// page's plan form, blank or showing the server's refusal. The agent then
// revokes and reissues the debtor's link from the case page, confirming
// each: the old link opens nothing, the new one the same page.
func TestDebtorPlansOnAPhone(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	base := s.srv.URL()
	today := recouvra.DateOf(time.Now())
	within := s.cases["own"].Case
	credA := s.cred["a"].ID
	v, err := s.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &credA,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Tonnellerie Bourgeois SARL", Address: recouvra.Address{Line1: "2 quai du Doubs", PostalCode: "25000", City: "Besançon"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-beyond", IssuedOn: today.AddDays(-60), DueOn: today.AddDays(-30), AmountCents: 180_000, VATCents: 30_000}},
	}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	beyond := v.Case
	linkOf := func(id uuid.UUID) string {
		t.Helper()
		l, err := s.svc.DebtorLinkOf(ctx, app.System, id)
		if err != nil || l.URL == "" {
			t.Fatalf("link of %s: %+v %v", id, l, err)
		}
		return l.URL
	}
	beyondLink := linkOf(beyond.ID)

	b := browser(t)
	// The agent's case page is open before the debtor does anything.
	agent := window(t, b)
	confirms := acceptDialogs(t, agent)
	signIn(t, agent, base, "agent@e2e.test")
	if err := chromedp.Do(agent, chromedp.Navigate(base+"/dossiers/"+beyond.ID.String()), chromedp.WaitVisible(chromedp.CSS(`[data-testid="plans"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, `[data-testid="plans"]`, "Aucun échéancier", 5*time.Second)
	waitText(t, agent, `[data-testid="live-status"]`, "Mises à jour en direct", 10*time.Second)
	if _, err := chromedp.Run(agent, chromedp.Evaluate[bool](`window.__sameDocument = true`)); err != nil {
		t.Fatal(err)
	}

	phone := window(t, b)
	axe := axeSource(t)
	propose := func(link string, count string, first recouvra.Date) {
		t.Helper()
		if err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("count"))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(phone, chromedp.SetValue(chromedp.ID("count"), count)); err != nil {
			t.Fatal(err)
		}
		setDate(t, phone, "#first_on", first)
		if err := chromedp.Do(phone, chromedp.Click(chromedp.CSS(`form[action$="/plan"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[role="status"], [role="alert"]`))); err != nil {
			t.Fatal(err)
		}
	}

	// Within the rules: three monthly instalments, accepted at once. First
	// a date already past: the page says why, next to the form.
	propose(linkOf(within.ID), "3", today.AddDays(-1))
	waitText(t, phone, `section[aria-labelledby="h-plan"] [role="alert"]`, "date déjà passée", 5*time.Second)
	injectAxe(t, phone, axe)
	runAxe(t, phone, "the plan form refused, at 390 px")
	noSidewaysScroll(t, phone, "the plan form refused, at 390 px")
	injectAxe(t, phone, axe)
	runAxe(t, phone, "the plan form, at 390 px")
	propose(linkOf(within.ID), "3", today.AddDays(10))
	waitText(t, phone, `[role="status"]`, "proposition d'échéancier a été enregistrée", 5*time.Second)
	waitText(t, phone, `section[aria-labelledby="h-plan"]`, "Échéancier accepté et en cours.", 5*time.Second)
	screenshot(t, phone, "debtor-plan-accepted-390")
	plans, err := s.svc.Plans(ctx, app.System, within.ID)
	if err != nil || len(plans) != 1 || plans[0].Plan.Status != recouvra.PlanKept || plans[0].Plan.Origin != recouvra.PlanByDebtor || len(plans[0].Plan.Instalments) != 3 {
		t.Fatalf("the plan within the rules: %+v %v", plans, err)
	}

	// Beyond them: fourteen months, for the creditor to decide.
	propose(beyondLink, "14", today.AddDays(10))
	waitText(t, phone, `section[aria-labelledby="h-plan"]`, "en attente de son accord", 5*time.Second)
	injectAxe(t, phone, axe)
	runAxe(t, phone, "the plan waiting for the creditor, at 390 px")
	screenshot(t, phone, "debtor-plan-pending-390")

	// The agent's open page shows it arrive.
	waitText(t, agent, `[data-testid="plans"]`, "En attente du créancier", 10*time.Second)

	// The creditor approves it on its portal.
	creditor := window(t, b)
	signIn(t, creditor, base, "creditor@e2e.test")
	if err := chromedp.Do(creditor, chromedp.Navigate(base+"/dossiers/"+beyond.ID.String()),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan"][data-status="pending_approval"] button`))); err != nil {
		t.Fatal(err)
	}
	clicked, err := chromedp.Run(creditor, chromedp.Evaluate[bool](`(() => {
		const b = [...document.querySelectorAll('[data-testid="plan"][data-status="pending_approval"] button')].find((b) => b.textContent.trim() === "Approuver");
		if (b) b.click();
		return !!b; })()`))
	if err != nil || !clicked {
		t.Fatalf("the creditor's Approve button: %v", err)
	}
	waitText(t, creditor, `[data-testid="plans"]`, "En cours", 10*time.Second)

	// … and the agent's page follows, live, in the same document.
	waitText(t, agent, `[data-testid="plan"][data-status="kept"]`, "En cours", 10*time.Second)
	if same, err := chromedp.Run(agent, chromedp.Evaluate[bool](`window.__sameDocument === true`)); err != nil || !same {
		t.Fatalf("the agent's page was reloaded (%v)", err)
	}
	plans, err = s.svc.Plans(ctx, app.System, beyond.ID)
	if err != nil || len(plans) != 1 || plans[0].Plan.Status != recouvra.PlanKept || len(plans[0].Plan.Instalments) != 14 {
		t.Fatalf("the approved plan: %+v %v", plans, err)
	}

	// The debtor's link on the agent's page: active, revoked, reissued.
	waitText(t, agent, `[data-testid="debtor-link-state"]`, "Actif", 5*time.Second)
	waitText(t, agent, `[data-testid="debtor-link-url"]`, beyondLink, 5*time.Second)
	if err := chromedp.Do(agent, chromedp.Click(chromedp.CSS(`[data-testid="debtor-link-revoke"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, `[data-testid="debtor-link-state"]`, "Révoqué", 5*time.Second)
	waitText(t, agent, `[data-testid="debtor-link-none"]`, "Aucun lien actif", 5*time.Second)
	if err := chromedp.Do(agent, chromedp.Click(chromedp.CSS(`[data-testid="debtor-link-reissue"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, `[data-testid="debtor-link-state"]`, "Actif", 5*time.Second)
	waitText(t, agent, `[data-testid="debtor-link-version"]`, "2", 5*time.Second)
	if n := confirms.Load(); n != 2 {
		t.Fatalf("%d confirmations asked for a revocation and a reissue, want 2", n)
	}
	injectAxe(t, agent, axe)
	runAxe(t, agent, "the agent's case page with the debtor's link")
	fresh := text(t, agent, `[data-testid="debtor-link-url"]`)
	if fresh == beyondLink || fresh != linkOf(beyond.ID) {
		t.Fatalf("reissued link %q (old %q)", fresh, beyondLink)
	}
	// The old link opens nothing; the new one the debtor's page.
	if err := chromedp.Do(phone, chromedp.Navigate(beyondLink), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, phone, "body"); strings.Contains(got, "Payer en plusieurs fois") {
		t.Fatal("the revoked link still opens the page")
	}
	if err := chromedp.Do(phone, chromedp.Navigate(fresh), chromedp.WaitVisible(chromedp.CSS(`section[aria-labelledby="h-plan"]`))); err != nil {
		t.Fatal(err)
	}
}

// acceptDialogs answers yes to every confirm() the page asks, and counts
// them.
func acceptDialogs(t *testing.T, ctx context.Context) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			n.Add(1)
			go func() {
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return &n
}
