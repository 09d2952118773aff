package server_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// setClock moves the world's clock (the server's too) to noon on day d.
func (w *world) setClock(d string) {
	t, _ := time.Parse(time.DateOnly, d)
	w.clock.mu.Lock()
	w.clock.t = t.Add(12 * time.Hour)
	w.clock.mu.Unlock()
}

// handWorkedCase opens, on 1 June 2025, a case of creditor A (a business)
// against a company: invoice FA-100 of 10 000,00 € due 15 June 2025.
func handWorkedCase(t *testing.T, w *world) string {
	w.setClock("2025-06-01")
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{
		CreditorID: &w.credA.ID,
		Debtor:     &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Garage Vincent SARL", Address: recouvra.Address{Line1: "2 rue Pasteur", PostalCode: "21000", City: "Dijon"}},
		Claims:     []recouvra.Claim{{InvoiceNumber: "FA-100", IssuedOn: recouvra.MustDate("2025-05-16"), DueOn: recouvra.MustDate("2025-06-15"), AmountCents: 1_000_000, VATCents: 166_667}},
	}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return v.Case.ID.String()
}

func statement(t *testing.T, c *apitest.Client, id, asOf string) oapi.Statement {
	t.Helper()
	r := c.Do("GET", "/api/v1/cases/"+id+"/statement?as_of="+asOf, nil)
	if r.Status != 200 {
		t.Fatalf("statement: %d %s", r.Status, r.Body)
	}
	var st oapi.Statement
	r.Decode(t, &st)
	return st
}

func TestStatementPaymentAndReversalThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	agent := w.as("agent")

	st := statement(t, w.as("creditor"), id, "2025-08-14")
	c := st.Claims[0]
	if c.Regime != "b2b_late_penalties" || len(c.InterestLines) != 2 || c.InterestLines[0].AmountCents != 5404 || c.InterestLines[1].AmountCents != 14979 ||
		c.IndemnityCents != 4000 || st.Totals.TotalDueCents != 1_024_383 || st.Provisional || !strings.Contains(st.Convention, "jours exacts / 365") {
		t.Fatalf("%+v", st)
	}

	w.setClock("2025-08-14")
	pay := map[string]any{"amount_cents": 100_000, "received_on": "2025-08-14", "method": "transfer", "payer_reference": "VIR GARAGE VINCENT"}
	r := agent.Do("POST", "/api/v1/cases/"+id+"/payments", pay, "Idempotency-Key", "pay-0001-garage")
	var p oapi.Payment
	r.Decode(t, &p)
	if r.Status != 201 || !strings.HasPrefix(p.ReceiptNumber, "R-2025-") || len(p.Allocations) != 1 ||
		p.Allocations[0].IndemnityCents != 4000 || p.Allocations[0].InterestCents != 20383 || p.Allocations[0].PrincipalCents != 75617 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	st = statement(t, agent, id, "2025-09-13")
	if st.Totals.PrincipalOutstandingCents != 924_383 || st.Totals.InterestOutstandingCents != 9231 || len(st.Payments) != 1 {
		t.Fatalf("after payment: %+v", st.Totals)
	}
	// The payment acknowledges the debt: the five years run again from it
	// (C. civ. 2240); the invoice was due on 15 June 2025.
	if got := st.Claims[0].TimeBarOn.String(); got != "2030-08-14" {
		t.Fatalf("time bar after the payment: %s, want 2030-08-14", got)
	}
	// The creditor is told (R124-5) on its timeline.
	var events oapi.EventPage
	w.as("creditor").Do("GET", "/api/v1/cases/"+id+"/events?limit=200", nil).Decode(t, &events)
	told := false
	for _, e := range events.Items {
		told = told || (e.Type == "payment_recorded" && e.Data["receipt_number"] == p.ReceiptNumber)
	}
	if !told {
		t.Fatal("no payment_recorded event for the creditor")
	}

	// A bounced transfer: everything is applied again as if it never came.
	r = agent.Do("POST", "/api/v1/payments/"+p.Id.String()+"/reverse", map[string]any{"reason": "Virement rappelé par la banque"})
	r.Decode(t, &p)
	if r.Status != 200 || p.ReversedAt.IsNull() || len(p.Allocations) != 0 {
		t.Fatalf("reverse: %d %s", r.Status, r.Body)
	}
	st = statement(t, agent, id, "2025-09-13")
	if st.Totals.InterestCents != 5404+24966 || st.Totals.PrincipalOutstandingCents != 1_000_000 || len(st.Payments) != 0 {
		t.Fatalf("after reversal: %+v", st.Totals)
	}
	// A recalled transfer acknowledges nothing: the bar is back where it was.
	if got := st.Claims[0].TimeBarOn.String(); got != "2030-06-15" {
		t.Fatalf("time bar after the reversal: %s, want 2030-06-15", got)
	}
	if r := agent.Do("POST", "/api/v1/payments/"+p.Id.String()+"/reverse", map[string]any{"reason": "encore"}); r.Status != 409 {
		t.Fatalf("reverse twice: %d", r.Status)
	}
}

func TestPaymentValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	other := w.caseB.Claims[0].ID
	cases := []struct {
		body  map[string]any
		field string
		code  string
	}{
		{map[string]any{"amount_cents": 0, "received_on": "2025-08-01", "method": "cash"}, "amount_cents", "not_positive"},
		{map[string]any{"amount_cents": -5, "received_on": "2025-08-01", "method": "cash"}, "amount_cents", "not_positive"},
		{map[string]any{"amount_cents": 5, "received_on": "2025-08-20", "method": "cash"}, "received_on", "future"},
		{map[string]any{"amount_cents": 5, "received_on": "2025-05-01", "method": "cash"}, "received_on", "before_claims"},
		{map[string]any{"amount_cents": 5, "received_on": "2025-08-01", "method": "cash", "claim_id": other}, "claim_id", "unknown"},
		{map[string]any{"amount_cents": 5, "received_on": "2025-08-01", "method": "cash", "currency": "USD"}, "currency", "mismatch"},
		{map[string]any{"amount_cents": 5, "received_on": "2025-08-01", "method": "barter"}, "body.method", "enum"},
	}
	for i, c := range cases {
		r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", c.body, "Idempotency-Key", "validation-"+string(rune('a'+i))+"-key")
		if r.Status != 422 || fieldCodes(r.Problem(t))[c.field] != c.code {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", cases[0].body); r.Status != 422 || fieldCodes(r.Problem(t))["header.Idempotency-Key"] == "" {
		t.Fatalf("no key: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("GET", "/api/v1/cases/"+id+"/statement?as_of=2025-05-31", nil); r.Status != 422 || fieldCodes(r.Problem(t))["query.as_of"] != "before_case" {
		t.Fatalf("as_of before the case: %d %s", r.Status, r.Body)
	}
	// A creditor reports a direct payment on the timeline; it does not record payments.
	if r := w.as("creditor").Do("POST", "/api/v1/cases/"+id+"/payments", cases[0].body, "Idempotency-Key", "creditor-key-1"); r.Status != 403 {
		t.Fatalf("creditor recording a payment: %d", r.Status)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	body := map[string]any{"amount_cents": 25_000, "received_on": "2025-08-10", "method": "cheque", "payer_reference": "CHQ 1234567"}
	path := "/api/v1/cases/" + id + "/payments"

	first := w.as("agent").Do("POST", path, body, "Idempotency-Key", "retry-me-please")
	again := w.as("agent").Do("POST", path, body, "Idempotency-Key", "retry-me-please")
	if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d\n%s\n%s", first.Status, again.Status, first.Body, again.Body)
	}
	body["amount_cents"] = 26_000
	if r := w.as("agent").Do("POST", path, body, "Idempotency-Key", "retry-me-please"); r.Status != 422 || fieldCodes(r.Problem(t))["header.Idempotency-Key"] != "reused" {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
	}
	// Keys belong to their caller: another agent's same key is another request.
	if r := w.as("admin").Do("POST", path, body, "Idempotency-Key", "retry-me-please"); r.Status != 201 {
		t.Fatalf("another caller's key: %d %s", r.Status, r.Body)
	}

	// 100 concurrent retries of one payment: exactly one is recorded.
	body["amount_cents"] = 1_000
	var wg sync.WaitGroup
	statuses := make([]int, 100)
	errs := make([]error, len(statuses))
	for i := range statuses {
		wg.Add(1)
		go func(i int) { // reports through statuses and errs: no t.Fatal off the test's goroutine
			defer wg.Done()
			statuses[i], _, errs[i] = w.send("lawyer", "POST", path, body, "Idempotency-Key", "storm-0000001")
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("retry answered %d", s)
		}
	}
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM payments WHERE amount_cents = 1000").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d payments recorded from 100 retries (%v)", n, err)
	}
}

func TestFullPaymentClosesAndReversalReopens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	// What is due on 14 August: 10 000,00 + 203,83 + 40,00.
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", map[string]any{"amount_cents": 1_024_383, "received_on": "2025-08-14", "method": "transfer"}, "Idempotency-Key", "pay-all-0001")
	var p oapi.Payment
	r.Decode(t, &p)
	var c oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
	if c.Stage != "closed" || c.CloseReason.MustGet() != "paid" || c.BalanceCents != 0 || c.PaidCents != 1_024_383 {
		t.Fatalf("paid in full: %+v", c)
	}
	w.as("agent").Do("POST", "/api/v1/payments/"+p.Id.String()+"/reverse", map[string]any{"reason": "Chèque sans provision"})
	w.as("agent").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
	if c.Stage != "amicable" || !c.CloseReason.IsNull() || c.BalanceCents != 1_000_000 || c.PaidCents != 0 {
		t.Fatalf("after reversal: %+v", c)
	}
}

func TestRatesAdministration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	admin := w.as("admin")
	var rates struct{ Items []oapi.Rate }
	admin.Do("GET", "/api/v1/rates", nil).Decode(t, &rates)
	if len(rates.Items) != 23 { // with the VAT rate (vat_standard)
		t.Fatalf("shipped rows: %d", len(rates.Items))
	}
	for _, bad := range []map[string]any{
		{"kind": "ecb_refi", "period_start": "2026-08-01", "value": 200, "source": "BCE"},
		{"kind": "ecb_refi", "period_start": "2026-07-01", "value": -1, "source": "BCE"},
		{"kind": "libor", "period_start": "2026-07-01", "value": 200, "source": "BCE"},
		{"kind": "ecb_refi", "period_start": "2026-07-01", "value": 200, "source": ""},
	} {
		if r := admin.Do("POST", "/api/v1/rates", bad); r.Status != 422 {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	// 2026 S2 is not recorded: a statement reaching into it is provisional.
	st := statement(t, admin, id, "2026-08-31")
	if !st.Provisional || !strings.Contains(strings.Join(st.Warnings, " "), "2026 S2") {
		t.Fatalf("missing half-year: %v %v", st.Provisional, st.Warnings)
	}
	if r := admin.Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": "2026-07-01", "value": 190, "source": "BCE, taux en vigueur au 1er juillet 2026"}); r.Status != 200 {
		t.Fatalf("add 2026 S2: %d %s", r.Status, r.Body)
	}
	st = statement(t, admin, id, "2026-08-31")
	last := st.Claims[0].InterestLines[len(st.Claims[0].InterestLines)-1]
	if st.Provisional || last.RateBps != 1190 {
		t.Fatalf("after adding the rate: %v %+v", st.Provisional, last)
	}
	var audit oapi.AuditPage
	admin.Do("GET", "/api/v1/audit", nil).Decode(t, &audit)
	if audit.Items[0].Action != "rate.put" || audit.Items[0].Details["value"] != float64(190) {
		t.Fatalf("audit %+v", audit.Items[0])
	}
}

func TestDueDateCalculator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var out struct {
		DueOn    string   `json:"due_on"`
		Warnings []string `json:"warnings"`
	}
	w.as("agent").Do("GET", "/api/v1/terms/due-date?issued_on=2026-01-20&kind=end_of_month_then_days&days=45", nil).Decode(t, &out)
	if out.DueOn != "2026-03-17" || len(out.Warnings) != 0 {
		t.Fatalf("%+v", out)
	}
	if r := w.as("agent").Do("GET", "/api/v1/terms/due-date?issued_on=2026-01-20&kind=sometime&days=45", nil); r.Status != 422 {
		t.Fatalf("%d", r.Status)
	}
}
