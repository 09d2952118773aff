package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// frenchDays writes a DSO as the portal does: "74,5 j".
func frenchDays(d float64) string { return strings.Replace(fmt.Sprintf("%.1f", d), ".", ",", 1) + " j" }

// frenchPercent writes basis points as the portal does: 1667 → "16,7 %".
func frenchPercent(bps int64) string {
	tenths := (bps + 5) / 10
	return fmt.Sprintf("%d,%d %%", tenths/10, tenths%10)
}

// TestCreditorInsights: a creditor's portal shows the DSO, the monthly
// charts' figures and the recovery rates exactly as the API computes
// them; its case list sorts by a column (the header says how) and keeps
// the sort in the address; its case page lists the invoices and payments.
func TestCreditorInsights(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	bg := context.Background()
	own := s.cases["own"].Case

	// History: two cases placed 40 and 70 days ago (the server's clock
	// moved back while they are placed), one paid in part then.
	agentSession, err := s.svc.Login(bg, "agent@e2e.test", password, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := s.svc.Authenticate(bg, agentSession.Token)
	if err != nil {
		t.Fatal(err)
	}
	credA := s.cred["a"].ID
	var older []app.CaseView
	for i, back := range []int{70, 40} {
		s.shift.Store(int64(time.Duration(back) * 24 * time.Hour))
		today := recouvra.DateOf(s.now())
		v, err := s.svc.CreateCase(bg, app.System, app.NewCase{CreditorID: &credA,
			Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: fmt.Sprintf("Atelier %c SARL", 'A'+i), Address: recouvra.Address{Line1: "2 rue Neuve", PostalCode: "25000", City: "Besançon"}},
			Claims: []recouvra.Claim{{InvoiceNumber: fmt.Sprintf("FA-OLD-%d", i), IssuedOn: today.AddDays(-80), DueOn: today.AddDays(-50), AmountCents: int64(80_000 + 70_000*i)}},
		}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		older = append(older, v)
	}
	if _, err := s.svc.RecordPayment(bg, agent, older[0].Case.ID, app.NewPayment{AmountCents: 20_000, ReceivedOn: recouvra.DateOf(s.now()), Method: recouvra.MethodCheque}); err != nil {
		t.Fatal(err)
	}
	s.shift.Store(0)

	// The API's figures, asked as the creditor.
	creditorSession, err := s.svc.Login(bg, "creditor@e2e.test", password, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/portfolio/performance", nil)
	req.Header.Set("Authorization", "Bearer "+creditorSession.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("performance: %v %v", resp, err)
	}
	var perf oapi.PortfolioPerformance
	if err := json.NewDecoder(resp.Body).Decode(&perf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if perf.DsoDays <= 0 || len(perf.Months) != 12 {
		t.Fatalf("performance %+v", perf)
	}

	signIn(t, ctx, base, "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="dso"]`, frenchDays(perf.DsoDays), 5*time.Second)
	rows := func(sel string) []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+fmt.Sprintf("%q", sel)+` + " tbody tr")].map(tr =>
			[tr.dataset.month || tr.dataset.key, ...[...tr.querySelectorAll("td")].map(td => td.textContent)].join("|"))`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	var wantFlows, wantDSO []string
	for _, m := range perf.Months {
		wantFlows = append(wantFlows, strings.Join([]string{m.Month, recouvra.FrenchMoney(m.PlacedCents, "EUR"), recouvra.FrenchMoney(m.RecoveredCents, "EUR"), recouvra.FrenchMoney(m.RemittedCents, "EUR")}, "|"))
		wantDSO = append(wantDSO, m.Month+"|"+frenchDays(m.DsoDays))
	}
	norm := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = spaces(s)
		}
		return out
	}
	if got := norm(rows(`[data-testid="flows-chart"]`)); !slices.Equal(got, norm(wantFlows)) {
		t.Errorf("the placed/recovered/remitted chart's figures:\n%s\nthe API's:\n%s", strings.Join(got, "\n"), strings.Join(norm(wantFlows), "\n"))
	}
	if got := norm(rows(`[data-testid="dso-chart"]`)); !slices.Equal(got, norm(wantDSO)) {
		t.Errorf("the DSO chart's figures:\n%s\nthe API's:\n%s", strings.Join(got, "\n"), strings.Join(norm(wantDSO), "\n"))
	}
	// The bars drawn: one per month and series, as tall as their share.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="flows-chart"] svg rect').length`)); err != nil || n != 36 {
		t.Errorf("%d bars drawn (%v), want 36", n, err)
	}
	if role, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="flows-chart"] svg').getAttribute("role")`)); err != nil || role != "img" {
		t.Errorf("the chart's role %q (%v)", role, err)
	}
	for _, st := range perf.ByStage {
		want := "—"
		if st.Cases > 0 {
			want = frenchPercent(st.RecoveryRateBps)
		}
		got := text(t, ctx, fmt.Sprintf(`[data-testid="rates-by-stage"] tr[data-key=%q] td[data-rate]`, st.Stage))
		if got != want {
			t.Errorf("recovery rate at %s: %q, the API's %q", st.Stage, got, want)
		}
	}
	screenshot(t, ctx, "creditor-insights")

	// The case list: sorted by balance when its header is clicked, the
	// other way on a second click, the sort kept in the address.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav a[href="/dossiers"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="case-list"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="case-list"]`, own.Reference, 5*time.Second)
	balances := func() []int {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll('[data-testid="case-list"] tbody td[data-cents]')].map(td => Number(td.dataset.cents))`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	sortBy := func(state string) []int {
		t.Helper()
		sel := `[data-testid="case-list"] th[data-sort="balance"]`
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel+" button")), chromedp.WaitVisible(chromedp.CSS(sel+`[aria-sort="`+state+`"]`))); err != nil {
			t.Fatal(err)
		}
		// The list comes back from the server after the click.
		deadline := time.Now().Add(5 * time.Second)
		for {
			b := balances()
			if len(b) == 3 && slices.IsSortedFunc(b, func(x, y int) int {
				if state == "descending" {
					return y - x
				}
				return x - y
			}) {
				return b
			}
			if time.Now().After(deadline) {
				t.Fatalf("balances %v never sorted %s", b, state)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	down := sortBy("descending")
	up := sortBy("ascending")
	if down[0] != 250_000 || !slices.Equal(down, []int{up[2], up[1], up[0]}) || down[0] == up[0] {
		t.Errorf("descending %v, ascending %v", down, up)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`)); err != nil || !strings.Contains(loc, "sort=balance") || !strings.Contains(loc, "order=asc") {
		t.Errorf("the address keeps %q (%v)", loc, err)
	}
	screenshot(t, ctx, "creditor-cases-sorted")

	// The case page: its invoices and its payments.
	paid := older[0].Case
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/dossiers/`+paid.ID.String()+`"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="claims"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="claims"]`, "FA-OLD-0", 5*time.Second)
	waitText(t, ctx, `[data-testid="payments"]`, "200,00 €", 5*time.Second)
	waitText(t, ctx, `[data-testid="payments"]`, "Chèque", time.Second)
}
