package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/config"
)

// tab opens a new tab in the same browser window (same cookies), as a
// middle click or "open in a new tab" does.
func tab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(c); err != nil {
		t.Fatal(err)
	}
	noConsoleErrors(t, c)
	shotOnFailure(t, c, t.Name()+"-tab-failure")
	return c
}

// TestSessionSurvivesNewTabAndReload: a creditor signed in opens a deep link
// to its case in a new tab and stays signed in; reloading keeps the
// session; the session token is out of the page's reach (an HttpOnly
// cookie, nothing in storage); the app has its favicon.
func TestSessionSurvivesNewTabAndReload(t *testing.T) {
	s := newSite(t)
	base := s.srv.URL()
	own := s.cases["own"].Case
	ctx := browser(t)
	signIn(t, ctx, base, "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="figures"]`, "2 500,00 €", 10*time.Second)

	link := base + "/dossiers/" + own.ID.String()
	second := tab(t, ctx)
	if err := chromedp.Do(second, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("case-title"))); err != nil {
		t.Fatalf("the deep link in a new tab: %v", err)
	}
	if got := text(t, second, "#case-title"); !strings.Contains(got, own.Reference) {
		t.Fatalf("the new tab shows %q", got)
	}
	if n, err := chromedp.Run(second, chromedp.Evaluate[int](`document.querySelectorAll("#email").length`)); err != nil || n != 0 {
		t.Fatalf("the new tab asks to sign in (%v)", err)
	}

	// Reload: still signed in, on the same page.
	if err := chromedp.Do(second, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("case-title"))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got := text(t, second, "header.top"); !strings.Contains(got, "E2E creditor") {
		t.Fatalf("after reload the header shows %q", got)
	}

	// Scripts see no token: not in document.cookie, not in storage.
	seen, err := chromedp.Run(second, chromedp.Evaluate[string](`document.cookie + "|" + JSON.stringify(sessionStorage) + "|" + JSON.stringify(localStorage)`))
	if err != nil || strings.Contains(seen, "rcv_s_") || strings.Contains(seen, "recouvra_session") {
		t.Fatalf("the page can read the session: %q (%v)", seen, err)
	}
	// The browser holds it as an HttpOnly, Secure, SameSite=Strict cookie.
	got, err := chromedp.Call(second, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	cookies := got.Cookies
	found := false
	for _, c := range cookies {
		if c.Name == "__Host-recouvra_session" {
			found = c.HTTPOnly && c.Secure && c.SameSite == network.CookieSameSiteStrict && c.Path == "/"
		}
	}
	if !found {
		t.Fatalf("no HttpOnly, Secure, SameSite=Strict session cookie among %d cookies", len(cookies))
	}

	// The favicon is served (no 404 in the console).
	status, err := chromedp.Run(second, chromedp.Evaluate[string](`fetch(document.querySelector('link[rel="icon"]').href).then(r => r.status + " " + r.headers.get("Content-Type"))`,
		chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(status, "200 image/svg+xml") {
		t.Fatalf("favicon: %q (%v)", status, err)
	}

	// Signing out in one tab signs out the other: the session is revoked on
	// the server, and the other tab shows the sign-in form at once.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header.top nav button:last-child`)), chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if err := chromedp.Do(second, chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		t.Fatalf("the other tab stays signed in: %v", err)
	}
	waitText(t, second, `[data-testid="login-notice"]`, "Vous avez été déconnecté", 5*time.Second)
	// A deep link now asks to sign in.
	third := tab(t, ctx)
	if err := chromedp.Do(third, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		t.Fatalf("after sign-out the deep link: %v", err)
	}
}

// TestForbiddenAndUnknownPages: a creditor following a link to another
// creditor's case, or to a workspace its role does not use, sees the
// "not allowed" page; an address no page has shows "not found"; each leads
// back home.
func TestForbiddenAndUnknownPages(t *testing.T) {
	s := newSite(t)
	base := s.srv.URL()
	ctx := browser(t)
	signIn(t, ctx, base, "creditor@e2e.test")

	visit := func(path, testID, title, says string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="`+testID+`"]`))); err != nil {
			t.Fatalf("%s: %v (page: %q)", path, err, text(t, ctx, "main"))
		}
		got := text(t, ctx, `[data-testid="`+testID+`"]`)
		if !strings.Contains(text(t, ctx, `[data-testid="`+testID+`"] h1`), title) || !strings.Contains(got, says) || !strings.Contains(got, path) {
			t.Fatalf("%s shows:\n%s", path, got)
		}
		if strings.Contains(text(t, ctx, "main"), "Chargement") {
			t.Fatalf("%s still says it is loading", path)
		}
	}

	// Another creditor's case: the API hides it (404), the page says so.
	visit("/dossiers/"+s.cases["other"].Case.ID.String(), "not-allowed", "Accès non autorisé", "n'existe pas ou ne vous est pas accessible")
	screenshot(t, ctx, "creditor-not-allowed")
	if strings.Contains(text(t, ctx, "main"), "Minoterie") {
		t.Fatal("the page shows something of the other creditor's case")
	}
	// Back home from there.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="not-allowed"] a[href="/portefeuille"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="figures"]`))); err != nil {
		t.Fatalf("back home: %v", err)
	}
	// Its own case still opens after the refusal.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/dossiers/"+s.cases["own"].Case.ID.String()), chromedp.WaitVisible(chromedp.ID("case-title"))); err != nil {
		t.Fatalf("own case after the refusal: %v", err)
	}

	// Workspaces of other roles.
	visit("/admin", "not-allowed", "Accès non autorisé", "Votre rôle ne donne pas accès à cet espace")
	visit("/admin/utilisateurs", "not-allowed", "Accès non autorisé", "Votre rôle ne donne pas accès")
	visit("/audiences", "not-allowed", "Accès non autorisé", "Votre rôle ne donne pas accès")
	visit("/file", "not-allowed", "Accès non autorisé", "Votre rôle ne donne pas accès")
	// A case id nobody has, and addresses no page has.
	visit("/dossiers/01a21060-2cef-7cf9-8a00-f9b31d260f55", "not-allowed", "Accès non autorisé", "n'existe pas ou ne vous est pas accessible")
	visit("/nulle-part", "not-found", "Page introuvable", "Aucune page de Recouvra")
	visit("/dossiers/pas-un-dossier", "not-found", "Page introuvable", "Aucune page de Recouvra")
	screenshot(t, ctx, "creditor-not-found")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="not-found"] a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="figures"]`))); err != nil {
		t.Fatalf("home from not found: %v", err)
	}
	// In English too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header.top nav button[lang="en"]`))); err != nil {
		t.Fatal(err)
	}
	visit("/admin", "not-allowed", "Access not allowed", "Your role does not give access")
}

// TestIdleWarning: with a 20-second idle time (minutes in production; the
// cycle is the same, shortened), the warning shows "Votre session va
// expirer" for the last 10 seconds; "Rester
// connecté" keeps the session (the server's deadline moves on); left
// alone, the page signs out by itself and says why, and the server
// refuses the session too.
func TestIdleWarning(t *testing.T) {
	s := newSiteWith(t, func(c *config.Config) { c.SessionIdle = 20 * time.Second })
	base := s.srv.URL()
	ctx := browser(t)
	signIn(t, ctx, base, "creditor@e2e.test")
	warning := chromedp.CSS(`dialog[data-testid="idle-warning"][open]`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(warning)); err != nil {
		t.Fatalf("no warning: %v", err)
	}
	waitText(t, ctx, `dialog[data-testid="idle-warning"]`, "Votre session va expirer", time.Second)
	screenshot(t, ctx, "idle-warning")
	// The button has the focus: Enter is activity, the server moves the
	// deadline on and the dialog closes on its answer.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r"), chromedp.WaitNotPresent(warning)); err != nil {
		t.Fatalf("Rester connecté: %v", err)
	}
	// Left alone: the warning comes back, then the page signs out.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(warning), chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		t.Fatalf("never signed out: %v", err)
	}
	waitText(t, ctx, `[data-testid="login-notice"]`, "inactivité", time.Second)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/v1/me").then(r => r.status)`, chromedp.EvalAwaitPromise)); err != nil || n != 401 {
		t.Fatalf("the server still takes the idle session: %d (%v)", n, err)
	}
}
