package server_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestCreditNoteNamesItsInvoiceThroughTheAPI: a case placed with a credit
// note naming its invoice (listed before it, in the same request) shows
// the note reducing that invoice, not the oldest due; a later credit note
// cancelling the oldest invoice in full leaves it no D441-5 indemnity; a
// credit note naming what it cannot is refused with the field named.
func TestCreditNoteNamesItsInvoiceThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setClock("2025-08-14")
	body := map[string]any{
		"creditor_reference": "AVOIRS-1",
		"debtor": map[string]any{"kind": "company", "name": "Transports Morel SARL " + w.unique(),
			"address": map[string]any{"line1": "3 quai Rambaud", "postal_code": "69002", "city": "Lyon"}},
		"claims": []map[string]any{
			{"invoice_number": "AV-1", "issued_on": "2025-07-15", "due_on": "2025-07-15", "amount_cents": -200_000, "corrects_invoice_number": "FA-2"},
			{"invoice_number": "FA-1", "issued_on": "2025-05-16", "due_on": "2025-06-15", "amount_cents": 1_000_000},
			{"invoice_number": "FA-2", "issued_on": "2025-06-01", "due_on": "2025-07-01", "amount_cents": 500_000},
		},
	}
	r := w.as("api_key").Do("POST", "/api/v1/cases", body)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var c oapi.Case
	r.Decode(t, &c)
	id := c.Id.String()
	ids := map[string]oapi.Claim{}
	for _, cl := range c.Claims {
		ids[cl.InvoiceNumber] = cl
	}
	if av := ids["AV-1"]; av.Corrects == nil || *av.Corrects != ids["FA-2"].Id || ids["FA-1"].Corrects != nil {
		t.Fatalf("corrects not read back: %s", r.Body)
	}

	claims := func(st oapi.Statement) map[string]oapi.StatementClaim {
		out := map[string]oapi.StatementClaim{}
		for _, cl := range st.Claims {
			out[cl.InvoiceNumber] = cl
		}
		return out
	}
	// FA-2 is the one reduced: 5 000,00 − 2 000,00; FA-1, the oldest due,
	// untouched and late since 16 June, owes its 40,00.
	st := claims(statement(t, w.as("creditor"), id, "2025-08-14"))
	if fa2 := st["FA-2"]; fa2.CreditedCents != 200_000 || fa2.PrincipalOutstandingCents != 300_000 {
		t.Fatalf("FA-2 %+v", fa2)
	}
	if fa1 := st["FA-1"]; fa1.CreditedCents != 0 || fa1.PrincipalOutstandingCents != 1_000_000 || fa1.IndemnityCents != 4000 {
		t.Fatalf("FA-1 %+v", fa1)
	}

	// A credit note added later, naming FA-1 already in the case, cancels it
	// in full: no indemnity any more.
	add := func(cl map[string]any) *apitest.Response {
		return w.as("agent").Do("POST", "/api/v1/cases/"+id+"/claims", map[string]any{"claims": []map[string]any{cl}})
	}
	if r := add(map[string]any{"invoice_number": "AV-2", "issued_on": "2025-08-01", "due_on": "2025-08-01", "amount_cents": -1_000_000, "corrects_invoice_number": "FA-1"}); r.Status != 200 {
		t.Fatalf("add AV-2: %d %s", r.Status, r.Body)
	}
	st = claims(statement(t, w.as("creditor"), id, "2025-08-14"))
	if fa1 := st["FA-1"]; fa1.CreditedCents != 1_000_000 || fa1.PrincipalOutstandingCents != 0 || fa1.IndemnityCents != 0 {
		t.Fatalf("FA-1 cancelled %+v", fa1)
	}

	for _, tc := range []struct {
		claim map[string]any
		code  string
	}{
		{map[string]any{"invoice_number": "AV-3", "issued_on": "2025-08-01", "due_on": "2025-08-01", "amount_cents": -100, "corrects_invoice_number": "FA-404"}, "unknown"},
		{map[string]any{"invoice_number": "AV-4", "issued_on": "2025-08-01", "due_on": "2025-08-01", "amount_cents": -100, "corrects_invoice_number": w.caseA.Claims[0].InvoiceNumber}, "unknown"},
		{map[string]any{"invoice_number": "AV-5", "issued_on": "2025-08-01", "due_on": "2025-08-01", "amount_cents": -100, "corrects_invoice_number": "AV-1"}, "not_invoice"},
		{map[string]any{"invoice_number": "FA-3", "issued_on": "2025-08-01", "due_on": "2025-08-01", "amount_cents": 100, "corrects_invoice_number": "FA-2"}, "not_credit_note"},
	} {
		r := add(tc.claim)
		if r.Status != 422 || fieldCodes(r.Problem(t))["claims[0].corrects_invoice_number"] != tc.code {
			t.Errorf("%v: %d %s", tc.claim, r.Status, r.Body)
		}
	}
}
