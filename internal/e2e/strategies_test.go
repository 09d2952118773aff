package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestAdminStrategySimulation: the admin opens the shipped "B2B standard"
// strategy, lengthens its third step, simulates it on a case placed on
// Christmas Eve 2026 and reads the dated steps — counted here by hand on
// the calendar (weekends, 25 December and 1 January are not working days;
// the hand-over waits for the formal notice's 8 days) — while the stored
// strategy is still the old one; saving then stores the edit.
func TestAdminStrategySimulation(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	bg := context.Background()
	std, err := strategyNamed(bg, s, "B2B standard")
	if err != nil {
		t.Fatal(err)
	}
	if std.Steps[2].Delay != 10 {
		t.Fatalf("the shipped B2B standard's third step waits %d days, the test expects 10", std.Steps[2].Delay)
	}
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-tabs a[href="/admin/strategies"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/strategies"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="strategies-list"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="strategies-list"]`, "B2B standard", 5*time.Second)
	form := `form[data-testid="strategy-form"] `
	third := form + `fieldset[data-testid="strategy-step"]:nth-of-type(3) [data-testid="step-delay"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Modifier B2B standard"]`)),
		chromedp.WaitVisible(chromedp.CSS(third)),
	); err != nil {
		t.Fatal(err)
	}
	adminRetype(t, ctx, third, "12")
	setDate(t, ctx, `[data-testid="sample-placed-on"]`, recouvra.NewDate(2026, time.December, 24))
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="strategy-simulate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="strategy-simulation"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The dates, counted on the calendar of December 2026 – February 2027:
	// 1. e-mail on the placement day, Thursday 24 December (a working day);
	// 2. call 5 working days later: 28, 29, 30, 31 December, then 4 January
	//    (25 December and 1 January are holidays, 26–27 and 2–3 weekends);
	// 3. letter 12 calendar days later (the edit): 16 January;
	// 4. formal notice 10 calendar days later: 26 January, its 8 days run
	//    to 3 February;
	// 5. hand-over 1 working day later would be 27 January: it waits for
	//    the day after the notice's deadline, 4 February.
	want := []struct{ on, channel string }{
		{"24/12/2026", "E-mail"}, {"04/01/2027", "Appel"}, {"16/01/2027", "Lettre"}, {"26/01/2027", "Mise en demeure"}, {"04/02/2027", "juridique"},
	}
	rows := simulatedRows(t, ctx)
	if len(rows) != len(want) {
		t.Fatalf("%d simulated steps: %q", len(rows), rows)
	}
	for i, w := range want {
		if !strings.Contains(rows[i], w.on) || !strings.Contains(strings.ToLower(rows[i]), strings.ToLower(w.channel)) {
			t.Errorf("simulated step %d is %q, want %s on %s", i+1, rows[i], w.channel, w.on)
		}
	}
	if !strings.Contains(rows[4], "Reportée au lendemain") || !strings.Contains(rows[3], "03/02/2027") {
		t.Errorf("the notice's deadline and the hand-over's wait are not explained: %q / %q", rows[3], rows[4])
	}
	screenshot(t, ctx, "admin-strategy-simulation")
	// Simulated, not saved: the stored strategy still waits 10 days.
	if st, err := strategyNamed(bg, s, "B2B standard"); err != nil || st.Steps[2].Delay != 10 {
		t.Fatalf("the simulation changed the stored strategy: %v %+v", err, st.Steps)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="strategy-save"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="strategies-status"]`, "Stratégie enregistrée", 5*time.Second)
	st, err := strategyNamed(bg, s, "B2B standard")
	if err != nil || st.Steps[2].Delay != 12 || st.Version != std.Version+1 {
		t.Fatalf("saved: %v version %d, steps %+v", err, st.Version, st.Steps)
	}
}

// simulatedRows reads the simulation's rows as the admin sees them.
func simulatedRows(t *testing.T, ctx context.Context) []string {
	t.Helper()
	js := `Array.from(document.querySelectorAll('[data-testid="simulated-step"]')).map((r) => r.innerText.replace(/\s+/g, " "))`
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatal(fmt.Errorf("simulated rows: %w", err))
	}
	for i := range rows {
		rows[i] = spaces(rows[i])
	}
	return rows
}

// strategyNamed reads the stored strategy of that name.
func strategyNamed(ctx context.Context, s *site, name string) (recouvra.Strategy, error) {
	list, err := s.svc.ListStrategies(ctx, app.System)
	if err != nil {
		return recouvra.Strategy{}, err
	}
	for _, v := range list {
		if v.Name == name {
			return v.Strategy, nil
		}
	}
	return recouvra.Strategy{}, fmt.Errorf("no strategy %q", name)
}
