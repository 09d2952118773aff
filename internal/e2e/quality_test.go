package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestWebQuality checks the web app as a whole, with one server, one
// browser and one sign-in per role (the accountant's, « comptable », too):
// every page of every role through
// axe-core (no serious or critical violation), laid out on a 360 px phone
// without sideways scrolling, the case list as cards at 390 px, the forms'
// help (required fields, amounts read as typed, the error summary and its
// focus, dates in the chosen language), and the portal loaded over a slow
// 4G link with an empty cache, its time to the figures written to
// test-artifacts/portal-slow-4g.json (a measure, not an assertion).
func TestWebQuality(t *testing.T) {
	s := newSite(t)
	v := readyForCourt(t, s) // the docket then has a case ready, and a row to lay out
	own := v.Case
	if _, err := s.svc.CreateUser(context.Background(), app.System, app.NewUser{Email: "comptable@e2e.test", Name: "E2E comptable",
		Role: recouvra.RoleAccountant, Password: password}, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	base := s.srv.URL()
	// Every step of this test waits for something: one deadline for all,
	// so a page that never shows fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(browser(t), 4*time.Minute)
	defer cancel()
	axe := axeSource(t)

	t.Run("portal over slow 4G, empty cache", func(t *testing.T) { slowPortal(t, window(t, ctx), base) })

	// The sign-in page, before anyone signs in.
	creditor := window(t, ctx)
	if err := chromedp.Do(creditor, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("email"))); err != nil {
		t.Fatal(err)
	}
	injectAxe(t, creditor, axe)
	axeSelfCheck(t, creditor)
	checkPage(t, creditor, "login", "", "#email")
	labelsSelfCheck(t, creditor)

	signIn(t, creditor, base, "creditor@e2e.test")
	injectAxe(t, creditor, axe)
	for _, p := range []page{
		{"/portefeuille", `[data-testid="figures"]`},
		{"/dossiers", "main table"},
		{"/dossiers/" + own.ID.String(), `[data-testid="total-due"]`},
		{"/dossiers/nouveau", `input[name="debtor.name"]`},
	} {
		checkPage(t, creditor, "creditor", p.path, p.ready)
	}
	t.Run("phones", func(t *testing.T) { phones(t, creditor) })
	t.Run("forms", func(t *testing.T) { forms(t, creditor) })

	for _, role := range []struct {
		email string
		pages []page
	}{
		{"agent@e2e.test", []page{
			{"/file", "main table"},
			{"/dossiers", "main table"},
			{"/dossiers/" + own.ID.String(), `[data-testid="total-due"]`},
			{"/dossiers/nouveau", `input[name="debtor.name"]`},
		}},
		{"lawyer@e2e.test", []page{
			{"/audiences", `[data-testid="docket"]`},
			{"/dossiers", "main table"},
			{"/dossiers/" + own.ID.String(), `[data-testid="total-due"]`},
		}},
		{"admin@e2e.test", []page{
			{"/portefeuille", `[data-testid="figures"]`},
			{"/file", "main table"},
			{"/audiences", `[data-testid="docket"]`},
			{"/dossiers", "main table"},
			{"/dossiers/" + own.ID.String(), `[data-testid="total-due"]`},
			{"/dossiers/nouveau", `select[name="creditor_id"]`},
			{"/admin/utilisateurs", `[data-testid="users"]`},
			{"/admin/creanciers", `[data-testid="creditors"]`},
			{"/admin/creanciers/" + s.cred["a"].ID.String(), `[data-testid="creditor-record"]`},
			{"/admin/taux", `[data-testid="rates-ecb_refi"]`},
		}},
		// The accountant (« comptable »): its money screens and the cases
		// it reads to check a match.
		{"comptable@e2e.test", []page{
			{"/comptabilite", `[data-testid="held-total"]`},
			{"/comptabilite/releves", `[data-testid="bank-import"]`},
			{"/comptabilite/reversements", `[data-testid="run-new"]`},
			{"/comptabilite/factures", `[data-testid="invoices"]`},
			{"/dossiers", "main table"},
			{"/dossiers/" + own.ID.String(), `[data-testid="total-due"]`},
		}},
	} {
		w := window(t, ctx)
		signIn(t, w, base, role.email)
		injectAxe(t, w, axe)
		name := strings.TrimSuffix(role.email, "@e2e.test")
		for _, p := range role.pages {
			checkPage(t, w, name, p.path, p.ready)
		}
		if name == "agent" {
			// The agent's payment form, open: its fields, marks and hints too.
			visit(t, w, "/dossiers/"+own.ID.String(), `[data-testid="total-due"]`)
			if err := chromedp.Do(w, chromedp.KeyEvent("e"), chromedp.WaitVisible(chromedp.CSS(`form.action-form input[name="amount"]`))); err != nil {
				t.Fatal(err)
			}
			runAxe(t, w, "agent payment form")
		}
	}
}

type page struct{ path, ready string }

// axeSource is axe-core's script from the web app's npm dev dependencies.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is a dev dependency of the web app: run make web-deps (npm ci in web/): %v", err)
	}
	return string(b)
}

// injectAxe loads axe into the page; in-app navigation keeps it.
func injectAxe(t *testing.T, ctx context.Context, src string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+"\n;typeof axe === 'object'"))
	if err != nil || !ok {
		t.Fatalf("axe did not load: %v", err)
	}
}

// visit opens an in-app page the way a link does (no reload, so axe and
// the sign-in stay) and waits until it shows ready and no longer loads. A
// page that never does is an error, and false.
func visit(t *testing.T, ctx context.Context, path, ready string) bool {
	t.Helper()
	if path != "" {
		js := fmt.Sprintf(`history.pushState(null, "", %q); dispatchEvent(new PopStateEvent("popstate")); true`, path)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
			t.Fatal(err)
		}
	}
	js := fmt.Sprintf(`!!document.querySelector(%q) && !/Chargement…|Loading…/.test(document.body.innerText)`, ready)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, "quality-timeout"+strings.ReplaceAll(path, "/", "-"))
			if strings.HasPrefix(path, "/dossiers/") {
				got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`Promise.all(["", "/statement", "/documents"].map((p) => fetch("/api/v1/cases/%s" + p).then(async (r) => r.status + " " + p + (r.ok ? "" : " " + (await r.text()).slice(0, 300)))))
					.then((a) => a.join(", "))`, strings.TrimPrefix(path, "/dossiers/")), chromedp.EvalAwaitPromise))
				t.Logf("the case's API answers: %s", got)
			}
			t.Errorf("%s never showed %s", path, ready)
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkPage opens a page, runs axe on it, then lays it out on a 360 px
// phone: the page must not be wider than the screen.
func checkPage(t *testing.T, ctx context.Context, role, path, ready string) {
	t.Helper()
	if !visit(t, ctx, path, ready) {
		return
	}
	runAxe(t, ctx, role+" "+path)
	frenchLabels(t, ctx, role+" "+path)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	noSidewaysScroll(t, ctx, fmt.Sprintf("%s %s at 360 px", role, path))
	if err := chromedp.Do(ctx, chromedp.ResetViewport()); err != nil {
		t.Fatal(err)
	}
}

// labelsOf returns the page's language and what it shows that no French
// reader would take for a label: a program's code (snake_case such as
// "formal_notice", or a message key such as "admin.tab.ledger") in its text,
// its accessible names, titles or placeholders, or "undefined", "null",
// "NaN", "[object Object]".
func labelsOf(t *testing.T, ctx context.Context, where string) (lang string, seen []string) {
	t.Helper()
	js := `(() => {
		const code = /(^|[\s(«"'])([a-z]+(?:_[a-z]+)+|[a-z]+(?:\.[a-z_]+){2,})(?=$|[\s).,;:»"'])|\b(undefined|NaN|null)\b|\[object Object\]/;
		const seen = [];
		const check = (what, s) => { const m = code.exec(s || ""); if (m && seen.length < 8) seen.push(what + ": " + JSON.stringify(m[0].trim()) + " in " + JSON.stringify((s || "").trim().slice(0, 80))); };
		for (const el of document.querySelectorAll("body *")) {
			if (el.closest("script, style, code, pre, [hidden]") || !el.getClientRects().length) continue;
			for (const n of el.childNodes) if (n.nodeType === 3) check(el.tagName.toLowerCase(), n.textContent);
			for (const a of ["aria-label", "title", "placeholder", "alt"]) if (el.hasAttribute(a)) check(a, el.getAttribute(a));
		}
		return JSON.stringify({ lang: document.documentElement.lang, seen });
	})()`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("labels of %s: %v", where, err)
	}
	var res struct {
		Lang string
		Seen []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("labels of %s: %v", where, err)
	}
	return res.Lang, res.Seen
}

// frenchLabels fails when the page is not in French or shows a code as a
// label (labelsOf).
func frenchLabels(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	lang, seen := labelsOf(t, ctx, where)
	if lang != "fr" {
		t.Errorf("%s: the page's language is %q, want fr", where, lang)
	}
	for _, s := range seen {
		t.Errorf("%s: not a French label: %s", where, s)
	}
}

// labelsSelfCheck shows that labelsOf would fail the test: a code and a
// message key, added for the check, are reported.
func labelsSelfCheck(t *testing.T, ctx context.Context) {
	t.Helper()
	add := `(() => { const p = document.createElement("p"); p.id = "labels-self-check"; p.textContent = "Étape : formal_notice";
		const b = document.createElement("button"); b.setAttribute("aria-label", "admin.tab.ledger"); p.append(b); document.body.append(p); return true; })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](add)); err != nil {
		t.Fatal(err)
	}
	_, seen := labelsOf(t, ctx, "self-check")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("labels-self-check").remove(), true)`)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, " | "); !strings.Contains(got, `"formal_notice"`) || !strings.Contains(got, `"admin.tab.ledger"`) {
		t.Fatalf("the label check does not report a code and a message key: %q", got)
	}
}

// axeSelfCheck shows that axe runs and would fail the test: an image
// without a text alternative, added for the check, is a critical violation.
func axeSelfCheck(t *testing.T, ctx context.Context) {
	t.Helper()
	js := `(() => { const img = document.createElement("img"); img.id = "axe-self-check"; img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
		document.body.append(img);
		return axe.run(document, { runOnly: ["image-alt"] }).then((r) => (img.remove(), r.violations.map((v) => v.id + " " + v.impact).join(","))); })()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil || got != "image-alt critical" {
		t.Fatalf("axe does not report an image without alt: %q %v", got, err)
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe fails the test on any serious or critical violation axe finds
// (WCAG 2.1 A and AA rules and axe's best practices), naming each one and
// where it is; it logs the minor and moderate ones.
func runAxe(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	js := `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] })
		.then((r) => JSON.stringify({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact || "", help: v.help,
			nodes: v.nodes.slice(0, 6).map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " ")) })) }))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", where, err)
	}
	var res struct {
		Passes     int
		Violations []axeViolation
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("axe on %s: %v", where, err)
	}
	if res.Passes == 0 {
		t.Errorf("axe checked nothing on %s", where)
	}
	t.Logf("axe, %s: %d rules passed, %d violated", where, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		msg := fmt.Sprintf("axe, %s: %s (%s) %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// noSidewaysScroll fails when the page is wider than the screen.
func noSidewaysScroll(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	js := `(() => { const e = document.scrollingElement;
		const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) if (/auto|scroll|hidden/.test(getComputedStyle(p).overflowX)) return true; return false; };
		const wide = [...document.querySelectorAll("body *")].filter((el) => el.getBoundingClientRect().right > e.clientWidth + 1 && !scrolls(el))
			.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 8).map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " " + Math.round(el.getBoundingClientRect().right) + "px");
		return JSON.stringify({ scroll: e.scrollWidth, client: e.clientWidth, wide }); })()`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Scroll, Client int
		Wide           []string
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m.Scroll > m.Client {
		screenshot(t, ctx, "too-wide-"+regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(where), "-"))
		t.Errorf("%s: the page is %d px wide on a %d px screen; too wide: %s", where, m.Scroll, m.Client, strings.Join(m.Wide, ", "))
	}
}

// phones: on a 390 px phone the case list shows cards, each line naming
// its column, and nothing scrolls sideways; the portal fits 360 px.
func phones(t *testing.T, ctx context.Context) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = chromedp.Do(ctx, chromedp.ResetViewport()) }()
	visit(t, ctx, "/dossiers", "main table")
	noSidewaysScroll(t, ctx, "case list at 390 px")
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const tr = document.querySelector("main table tbody tr"), td = tr.querySelectorAll("td")[1];
		return getComputedStyle(tr).display + " | " + getComputedStyle(td, "::before").content; })()`))
	if err != nil || !strings.HasPrefix(got, "block | ") || !strings.Contains(got, "Débiteur") {
		t.Fatalf("the case list on a phone is not cards naming their columns: %q %v", got, err)
	}
	screenshot(t, ctx, "phone-390-case-list")

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, "/portefeuille", `[data-testid="figures"]`)
	noSidewaysScroll(t, ctx, "portal at 360 px")
	// The header fits on the phone: the nav scrolls within itself.
	if h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("header.top").getBoundingClientRect().height`)); err != nil || h > 120 {
		t.Errorf("the header is %.0f px high on a 360 px phone (%v)", h, err)
	}
	screenshot(t, ctx, "phone-360-portal")
}

// forms: the new case form marks its required fields, reads and rewrites
// amounts as typed, refuses a wrong one beside the field, and when sent
// empty lists every problem at the top with the focus on that list, each
// linked to its field; in English, amounts and dates are the English way.
func forms(t *testing.T, ctx context.Context) {
	visit(t, ctx, "/dossiers/nouveau", `input[name="debtor.name"]`)
	name := `input[name="debtor.name"]`
	if got := adminAttr(t, ctx, name, "aria-required"); got != "true" {
		t.Fatalf("the debtor's name has aria-required=%q", got)
	}
	if got := text(t, ctx, `.field:has(`+name+`) label`); !strings.HasSuffix(got, "*") {
		t.Fatalf("the debtor's name label does not show it is required: %q", got)
	}
	amount := `input[name="claims.0.amount_cents"]`
	read := `.field:has(` + amount + `) [data-testid="amount-read"]`
	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(amount), "1234,5")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, read, "Soit 1 234,50 €", 2*time.Second)
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(name))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(amount))); spaces(got) != "1 234,50" {
		t.Fatalf("the amount once left reads %q, want 1 234,50", got)
	}
	adminRetype(t, ctx, amount, "12,345")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(name))); err != nil {
		t.Fatal(err)
	}
	adminFieldError(t, ctx, amount, "Montant invalide")

	// Sent with nothing else filled: the summary takes the focus and links
	// each field left empty.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.new-case button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	summary := `[data-testid="error-summary"]`
	waitText(t, ctx, summary, "Raison sociale ou nom : À remplir.", 3*time.Second)
	for _, want := range []string{"Montant TTC : Montant invalide", "N° de facture : À remplir."} {
		waitText(t, ctx, summary, want, time.Second)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.dataset.testid || document.activeElement.tagName`)); got != "error-summary" {
		t.Fatalf("the focus is on %q, not on the error summary", got)
	}
	runAxe(t, ctx, "new case with its error summary")
	screenshot(t, ctx, "form-error-summary")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(summary+` a[href="#`+adminAttr(t, ctx, name, "id")+`"]`))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.name || ""`)); got != "debtor.name" {
		t.Fatalf("the summary's link focused %q, not the debtor's name", got)
	}

	// In English: amounts the English way, dates with the month in letters.
	toggle := `//header//button[normalize-space()="English"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.Search(toggle))); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = chromedp.Do(ctx, chromedp.Click(chromedp.Search(`//header//button[normalize-space()="Français"]`)))
	}()
	adminRetype(t, ctx, amount, "1234.5")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(name))); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(amount))); got != "1,234.50" {
		t.Fatalf("the amount once left reads %q in English, want 1,234.50", got)
	}
	setDate(t, ctx, `input[name="claims.0.due_on"]`, recouvra.MustDate("2026-12-02"))
	waitText(t, ctx, `.field:has(input[name="claims.0.due_on"]) [data-testid="date-read"]`, "2 December 2026", 2*time.Second)
	visit(t, ctx, "/dossiers", "main table")
	numeric := regexp.MustCompile(`\b\d{2}/\d{2}/\d{4}\b`)
	if got := text(t, ctx, "main"); numeric.MatchString(got) {
		t.Fatalf("an ambiguous numeric date in the English case list: %q", numeric.FindString(got))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`main table tbody tr a`))); err != nil {
		t.Fatal(err)
	}
	if !visit(t, ctx, "", `[data-testid="total-due"]`) {
		return
	}
	waitText(t, ctx, `[data-testid="timeline"]`, "Case opened", 3*time.Second)
	if got := text(t, ctx, "main"); numeric.MatchString(got) || !regexp.MustCompile(`\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b`).MatchString(got) {
		t.Fatalf("the English case page's dates:\n%s", got)
	}
	screenshot(t, ctx, "case-page-english")
}

// slowPortal signs a creditor in, empties the cache, throttles the network
// to a slow 4G link and loads the portal, recording how long the figures
// take to show. The figure is logged and written to
// test-artifacts/portal-slow-4g.json; no assertion on it.
func slowPortal(t *testing.T, ctx context.Context, base string) {
	signIn(t, ctx, base, "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="figures"]`, "€", 5*time.Second)
	const latencyMS, downKbps, upKbps = 150, 1600, 750
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	throttle := cdp.Command[map[string]any, cdp.Empty]{Method: "Network.emulateNetworkConditions"}
	if _, err := chromedp.Call(ctx, throttle, map[string]any{
		"offline": false, "latency": latencyMS, "downloadThroughput": downKbps * 1000 / 8, "uploadThroughput": upKbps * 1000 / 8, "connectionType": "cellular4g",
	}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = chromedp.Call(ctx, throttle, map[string]any{"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
	}()

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/portefeuille")); err != nil {
		t.Fatal(err)
	}
	var shownMS float64
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('[data-testid="figures"] dd') ? performance.now() : -1`))
		if err == nil && ms >= 0 {
			shownMS = ms
			break
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, "quality-slow-4g-timeout")
			t.Fatal("the portal's figures did not show within 60 s over slow 4G")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall := time.Since(start)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify((() => {
		const nav = performance.getEntriesByType("navigation")[0] || {};
		const res = performance.getEntriesByType("resource");
		return { dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd || 0), load_ms: Math.round(nav.loadEventEnd || 0),
			transferred_bytes: (nav.transferSize || 0) + res.reduce((n, r) => n + (r.transferSize || 0), 0),
			requests: 1 + res.length, resources: res.map((r) => r.name.replace(location.origin, "") + " " + (r.transferSize || 0) + " B " + Math.round(r.responseEnd) + " ms") };
	})())`))
	if err != nil {
		t.Fatal(err)
	}
	var page map[string]any
	if err := json.Unmarshal([]byte(out), &page); err != nil {
		t.Fatal(err)
	}
	report := map[string]any{
		"profile":          map[string]any{"latency_ms": latencyMS, "download_kbps": downKbps, "upload_kbps": upKbps, "cache": "empty, disabled"},
		"figures_shown_ms": int(shownMS),
		"wall_clock_ms":    wall.Milliseconds(),
		"page":             page,
		"measured_at":      time.Now().UTC().Format(time.RFC3339),
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	p := filepath.Join(artifacts(t), "portal-slow-4g.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("portal over slow 4G (%d ms, %d/%d kbps, empty cache): figures shown %d ms after navigation start (%s wall clock); %v B in %v requests; written to %s",
		latencyMS, downKbps, upKbps, int(shownMS), wall.Round(time.Millisecond), page["transferred_bytes"], page["requests"], p)
}
