package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// notifWaitJS waits until the JavaScript condition holds in the page.
func notifWaitJS(t *testing.T, ctx context.Context, cond, what string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (%v)", what, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNotificationsLive: a creditor's header counts a payment the agency
// records on its case, without a reload; the panel opens from the
// keyboard, names the case and the amount, its link opens the case and
// marks the notification read; "mark all as read" empties the count. On the
// case page, the live badge says the stream is down while the server holds
// streams, and live again when it lets them back — with the payment made
// meanwhile counted.
func TestNotificationsLive(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	own := s.cases["own"].Case
	signIn(t, ctx, base, "creditor@e2e.test")
	button, live := `[data-testid="notif-button"]`, `[data-testid="notif-live"]`
	waitText(t, ctx, live, "0 non lues", 5*time.Second)
	if got := text(t, ctx, button); strings.Contains(got, "(") {
		t.Fatalf("the button before any news: %q", got)
	}

	// The agent records a payment through the API, as its screen does.
	agent := apitest.New(t, base)
	r := agent.Do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@e2e.test", "password": password})
	var login struct{ Token string }
	if r.Decode(t, &login); r.Status != 200 {
		t.Fatalf("agent sign-in: %d %s", r.Status, r.Body)
	}
	agent.Header.Set("Authorization", "Bearer "+login.Token)
	pay := func(cents int64, key string) {
		t.Helper()
		body := map[string]any{"amount_cents": cents, "received_on": recouvra.DateOf(time.Now()).String(), "method": "transfer"}
		if r := agent.Do("POST", "/api/v1/cases/"+own.ID.String()+"/payments", body, "Idempotency-Key", key); r.Status != 201 {
			t.Fatalf("payment: %d %s", r.Status, r.Body)
		}
	}
	pay(50_000, "e2e-notif-0001")
	start := time.Now()
	waitText(t, ctx, button, "Notifications (1)", 5*time.Second)
	t.Logf("the count rose %s after the payment was recorded", time.Since(start).Round(time.Millisecond))
	waitText(t, ctx, live, "1 non lues", time.Second)

	// From the keyboard: focus the button, Enter opens the panel, Escape
	// closes it and gives the focus back.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('[data-testid="notif-button"]').focus(), true)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="notif-panel"]`, own.Reference+" — Paiement de 500,00 € reçu", 5*time.Second)
	if got := text(t, ctx, button); !strings.Contains(got, "(1)") {
		t.Fatalf("button %q", got)
	}
	if exp, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="notif-button"]').getAttribute("aria-expanded")`)); err != nil || exp != "true" {
		t.Fatalf("aria-expanded %q %v", exp, err)
	}
	screenshot(t, ctx, "creditor-notifications")
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	notifWaitJS(t, ctx, `!document.querySelector('[data-testid="notif-panel"]') && document.activeElement === document.querySelector('[data-testid="notif-button"]')`,
		"Escape closes the panel and focuses the button", 3*time.Second)

	// Its link opens the case and marks it read.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notif-item"] a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="notif-item"] a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline"]`))); err != nil {
		t.Fatal(err)
	}
	if path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || path != "/dossiers/"+own.ID.String() {
		t.Fatalf("the link led to %q (%v)", path, err)
	}
	waitText(t, ctx, live, "0 non lues", 5*time.Second)
	creditor := principal(t, s, "creditor@e2e.test")
	if n, err := s.svc.UnreadNotifications(context.Background(), creditor); err != nil || n != 0 {
		t.Fatalf("unread after following the link: %d %v", n, err)
	}

	// Two more, then "mark all as read".
	pay(10_000, "e2e-notif-0002")
	pay(20_000, "e2e-notif-0003")
	waitText(t, ctx, button, "Notifications (2)", 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notif-mark-all"]`))); err != nil {
		t.Fatal(err)
	}
	notifWaitJS(t, ctx, `document.querySelectorAll('[data-testid="notif-item"].unread').length === 2`, "two unread items in the panel", 5*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="notif-mark-all"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, live, "0 non lues", 5*time.Second)
	notifWaitJS(t, ctx, `document.querySelectorAll('[data-testid="notif-item"].unread').length === 0 && document.querySelectorAll('[data-testid="notif-item"]').length === 3`,
		"every item read", 5*time.Second)
	if n, err := s.svc.UnreadNotifications(context.Background(), creditor); err != nil || n != 0 {
		t.Fatalf("unread after mark all: %d %v", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}

	// The live badge: live, then the server drops the streams and refuses
	// them — offline, reconnecting — then lets them back: live again, and
	// the payment recorded meanwhile arrives.
	badge := `[data-testid="live-status"]`
	waitText(t, ctx, badge, "Mises à jour en direct", 5*time.Second)
	release := s.srv.Handler().(*httpapi.API).HoldStreams()
	defer release()
	waitText(t, ctx, badge, "Hors ligne — reconnexion…", 10*time.Second)
	pay(7_000, "e2e-notif-0004")
	screenshot(t, ctx, "creditor-case-offline")
	if got := text(t, ctx, button); strings.Contains(got, "(") {
		t.Fatalf("the count moved while the streams were held: %q", got)
	}
	release()
	waitText(t, ctx, badge, "Mises à jour en direct", 20*time.Second)
	waitText(t, ctx, button, "Notifications (1)", 10*time.Second)
	waitText(t, ctx, `[data-testid="timeline"]`, "70,00 €", 5*time.Second)

	// In English the same control and badge speak English.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header nav button[lang="en"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, live, "1 unread", 3*time.Second)
	waitText(t, ctx, badge, "Live updates", 3*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="notif-panel"]`, "Payment of €70.00 received", 5*time.Second)
}

// principal signs in as email through the use cases and returns who it is.
func principal(t *testing.T, s *site, email string) recouvra.Principal {
	t.Helper()
	in, err := s.svc.Login(context.Background(), email, password, app.Meta{})
	if err != nil {
		t.Fatal(fmt.Errorf("sign in %s: %w", email, err))
	}
	p, err := s.svc.Authenticate(context.Background(), in.Token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
