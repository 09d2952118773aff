package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// keys presses keys on whatever has the focus, as a person at the
// keyboard does: no clicks.
func keys(t *testing.T, ctx context.Context, ks ...string) {
	t.Helper()
	for _, k := range ks {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
	}
}

// waitFocus waits until the focused element matches sel.
func waitFocus(t *testing.T, ctx context.Context, sel string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, sel)))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : ""`))
			t.Fatalf("focus never reached %s within %s (focused: %s)", sel, within, got)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// gone waits until nothing matches sel.
func gone(t *testing.T, ctx context.Context, sel string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still shown after %s", sel, within)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func payments(t *testing.T, s *site, id app.CaseView) []recouvra.Payment {
	t.Helper()
	ps, err := s.svc.ListPayments(context.Background(), app.System, id.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestFatFingerPayment: an agent types 99999999 in the payment field of a
// 2 500,00 € case and presses Enter twice. The first Enter asks, showing
// the amount in words and the balance after it; the second lands on
// Cancel: back to the form, nothing recorded. An ordinary payment sent
// with a double Enter is recorded once. The letter and the formal notice
// ask first too, and a key whose action the case does not allow says why.
func TestFatFingerPayment(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	own := s.cases["own"]
	signIn(t, ctx, base, "agent@e2e.test")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/dossiers/"+own.Case.ID.String()), chromedp.WaitVisible(chromedp.CSS(`[data-testid="total-due"]`))); err != nil {
		t.Fatal(err)
	}

	// No amicable reminder yet: m is shown disabled with the reason, and
	// pressing it does nothing but say so.
	waitText(t, ctx, `[data-testid="unavailable"]`, "Aucune relance amiable", 3*time.Second)
	if dis, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="action-formalNotice"]').disabled`)); err != nil || !dis {
		t.Fatalf("the formal notice button is enabled on a case no reminder was sent for (%v)", err)
	}
	keys(t, ctx, "m")
	waitText(t, ctx, `[data-testid="key-refused"]`, "Aucune relance amiable", 3*time.Second)

	// r asks before producing the letter; Escape leaves nothing produced.
	keys(t, ctx, "r")
	waitText(t, ctx, `[data-testid="confirm-letter"]`, "Produire la relance amiable ?", 3*time.Second)
	waitFocus(t, ctx, `[data-testid="confirm-letter"] button.primary`, 3*time.Second)
	keys(t, ctx, kb.Escape)
	gone(t, ctx, `[data-testid="confirm-letter"]`, 3*time.Second)
	if docs, err := s.svc.ListDocuments(context.Background(), app.System, own.Case.ID); err != nil || len(docs) != 0 {
		t.Fatalf("a cancelled letter left %d documents (%v)", len(docs), err)
	}

	// The fat finger: 99999999 and Enter, Enter.
	keys(t, ctx, "e")
	waitFocus(t, ctx, `input[name="amount"]`, 3*time.Second)
	keys(t, ctx, "99999999", kb.Enter)
	waitText(t, ctx, `[data-testid="confirm-payment"]`, "Confirmer ce paiement ?", 3*time.Second)
	words := "quatre-vingt-dix-neuf millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros"
	if got := text(t, ctx, `[data-testid="amount-words"]`); got != words {
		t.Fatalf("amount in words %q, want %q", got, words)
	}
	// The balance after it is nothing; the rest is beyond what the statement
	// says is due today (principal, interest and indemnity).
	st, err := s.svc.Statement(context.Background(), app.System, own.Case.ID, recouvra.Date{})
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="balance-after"]`, "0,00 €", time.Second)
	waitText(t, ctx, `[data-testid="excess"]`, recouvra.FrenchMoney(9_999_999_900-st.Statement.Totals.TotalDueCents, "EUR"), time.Second)
	waitText(t, ctx, `[data-testid="confirm-payment"]`, "Ce paiement dépasse ce qui est dû.", time.Second)
	waitText(t, ctx, `[data-testid="confirm-payment"]`, "Montant inhabituellement élevé.", time.Second)
	waitFocus(t, ctx, `[data-testid="confirm-cancel"]`, 3*time.Second)
	screenshot(t, ctx, "agent-payment-confirm")
	keys(t, ctx, kb.Enter) // the second Enter: Cancel
	gone(t, ctx, `[data-testid="confirm-payment"]`, 3*time.Second)
	waitFocus(t, ctx, `input[name="amount"]`, 3*time.Second)
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="amount"]').value`)); strings.Trim(spaces(v), " ") == "" {
		t.Fatal("Cancel emptied the form: the agent must find what was typed, to correct it")
	}
	time.Sleep(300 * time.Millisecond) // anything sent would have been recorded by now
	if ps := payments(t, s, own); len(ps) != 0 {
		t.Fatalf("a cancelled payment was recorded: %+v", ps)
	}
	if got := text(t, ctx, `[data-testid="timeline"]`); strings.Contains(got, "Paiement reçu") {
		t.Fatalf("the timeline shows a payment:\n%s", got)
	}

	// The right amount, with a double Enter: recorded once, no question.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const el = document.querySelector('input[name="amount"]'); el.select(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	keys(t, ctx, kb.Delete, "1000", kb.Enter, kb.Enter)
	waitText(t, ctx, `[data-testid="timeline"]`, "Paiement reçu", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if ps := payments(t, s, own); len(ps) != 1 || ps[0].AmountCents != 100_000 {
		t.Fatalf("double Enter recorded %d payments: %+v", len(ps), ps)
	}
}

// TestAgentWorksThreeCasesByKeyboard: from the queue, an agent takes the
// next case with s, reads the debtor's phone and best time to call, logs a
// call with a, Tab and Enter, and goes on with s — three cases in a row
// without the mouse and without coming back to the queue; then s says the
// queue is empty.
func TestAgentWorksThreeCasesByKeyboard(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	today := recouvra.DateOf(time.Now())
	credA := s.cred["a"].ID
	third, err := s.svc.CreateCase(context.Background(), app.System, app.NewCase{CreditorID: &credA,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Tonnellerie Roux SARL", Phones: []string{"+33 3 84 12 34 56"},
			Emails: []string{"compta@tonnellerie-roux.test"}, BestTimeToCall: "mardi et jeudi matin",
			Address: recouvra.Address{Line1: "2 chemin des Vignes", PostalCode: "39600", City: "Arbois"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-third", IssuedOn: today.AddDays(-90), DueOn: today.AddDays(-45), AmountCents: 80_000, VATCents: 13_333}},
	}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	// Best first: the largest balance, then the next ones.
	order := []app.CaseView{s.cases["own"], s.cases["other"], third}

	signIn(t, ctx, base, "agent@e2e.test")
	waitText(t, ctx, `[data-testid="queue-total"]`, "3 dossiers dans la file", 5*time.Second)
	for _, want := range []string{"Menuiserie Dupont SARL", "Boulangerie Martin SAS", "Solde de 2 500,00 €", "Priorité normale", "jamais"} {
		waitText(t, ctx, `[data-testid="queue"]`, want, time.Second)
	}
	screenshot(t, ctx, "agent-queue-reasons")

	start := time.Now()
	for i, v := range order {
		keys(t, ctx, "s")
		waitText(t, ctx, "main h1", v.Case.Reference, 5*time.Second)
		waitText(t, ctx, `[data-testid="debtor-contact"]`, "Aucun contact encore", 5*time.Second)
		if i == 2 {
			waitText(t, ctx, `[data-testid="best-time"]`, "mardi et jeudi matin", time.Second)
			if href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="debtor-contact"] a[href^="tel:"]').getAttribute("href")`)); href != "tel:+33384123456" {
				t.Fatalf("the phone links to %q", href)
			}
			if href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="debtor-contact"] a[href^="mailto:"]').getAttribute("href")`)); href != "mailto:compta@tonnellerie-roux.test" {
				t.Fatalf("the e-mail links to %q", href)
			}
			screenshot(t, ctx, "agent-case-contact")
		}
		// a: the call form, its outcome focused; the second case's call
		// goes unanswered (one arrow down), the others reach the debtor.
		keys(t, ctx, "a")
		waitFocus(t, ctx, `select[name="outcome"]`, 3*time.Second)
		if i == 1 {
			keys(t, ctx, kb.ArrowDown)
		}
		note := fmt.Sprintf("Appel %d au clavier", i+1)
		keys(t, ctx, "\t", note, "\t")
		waitFocus(t, ctx, `form.action-form button[type="submit"]`, time.Second)
		keys(t, ctx, kb.Enter)
		waitText(t, ctx, `[data-testid="timeline"]`, note, 5*time.Second)
		waitText(t, ctx, `[data-testid="last-contact"]`, "Appel", 5*time.Second)
	}
	t.Logf("three cases worked by keyboard in %s", time.Since(start).Round(time.Millisecond))
	keys(t, ctx, "s")
	waitText(t, ctx, "main", "La file est vide", 5*time.Second)

	// Each case got its call, with the outcome chosen.
	for i, v := range order {
		events, _, err := s.svc.ListEvents(context.Background(), app.System, v.Case.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var outcome string
		for _, e := range events {
			if e.Type == recouvra.EventCall {
				outcome, _ = e.Data["outcome"].(string)
			}
		}
		want := "reached"
		if i == 1 {
			want = "no_answer"
		}
		if outcome != want {
			t.Errorf("case %d (%s): call outcome %q, want %q", i+1, v.Case.Reference, outcome, want)
		}
	}
}
