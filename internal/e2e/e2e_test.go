// Package e2e drives the real web app in Debian's Chromium against the real
// server and database, as the people who use Recouvra would.
package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
	"github.com/recouvra/recouvra/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const password = "mot de passe de test e2e"

type site struct {
	t     *testing.T
	srv   *server.Server
	svc   *app.Service
	cases map[string]app.CaseView
}

func newSite(t *testing.T) *site {
	t.Helper()
	if _, ok := web.App(); !ok {
		t.Fatal("the web app is not built into this test binary: run make web (make test does)")
	}
	cfg := config.Default()
	cfg.HTTPAddr, cfg.DataDir = "127.0.0.1:0", t.TempDir()
	cheap := credential.Params{Memory: 64, Time: 1, Threads: 1}
	srv, err := server.Start(context.Background(), cfg, server.Options{DB: pgtest.DB(t), Password: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	s := &site{t: t, srv: srv, svc: srv.Service(), cases: map[string]app.CaseView{}}
	ctx := context.Background()
	mk := func(name string) recouvra.Creditor {
		c, err := s.svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: name, CreditorDetails: recouvra.CreditorDetails{
			Address: recouvra.Address{Line1: "1 rue du Port", PostalCode: "13002", City: "Marseille"}}}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mk("Menuiserie Dupont SARL"), mk("Boulangerie Martin SAS")
	for _, u := range []struct {
		email string
		role  recouvra.Role
		cred  *uuid.UUID
	}{
		{"admin@e2e.test", recouvra.RoleAdmin, nil}, {"agent@e2e.test", recouvra.RoleAgent, nil},
		{"lawyer@e2e.test", recouvra.RoleLawyer, nil}, {"creditor@e2e.test", recouvra.RoleCreditor, &a.ID},
	} {
		if _, err := s.svc.CreateUser(ctx, app.System, app.NewUser{Email: u.email, Name: "E2E " + string(u.role), Role: u.role, CreditorID: u.cred, Password: password}, app.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	today := recouvra.DateOf(time.Now())
	for key, spec := range map[string]struct {
		creditor uuid.UUID
		debtor   string
		amount   int64
	}{
		// The larger balance comes first in the agents' queue.
		"own":   {a.ID, "Scierie du Jura SAS", 250_000},
		"other": {b.ID, "Minoterie Girard SA", 120_000},
	} {
		v, err := s.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &spec.creditor,
			Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: spec.debtor, Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier"}},
			Claims: []recouvra.Claim{{InvoiceNumber: "F-" + key, IssuedOn: today.AddDays(-60), DueOn: today.AddDays(-30), AmountCents: spec.amount, VATCents: spec.amount / 6}},
		}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		s.cases[key] = v
	}
	return s
}

// browser starts a headless Chromium with the flags this machine needs.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found: apt-get install chromium (.ci/run does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// window opens a separate browser window with its own storage, for a
// second person signed in at the same time.
func window(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// artifacts is where screenshots go: $RECOUVRA_E2E_ARTIFACTS, else
// test-artifacts/ at the repository root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("RECOUVRA_E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Quality 100 gives a PNG; below that, a JPEG.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifacts(t), name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("header.top")),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{}).innerText||""`, sel)))
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q never appeared in %s within %s (got %q)", want, sel, within, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCreditorPortal: a creditor signs in and sees only its own cases; its
// open case page shows a payment the agency records, without a reload.
func TestCreditorPortal(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	signIn(t, ctx, base, "creditor@e2e.test")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatal(err)
	}
	list := text(t, ctx, "main")
	own, other := s.cases["own"].Case, s.cases["other"].Case
	if !strings.Contains(list, own.Reference) || strings.Contains(list, other.Reference) || strings.Contains(list, "Minoterie") {
		t.Fatalf("the creditor's list:\n%s", list)
	}
	screenshot(t, ctx, "creditor-cases")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/dossiers/`+own.ID.String()+`"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="total-due"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="timeline"]`, "Dossier ouvert", 5*time.Second)
	screenshot(t, ctx, "creditor-case")

	// The agency records a payment while the page is open.
	agent, err := s.svc.Login(context.Background(), "agent@e2e.test", password, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.svc.Authenticate(context.Background(), agent.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.RecordPayment(context.Background(), p, own.ID, app.NewPayment{AmountCents: 50_000, ReceivedOn: recouvra.DateOf(time.Now()), Method: recouvra.MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitText(t, ctx, `[data-testid="timeline"]`, "Paiement reçu", 3*time.Second)
	t.Logf("payment shown %s after it was recorded", time.Since(start).Round(time.Millisecond))
	screenshot(t, ctx, "creditor-case-live-payment")

	// Another creditor's case is not found, even by its address.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/dossiers/"+other.ID.String()), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "main"); strings.Contains(got, "Minoterie") || strings.Contains(got, other.Reference) {
		t.Fatalf("another creditor's case shown:\n%s", got)
	}
}

// TestAgentWorkspace: an agent takes the next case from the queue, logs a
// call and a payment with the keyboard; the creditor's case page, open in
// another window, shows that payment without a reload.
func TestAgentWorkspace(t *testing.T) {
	s := newSite(t)
	agent := browser(t)
	base := s.srv.URL()
	own := s.cases["own"].Case

	creditor := window(t, agent)
	signIn(t, creditor, base, "creditor@e2e.test")
	if err := chromedp.Do(creditor, chromedp.Navigate(base+"/dossiers/"+own.ID.String()), chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, creditor, `[data-testid="timeline"]`, "Dossier ouvert", 5*time.Second)

	signIn(t, agent, base, "agent@e2e.test")
	waitText(t, agent, "main", own.Reference, 5*time.Second)
	screenshot(t, agent, "agent-queue")
	if err := chromedp.Do(agent, chromedp.Click(chromedp.CSS(`[data-testid="next-case"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="total-due"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, "main h1", own.Reference, 5*time.Second)
	if got, _ := chromedp.Run(agent, chromedp.Location()); !strings.HasSuffix(got, own.ID.String()) {
		t.Fatalf("next case opened %s, want the case with the largest balance", got)
	}

	// "a" opens the call form with its first field focused.
	if err := chromedp.Do(agent, chromedp.KeyEvent("a"), chromedp.WaitVisible(chromedp.CSS(`form.action-form select[name="outcome"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(agent,
		chromedp.SetValue(chromedp.CSS(`select[name="outcome"]`), "reached"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="note"]`), "Le gérant promet de régler une partie cette semaine."),
		chromedp.Click(chromedp.CSS(`form.action-form button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, `[data-testid="timeline"]`, "Le gérant promet", 5*time.Second)
	screenshot(t, agent, "agent-case-call")

	// A refused payment says why, in words, beside the form.
	if err := chromedp.Do(agent, chromedp.KeyEvent("e"), chromedp.WaitVisible(chromedp.CSS(`form.action-form input[name="amount"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="amount"]`), "douze"),
		chromedp.Click(chromedp.CSS(`form.action-form button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, agent, `.actions [role="alert"]`, "Montant invalide", 3*time.Second)
	if _, err := chromedp.Run(agent, chromedp.Evaluate[string](`document.querySelector('input[name="amount"]').value = ""`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(agent,
		chromedp.SendKeys(chromedp.CSS(`input[name="amount"]`), "1 200,50"),
		chromedp.Click(chromedp.CSS(`form.action-form button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitText(t, agent, `[data-testid="timeline"]`, "Paiement reçu", 5*time.Second)
	waitText(t, creditor, `[data-testid="timeline"]`, "Paiement reçu", 3*time.Second)
	t.Logf("the creditor's page showed the payment %s after the agent's page", time.Since(start).Round(time.Millisecond))
	screenshot(t, agent, "agent-case-payment")
	screenshot(t, creditor, "creditor-case-agent-payment")

	// The payment is recorded as typed: 1 200,50 € is 120 050 cents.
	v, err := s.svc.GetCase(context.Background(), app.System, own.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Case.PaidCents != 120_050 {
		t.Fatalf("paid %d cents, want 120050", v.Case.PaidCents)
	}
}
