package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCreditorForecast: the portal's forecast panel shows the API's
// figures — a pending promise of 300,00 € weighted at the neutral 50 %
// while no promise was judged — in a table, with the weighting in words.
func TestCreditorForecast(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	bg := context.Background()
	agentSession, err := s.svc.Login(bg, "agent@e2e.test", password, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := s.svc.Authenticate(bg, agentSession.Token)
	if err != nil {
		t.Fatal(err)
	}
	due := recouvra.DateOf(s.now()).AddDays(9)
	if _, err := s.svc.LogEvent(bg, agent, s.cases["own"].Case.ID, recouvra.EventPromise, "", map[string]any{"amount_cents": float64(30000), "due_on": due.String()}); err != nil {
		t.Fatal(err)
	}
	creditorSession, err := s.svc.Login(bg, "creditor@e2e.test", password, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/portfolio/forecast", nil)
	req.Header.Set("Authorization", "Bearer "+creditorSession.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("forecast: %v %v", resp, err)
	}
	var f oapi.PortfolioForecast
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f.PromisedCents != 30000 || f.ExpectedCents != 15000 || !f.Weighting.Neutral {
		t.Fatalf("forecast %+v", f)
	}

	signIn(t, ctx, base, "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="forecast-expected"]`, recouvra.FrenchMoney(f.ExpectedCents, "EUR"), 5*time.Second)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="forecast-weighting"]').textContent`))
	if err != nil || !strings.Contains(spaces(got), "pondération neutre de 50,0 %") {
		t.Fatalf("weighting: %q %v", got, err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="forecast-ahead"] tbody tr').length`))
	if err != nil || rows != 13 {
		t.Fatalf("%d weeks shown (%v)", rows, err)
	}
}
