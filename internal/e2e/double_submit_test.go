package e2e_test

import (
	"context"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDoubleClickActsOnce double-clicks, as a user who clicks twice fast,
// the debtor page's payment declaration and the creditor's case actions —
// a message to the agent, a direct payment report, a withdrawal request
// (the last two confirmed): each records one event, counted through the
// service after the page says it is done.
func TestDoubleClickActsOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	own := s.cases["own"].Case

	// The debtor's page (no script: a plain form with a one-time token):
	// a double click on "declare a payment" records one declaration.
	bg := context.Background()
	doc, err := s.svc.GenerateDocument(bg, app.System, own.ID, "amicable_letter", app.DocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, rc, err := s.svc.OpenDocument(bg, app.System, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	letter, _ := io.ReadAll(rc)
	rc.Close()
	m := regexp.MustCompile(`Votre espace en ligne : (http://\S+/d/[a-z2-7]{26})`).FindStringSubmatch(apitest.PDFText(t, letter))
	if m == nil {
		t.Fatal("the letter prints no link to the debtor's page")
	}
	b := browser(t)
	if err := chromedp.Do(b, chromedp.Navigate(m[1]), chromedp.WaitVisible(chromedp.ID("amount")), typeIn(chromedp.ID("amount"), "90,00")); err != nil {
		t.Fatal(err)
	}
	setDate(t, b, "#paid_on", recouvra.DateOf(time.Now()).AddDays(-1))
	if err := chromedp.Do(b, chromedp.DoubleClick(chromedp.CSS(`form[action$="/payment"] button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, b, `[role="status"]`, "déclaration de paiement a été transmise", 5*time.Second)

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
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
	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-message"] textarea`), "Deux clics, un message.")); err != nil {
		t.Fatal(err)
	}
	submit("creditor-message")
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Message envoyé.", 5*time.Second)

	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-direct-payment"] input[name="amount_cents"]`), "150,00")); err != nil {
		t.Fatal(err)
	}
	setDate(t, ctx, `[data-testid="creditor-direct-payment"] input[name="received_on"]`, recouvra.DateOf(time.Now()).AddDays(-1))
	submit("creditor-direct-payment")
	waitText(t, ctx, `[data-testid="creditor-actions-status"]`, "Paiement direct signalé.", 5*time.Second)

	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(`[data-testid="creditor-withdrawal"] textarea`), "Accord trouvé.")); err != nil {
		t.Fatal(err)
	}
	submit("creditor-withdrawal")
	waitText(t, ctx, `[data-testid="creditor-withdrawal-pending"]`, "Une demande de retrait est en cours", 5*time.Second)
	time.Sleep(300 * time.Millisecond) // a second request, if one left, lands in this time

	events, _, err := s.svc.ListEvents(bg, app.System, own.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := map[recouvra.EventType]int{}
	declared := 0
	for _, e := range events {
		if e.Data["by"] == "debtor" {
			declared++
			continue
		}
		n[e.Type]++
	}
	if declared != 1 {
		t.Errorf("the debtor's declaration recorded %d times after a double click", declared)
	}
	for _, ty := range []recouvra.EventType{recouvra.EventMessage, recouvra.EventDirectPaymentReported, recouvra.EventWithdrawalRequested} {
		if n[ty] != 1 {
			t.Errorf("%s recorded %d times after a double click", ty, n[ty])
		}
	}
}
