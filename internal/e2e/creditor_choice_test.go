package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestStaffChooseTheCreditor: the admin, on the portal's webhooks, import
// and e-invoice screens, first chooses the creditor the screen acts for
// (the select shared by the three, labelled and described): nothing of a
// creditor's is shown before; once creditor A is chosen, its endpoint is
// listed on the webhooks screen, and the upload forms appear on the other
// two.
func TestStaffChooseTheCreditor(t *testing.T) {
	t.Parallel()
	s := newSiteWith(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	a := s.cred["a"]
	const url = "http://127.0.0.1:9/choix-du-creancier"
	if _, err := s.svc.CreateWebhookEndpoint(context.Background(), app.System, app.Meta{}, &a.ID,
		recouvra.WebhookEndpointInput{URL: url, Types: []string{"case.placed"}}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	noConsoleErrors(t, ctx)
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")

	choose := func(id string) {
		t.Helper()
		sel := "#" + id
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(sel+` option[value="`+a.ID.String()+`"]`))); err != nil {
			t.Fatalf("%s: creditor A not offered: %v", id, err)
		}
		label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = document.querySelector('`+sel+`');
			return s.labels[0].innerText + " | " + document.getElementById(s.getAttribute("aria-describedby")).innerText + " | " + s.value; })()`))
		if err != nil || !strings.HasPrefix(label, "Créancier | ") || !strings.HasSuffix(label, " | ") {
			t.Fatalf("%s before the choice: label | hint | value = %q (%v)", id, label, err)
		}
		// As a person picks an option: React hears the change event.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('`+sel+`');
			Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(s, "`+a.ID.String()+`");
			s.dispatchEvent(new Event("change", { bubbles: true })); return true; })()`)); err != nil {
			t.Fatal(err)
		}
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Webhooks: no list before the choice, creditor A's endpoint after.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/webhooks"]`)), chromedp.WaitVisible(chromedp.ID("webhooks-creditor"))); err != nil {
		t.Fatal(err)
	}
	if n := count(`#webhooks-list-title`); n != 0 {
		t.Fatalf("endpoints listed before a creditor is chosen: %d", n)
	}
	choose("webhooks-creditor")
	waitText(t, ctx, `[data-testid="webhooks-endpoints"]`, url, 10*time.Second)

	// Import: the upload form once the creditor is chosen.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/import"]`)), chromedp.WaitVisible(chromedp.ID("imports-creditor"))); err != nil {
		t.Fatal(err)
	}
	if n := count(`[data-testid="imports-upload"]`); n != 0 {
		t.Fatalf("import form shown before a creditor is chosen: %d", n)
	}
	choose("imports-creditor")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="imports-upload"]`))); err != nil {
		t.Fatal(err)
	}

	// E-invoices, from the import screen: the same.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="imports-einvoices"]`)), chromedp.WaitVisible(chromedp.ID("einvoices-creditor"))); err != nil {
		t.Fatal(err)
	}
	if n := count(`[data-testid="einvoices-upload"]`); n != 0 {
		t.Fatalf("e-invoice form shown before a creditor is chosen: %d", n)
	}
	choose("einvoices-creditor")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="einvoices-upload"]`))); err != nil {
		t.Fatal(err)
	}
}
