package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDoubleClickActsOnce double-clicks the submit buttons of the
// creditor's case actions — a message to the agent, a direct payment
// report, a withdrawal request (the last two confirmed) — as a user does
// who clicks twice fast: each records one event, counted through the
// service after the page says it is done.
func TestDoubleClickActsOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
	own := s.cases["own"].Case
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL()+"/dossiers/"+own.ID.String()), chromedp.WaitVisible(chromedp.CSS(`[data-testid="creditor-actions"]`))); err != nil {
		t.Fatal(err)
	}
	acceptConfirms(t, ctx)
	submit := func(form string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.DoubleClick(chromedp.CSS(`[data-testid="`+form+`"] button[type="submit"]`))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="creditor-message"] textarea`), "Deux clics, un message.")); err != nil {
		t.Fatal(err)
	}
	submit("creditor-message")
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Message envoyé.", 5*time.Second)

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="creditor-direct-payment"] input[name="amount_cents"]`), "150,00")); err != nil {
		t.Fatal(err)
	}
	setDate(t, ctx, `[data-testid="creditor-direct-payment"] input[name="received_on"]`, recouvra.DateOf(time.Now()).AddDays(-1))
	submit("creditor-direct-payment")
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Paiement direct signalé.", 5*time.Second)

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="creditor-withdrawal"] textarea`), "Accord trouvé.")); err != nil {
		t.Fatal(err)
	}
	submit("creditor-withdrawal")
	waitText(t, ctx, `[data-testid="creditor-withdrawal-pending"]`, "Une demande de retrait est en cours", 5*time.Second)
	time.Sleep(300 * time.Millisecond) // a second request, if one left, lands in this time

	events, _, err := s.svc.ListEvents(context.Background(), app.System, own.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := map[recouvra.EventType]int{}
	for _, e := range events {
		n[e.Type]++
	}
	for _, ty := range []recouvra.EventType{recouvra.EventMessage, recouvra.EventDirectPaymentReported, recouvra.EventWithdrawalRequested} {
		if n[ty] != 1 {
			t.Errorf("%s recorded %d times after a double click", ty, n[ty])
		}
	}
}
