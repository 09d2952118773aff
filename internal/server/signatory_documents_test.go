package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// namedUser creates a user with a real name, as the agency would.
func (w *world) namedUser(email, name string, role recouvra.Role) recouvra.User {
	w.t.Helper()
	u, err := w.svc.CreateUser(context.Background(), app.System, app.NewUser{Email: email, Name: name, Role: role, Password: testPassword}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// A letter is signed by the agent assigned to the case, who is named as
// the debtor's contact with the agency's phone and e-mail, whoever
// produces it; a court document by the assigned lawyer; with nobody
// assigned, by the user producing it.
func TestDocumentsAreSignedByTheAssignedAgentOrLawyer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	path := "/api/v1/cases/" + id

	_, doc := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	_, data := w.content("agent", doc.Id.String())
	if text := apitest.PDFText(t, data); !strings.Contains(text, "Votre interlocuteur : Test agent") {
		t.Fatalf("nobody assigned: the producing agent should sign:\n%s", text)
	}

	claire := w.namedUser("claire.fontaine@recouvra.test", "Claire Fontaine", recouvra.RoleAgent)
	lea := w.namedUser("lea.roux@recouvra.test", "Maître Léa Roux", recouvra.RoleLawyer)
	if r := w.as("agent").Do("PATCH", path, map[string]any{"assigned_agent_id": claire.ID, "assigned_lawyer_id": lea.ID}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	_, doc = w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	_, data = w.content("agent", doc.Id.String())
	text := apitest.PDFText(t, data)
	if !strings.Contains(text, "Votre interlocuteur : Claire Fontaine (tél. ") || !strings.Contains(text, "Claire Fontaine pour "+agencyName(t, text)) ||
		strings.Contains(text, "Test agent") {
		t.Fatalf("the assigned agent does not sign the letter:\n%s", text)
	}

	r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "irrecoverable", "proof": map[string]any{
		"cause": "pv_de_carence", "proof": "PV de carence de Me Roux", "on": recouvra.DateOf(w.clock.Now()).AddDays(-3).String()}}, "If-Match", w.etag(id))
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, doc = w.generate("lawyer", id, map[string]any{"kind": "irrecoverability_certificate"})
	_, data = w.content("lawyer", doc.Id.String())
	if text := apitest.PDFText(t, data); !strings.Contains(text, "Maître Léa Roux pour ") || strings.Contains(text, "Test lawyer") || strings.Contains(text, "Claire Fontaine") {
		t.Fatalf("the assigned lawyer does not sign the certificate:\n%s", text)
	}
}

// agencyName is the letterhead's first words, up to its address.
func agencyName(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, " 10 rue")
	if i < 0 {
		t.Fatalf("no letterhead:\n%s", text)
	}
	return text[:i]
}

// A payment's receipt shows what was left due just after it, at its date —
// not what is due today, after later payments.
func TestReceiptShowsTheBalanceAfterThatPayment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-09-01")
	w.relogin()
	pay := func(key string, cents int64, on, method string) oapi.Payment {
		r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", map[string]any{"amount_cents": cents, "received_on": on, "method": method}, "Idempotency-Key", key)
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var p oapi.Payment
		r.Decode(t, &p)
		return p
	}
	first := pay("balance-1", 100_000, "2025-08-14", "transfer")
	pay("balance-2", 50_000, "2025-08-20", "cash")
	after := statement(t, w.as("agent"), id, "2025-08-14").Totals
	today := statement(t, w.as("agent"), id, "2025-09-01").Totals
	if after.TotalDueCents == today.TotalDueCents {
		t.Fatal("the test needs the balance to differ between the payment's date and today")
	}
	_, doc := w.generate("agent", id, map[string]any{"kind": "payment_receipt", "options": map[string]any{"payment_id": first.Id}})
	_, data := w.content("agent", doc.Id.String())
	text := apitest.PDFText(t, data)
	want := "Après ce paiement, il reste dû, au 14/08/2025, " + money(after.TotalDueCents) + ", soit " + money(after.PrincipalOutstandingCents) +
		" en principal, " + money(after.InterestOutstandingCents) + " d'intérêts et " + money(after.IndemnitiesOutstandingCents) + " d'autres sommes"
	if !strings.Contains(text, want) || !strings.Contains(text, "par virement") {
		t.Fatalf("%q not in the receipt:\n%s", want, text)
	}
	// The statement lists both payments with their means.
	_, doc = w.generate("agent", id, map[string]any{"kind": "statement"})
	_, data = w.content("agent", doc.Id.String())
	text = apitest.PDFText(t, data)
	for _, want := range []string{"virement", "espèces", "FA-100", "Reste dû : " + money(today.TotalDueCents)} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the statement:\n%s", want, text)
		}
	}
}
