package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestPortalRemittances: a remittance run paying both creditors is booked;
// the creditor signs in and its portfolio lists its own remittance — the
// transfer's reference, the net amount paid, the statement to download —
// and not the other creditor's.
func TestPortalRemittances(t *testing.T) {
	s := newSite(t)
	bg := context.Background()
	today := recouvra.DateOf(time.Now())
	for key, iban := range map[string]string{"a": "FR1420041010050500013M02606", "b": "FR7630001007941234567890185"} {
		if _, err := s.svc.UpdateCreditor(bg, app.System, s.cred[key].ID, func(c *recouvra.Creditor) {
			c.IBAN, c.Mandate.CommissionBps, c.Mandate.FixedFeeCents = iban, 1000, 0
			if c.Mandate.SignedOn.IsZero() {
				c.Mandate.SignedOn = today.AddDays(-100)
			}
		}, app.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	for key, cents := range map[string]int64{"own": 600_00, "other": 400_00} {
		if _, err := s.svc.RecordPayment(bg, app.System, s.cases[key].Case.ID, app.NewPayment{AmountCents: cents, ReceivedOn: today, Method: recouvra.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
	}
	run, err := s.svc.DrawUpRemittanceRun(bg, app.System, nil, "", app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if run, err = s.svc.RemittanceRunAct(bg, app.System, run.ID, recouvra.RunBook, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	lines := map[uuid.UUID]app.RunLine{}
	for _, l := range run.Lines {
		lines[l.CreditorID] = l
	}
	own, other := lines[s.cred["a"].ID], lines[s.cred["b"].ID]
	if own.Figures.NetCents <= 0 || other.Figures.NetCents <= 0 || own.Figures.NetCents >= 1000_00 {
		t.Fatalf("run lines %+v", run.Lines)
	}
	euros := func(c int64) string { return fmt.Sprintf("%d,%02d €", c/100, c%100) }

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "creditor@e2e.test")
	waitText(t, ctx, `[data-testid="remittances"]`, own.EndToEndID, 15*time.Second)
	waitText(t, ctx, `[data-testid="remittance-net"]`, euros(own.Figures.NetCents), 3*time.Second)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="remittances"]').innerText`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="remittance"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="remittance-statement"]`))); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || strings.Contains(text, other.EndToEndID) || strings.Contains(text, "Boulangerie") {
		t.Fatalf("the portal shows %d remittances, another creditor's among them?\n%s", rows, text)
	}
	screenshot(t, ctx, "portal-remittances")
}

// TestAdminRemittanceRun: the admin draws up a run for every creditor on
// the Reversements tab, reads its lines, books it, marks the file sent
// after confirming; the Compte clients tab then shows nothing held and the
// run's commission in this month's row. The Factures tab lists the run's
// invoice; its PDF downloads; correcting it (a reason, a confirmation)
// issues a credit note and a replacing invoice, named on screen and
// listed by the API.
func TestAdminRemittanceRun(t *testing.T) {
	s := newSite(t)
	bg := context.Background()
	today := recouvra.DateOf(time.Now())
	if _, err := s.svc.UpdateCreditor(bg, app.System, s.cred["a"].ID, func(c *recouvra.Creditor) {
		c.IBAN, c.Mandate.CommissionBps, c.Mandate.FixedFeeCents = "FR1420041010050500013M02606", 1000, 0
		if c.Mandate.SignedOn.IsZero() {
			c.Mandate.SignedOn = today.AddDays(-100)
		}
	}, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.RecordPayment(bg, app.System, s.cases["own"].Case.ID, app.NewPayment{AmountCents: 600_00, ReceivedOn: today, Method: recouvra.MethodTransfer}); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-tabs a[href="/admin/comptabilite"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/comptabilite"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="held-total"]`, "600,00 €", 15*time.Second)
	waitText(t, ctx, `[data-testid="balances"]`, "Menuiserie Dupont SARL", 3*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/reversements"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-new"] button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="run-new"] button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// 600.00 held, 10 % commission 60.00 and VAT 12.00: 528.00 paid; B has nothing held.
	waitText(t, ctx, `[data-testid="run-state"]`, "Brouillon", 10*time.Second)
	waitText(t, ctx, `[data-testid="run-lines"]`, "Menuiserie Dupont SARL", 3*time.Second)
	waitText(t, ctx, `[data-testid="run-line-net"]`, "528,00 €", 3*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="run-book"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="run-state"]`, "Comptabilisé", 10*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-pain001"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="run-sent"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-confirm-yes"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="run-confirm-yes"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="run-state"]`, "Envoyé à la banque", 10*time.Second)
	waitText(t, ctx, `[data-testid="runs-list"]`, "Envoyé à la banque", 5*time.Second)
	screenshot(t, ctx, "admin-remittance-run")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/comptabilite"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="ledger"]`, "Aucun fonds détenu.", 10*time.Second)
	waitText(t, ctx, `[data-testid="commission"]`, "60,00 €", 3*time.Second)
	waitText(t, ctx, `[data-testid="entries"]`, "Reversement", 3*time.Second)
	screenshot(t, ctx, "admin-ledger")

	// Factures: the run's invoice for the agency's commission, its PDF,
	// then its correction by a credit note and a replacing invoice.
	invs, err := s.svc.Invoices(bg, app.System, app.InvoiceFilter{})
	if err != nil || len(invs) != 1 || invs[0].Kind != recouvra.KindInvoice {
		t.Fatalf("invoices after booking: %+v %v", invs, err)
	}
	first := invs[0]
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/factures"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="invoices-list"]`, first.Number, 10*time.Second)
	waitText(t, ctx, `[data-testid="invoices-list"]`, "72,00 €", 3*time.Second) // 60.00 and VAT 12.00
	row := fmt.Sprintf(`[data-testid="invoice-row"][data-number=%q]`, first.Number)
	if pdf := downloaded(t, ctx, row+` [data-testid="invoice-pdf"]`); !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("the invoice's PDF starts with %q", pdf[:min(len(pdf), 20)])
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(row+` [data-testid="invoice-correct"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="invoice-reason"]`)),
		typeIn(chromedp.CSS(`[data-testid="invoice-reason"]`), "Adresse du créancier erronée"),
		chromedp.Click(chromedp.CSS(`[data-testid="invoice-correct-next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="invoice-confirm-yes"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="invoice-confirm-yes"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="invoice-status"]`, "annulée par l'avoir", 10*time.Second)
	// Through the API, with the admin's session: the credit note cancels the
	// invoice with the reason typed, a new invoice has the same figures.
	type apiInvoice struct {
		ID         string `json:"id"`
		Number     string `json:"number"`
		Kind       string `json:"kind"`
		CorrectsID string `json:"corrects_id"`
		CreditedBy string `json:"credited_by"`
		Reason     string `json:"reason"`
		GrossCents int64  `json:"gross_cents"`
	}
	listed, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Items []apiInvoice `json:"items"`
	}](`fetch("/api/v1/invoices").then((r) => r.json())`, chromedp.EvalAwaitPromise))
	if err != nil || len(listed.Items) != 3 {
		t.Fatalf("GET /api/v1/invoices after the correction: %+v %v", listed, err)
	}
	var credit, replacing, cancelled apiInvoice
	for _, i := range listed.Items {
		switch {
		case i.Kind == "credit_note":
			credit = i
		case i.ID == first.ID.String():
			cancelled = i
		default:
			replacing = i
		}
	}
	if credit.CorrectsID != first.ID.String() || credit.Reason != "Adresse du créancier erronée" || cancelled.CreditedBy != credit.ID ||
		replacing.Kind != "invoice" || replacing.GrossCents != first.GrossCents {
		t.Fatalf("the correction: credit note %+v, cancelled %+v, replacing invoice %+v", credit, cancelled, replacing)
	}
	want := fmt.Sprintf("Facture %s annulée par l'avoir %s et remplacée par la facture %s.", first.Number, credit.Number, replacing.Number)
	if got := text(t, ctx, `[data-testid="invoice-status"]`); got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	// The list, reloaded: the credit note names the invoice it cancels, the
	// cancelled invoice its credit note and can no longer be corrected.
	waitText(t, ctx, `[data-testid="invoices-list"]`, "annule "+first.Number, 10*time.Second)
	waitText(t, ctx, row, "annulée par l'avoir "+credit.Number, 3*time.Second)
	waitText(t, ctx, `[data-testid="invoices-list"]`, replacing.Number, 3*time.Second)
	left, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="invoice-correct"]').length`))
	if err != nil || left != 1 {
		t.Errorf("%d invoices offered for correction, want the replacing one only: %v", left, err)
	}
	screenshot(t, ctx, "admin-invoices")
}
