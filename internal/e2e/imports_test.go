package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// portalImportCSV has two good rows and two bad ones (an impossible date,
// an amount in words), as an accounting export writes them.
const portalImportCSV = "\xEF\xBB\xBFRaison sociale;SIREN;Adresse;Code postal;Ville;Numéro de facture;Date de facture;Échéance;Montant TTC;Référence\n" +
	"Garage Lefèvre SARL;443 061 841;5 rue de la Gare;69007;Lyon;F-100;15/01/2026;15/02/2026;1 234,56;R-1\n" +
	"Atelier Dupuis;;8 bd Voltaire;75011;Paris;F-200;10/01/2026;10/02/2026;80,50;R-2\n" +
	"Café du Port;;2 quai Sud;29200;Brest;F-400;31/02/2026;01/03/2026;50,00;R-4\n" +
	"Boucherie Morel;;3 rue Haute;35000;Rennes;F-500;01/01/2026;01/02/2026;beaucoup;R-5\n"

// acceptConfirms answers every window.confirm yes and keeps what it asked,
// read back with lastConfirm.
func acceptConfirms(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = (m) => { window.__asked = String(m); return true; }, true)`)); err != nil {
		t.Fatal(err)
	}
}

func lastConfirm(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const m = window.__asked || ""; window.__asked = ""; return m; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return spaces(s)
}

// portalImport uploads file on the import screen, checks the preview and
// runs it; it returns when the counts are shown.
func portalImport(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="imports-file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="imports-file"]`), []string{file}),
		chromedp.Click(chromedp.CSS(`[data-testid="imports-upload"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="imports-preview"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The guessed mapping: each required field found in its column.
	for field, col := range map[string]string{"debtor_name": "0", "invoice_number": "5", "issued_on": "6", "due_on": "7", "amount": "8", "siren": "1", "reference": "9"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="imports-mapping"] select[data-field="`+field+`"]').value`))
		if err != nil || got != col {
			t.Fatalf("mapping of %s: column %q, want %s (%v)", field, got, col, err)
		}
	}
	waitText(t, ctx, `[data-testid="imports-preview-summary"]`, "2 ligne(s) de l'aperçu en erreur sur 4.", 3*time.Second)
	// The bad cells are marked where they are: line 4's invoice date, line 5's amount.
	for _, sel := range []string{`tr[data-line="4"] td:nth-child(8).cell-problem`, `tr[data-line="5"] td:nth-child(10).cell-problem`} {
		if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="imports-preview"] `+sel+`').length`)); err != nil || n != 1 {
			t.Fatalf("%s not marked (%d, %v)", sel, n, err)
		}
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="imports-preview"] td.cell-problem').length`)); n != 2 {
		t.Fatalf("%d cells marked in error, want 2", n)
	}
	acceptConfirms(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="imports-run"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="imports-progress"]`, "Import terminé.", 30*time.Second)
	if m := lastConfirm(t, ctx); !strings.Contains(m, "Placer les lignes correctes") {
		t.Fatalf("the run was not confirmed first: %q", m)
	}
}

func counts(t *testing.T, ctx context.Context) string {
	t.Helper()
	return text(t, ctx, `[data-testid="imports-placed"]`) + "/" + text(t, ctx, `[data-testid="imports-present"]`) + "/" +
		text(t, ctx, `[data-testid="imports-refused"]`) + "/" + text(t, ctx, `[data-testid="imports-cases"]`)
}

// TestCreditorImportsExportsAndActs: the creditor is told on its home page
// that the dispatcher disabled its failing webhook endpoint; it places a file with good
// and bad rows from the portal (preview marked, counts, the refused rows'
// file), places it again (nothing twice), exports its filtered case list,
// a timeline and its portfolio, and on its case page writes to the agent,
// reports a payment received directly and asks to withdraw the case.
func TestCreditorImportsExportsAndActs(t *testing.T) {
	s := newSiteWith(t, func(c *config.Config) { c.WebhookAllowPrivate = true })

	// An endpoint of the creditor's that has answered 500 for four days is
	// disabled by the dispatcher; the creditor's home page says so.
	down := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(500) }))
	t.Cleanup(down.Close)
	bg := context.Background()
	cp := principal(t, s, "creditor@e2e.test")
	ep, err := s.svc.CreateWebhookEndpoint(bg, cp, app.Meta{}, nil, recouvra.WebhookEndpointInput{URL: down.URL + "/hooks", Types: []string{"case.placed"}})
	if err != nil {
		t.Fatal(err)
	}
	s.shift.Store(int64(4 * 24 * time.Hour))
	if _, err := s.svc.PingWebhookEndpoint(bg, cp, ep.ID); err != nil {
		t.Fatal(err)
	}
	s.shift.Store(0)
	if _, err := s.svc.DeliverWebhooks(bg); err != nil {
		t.Fatal(err)
	}
	if ep, err = s.svc.WebhookEndpoint(bg, cp, ep.ID); err != nil || ep.Enabled || ep.DisabledReason != "failing" {
		t.Fatalf("the failing endpoint: enabled %v, reason %q (%v)", ep.Enabled, ep.DisabledReason, err)
	}

	ctx := browser(t)
	file := filepath.Join(t.TempDir(), "factures.csv")
	if err := os.WriteFile(file, []byte(portalImportCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="webhook-notice"]`, "Votre point de réception de webhooks "+ep.URL+" a été désactivé", 5*time.Second)
	if href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="webhook-notice"] a').getAttribute("href")`)); href != "/webhooks" {
		t.Fatalf("the notice leads to %q", href)
	}

	portalImport(t, ctx, file)
	if got := counts(t, ctx); got != "2/0/2/2" {
		t.Fatalf("placed/present/refused/cases: %s", got)
	}
	screenshot(t, ctx, "creditor-import-done")
	refused := string(downloaded(t, ctx, `[data-testid="imports-refused-csv"]`))
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(refused, "\xEF\xBB\xBF")), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "motif du refus") || !strings.Contains(lines[1], "Café du Port") || !strings.Contains(lines[1], "31/02/2026") ||
		!strings.Contains(lines[2], "Boucherie Morel") || !strings.Contains(lines[2], "beaucoup") || strings.Contains(refused, "Garage") {
		t.Fatalf("the refused rows' file:\n%s", refused)
	}
	credA := s.cred["a"].ID
	mine, err := s.svc.ListCases(context.Background(), app.System, app.CaseFilter{CreditorID: &credA, Query: "Garage"}, app.PageRequest{})
	if err != nil || len(mine.Items) != 1 || mine.Items[0].PrincipalCents != 123_456 {
		t.Fatalf("the placed case: %+v %v", mine.Items, err)
	}

	// The same file again places nothing twice.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="imports-again"]`))); err != nil {
		t.Fatal(err)
	}
	portalImport(t, ctx, file)
	if got := counts(t, ctx); got != "0/2/2/0" {
		t.Fatalf("the second import's placed/present/refused/cases: %s", got)
	}

	// The case list exported with the filter on screen: only what it shows.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/dossiers"]`)), chromedp.WaitVisible(chromedp.CSS("main table")),
		typeIn(chromedp.CSS(`main input[type="search"]`), "Garage")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "main table", mine.Items[0].Reference, 5*time.Second)
	list := string(downloaded(t, ctx, `[data-testid="cases-export"] button[data-format="csv"]`))
	if !strings.Contains(list, "Garage Lefèvre SARL") || !strings.Contains(list, "1234,56") || strings.Contains(list, "Scierie") || strings.Contains(list, "Minoterie") {
		t.Fatalf("the filtered case list's file:\n%s", list)
	}

	// The portfolio: its own figures (2 500,00 + 1 234,56 + 80,50 placed).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/portefeuille"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="portfolio-export"]`))); err != nil {
		t.Fatal(err)
	}
	pf := string(downloaded(t, ctx, `[data-testid="portfolio-export"] button[data-format="csv"]`))
	if !strings.Contains(pf, "total;principal confié;;3815,06;EUR") || !strings.Contains(pf, "total;dossiers confiés;3;;") {
		t.Fatalf("the portfolio's file:\n%s", pf)
	}

	// The case page: the timeline's file, then the creditor's three actions.
	own := s.cases["own"].Case
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL()+"/dossiers/"+own.ID.String()), chromedp.WaitVisible(chromedp.CSS(`[data-testid="creditor-actions"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="timeline"]`, "Dossier ouvert", 5*time.Second)
	tl := string(downloaded(t, ctx, `[data-testid="timeline-export"] button[data-format="csv"]`))
	if !strings.Contains(tl, "date;heure (UTC);événement;visibilité;détails") || !strings.Contains(tl, "case_created") {
		t.Fatalf("the timeline's file:\n%s", tl)
	}
	acceptConfirms(t, ctx)

	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-message"] textarea`), "Le débiteur nous a appelés : il promet un virement."),
		chromedp.Click(chromedp.CSS(`[data-testid="creditor-message"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Message envoyé.", 5*time.Second)
	waitText(t, ctx, `[data-testid="timeline"]`, "il promet un virement", 5*time.Second)

	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-direct-payment"] input[name="amount_cents"]`), "150,00")); err != nil {
		t.Fatal(err)
	}
	setDate(t, ctx, `[data-testid="creditor-direct-payment"] input[name="received_on"]`, recouvra.DateOf(time.Now()).AddDays(-1))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="creditor-direct-payment"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Paiement direct signalé.", 5*time.Second)
	if m := lastConfirm(t, ctx); !strings.Contains(m, "150,00 €") {
		t.Fatalf("the direct payment was not confirmed with its amount: %q", m)
	}

	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-withdrawal"] textarea`), "Accord commercial trouvé avec le client."),
		chromedp.Click(chromedp.CSS(`[data-testid="creditor-withdrawal"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="creditor-withdrawal-pending"]`, "Une demande de retrait est en cours", 5*time.Second)
	if m := lastConfirm(t, ctx); !strings.Contains(m, own.Reference) {
		t.Fatalf("the withdrawal was not confirmed: %q", m)
	}
	screenshot(t, ctx, "creditor-case-actions")

	events, _, err := s.svc.ListEvents(context.Background(), app.System, own.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[recouvra.EventType]map[string]any{}
	for _, e := range events {
		seen[e.Type] = e.Data
	}
	if d := seen[recouvra.EventMessage]; d == nil || !strings.Contains(d["text"].(string), "promet un virement") {
		t.Fatalf("message: %v", d)
	}
	if d := seen[recouvra.EventDirectPaymentReported]; d == nil || d["amount_cents"] != float64(15_000) {
		t.Fatalf("direct payment: %v", d)
	}
	if d := seen[recouvra.EventWithdrawalRequested]; d == nil || d["reason"] != "Accord commercial trouvé avec le client." {
		t.Fatalf("withdrawal: %v", d)
	}
}
