package server_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestAccountantKeepsTheClientAccount: an admin opens an accountant's
// account (staff: no creditor); the accountant draws up and books a
// remittance run, which issues the creditor's invoice, and reads the
// client account of every creditor; it may not move a case's stage, log
// on a case, work the queue or read the audit log — whose entries show
// the run booked by it.
func TestAccountantKeepsTheClientAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")

	// The users screen's role choice: an accountant belongs to no creditor.
	r := admin.Do("POST", "/api/v1/users", map[string]any{"email": "compta@recouvra.test", "name": "Nathalie Petit", "role": "accountant",
		"creditor_id": w.credA.ID, "password": testPassword})
	if p := r.Problem(t); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "creditor_id" || p.Errors[0].Code != "forbidden" {
		t.Fatalf("an accountant tied to a creditor: %d %s", r.Status, r.Body)
	}
	var made oapi.User
	r = admin.Do("POST", "/api/v1/users", map[string]any{"email": "compta@recouvra.test", "name": "Nathalie Petit", "role": "accountant", "password": testPassword})
	r.Decode(t, &made)
	if r.Status != 201 || made.Role != oapi.RoleAccountant || !made.CreditorId.IsNull() {
		t.Fatalf("create accountant: %d %s", r.Status, r.Body)
	}
	w.tokens["compta"] = w.login("compta@recouvra.test")
	acc := w.as("compta")

	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 0, iban = 'FR14 2004 1010 0505 0001 3M02 606', bic = 'PSSTFRPP' WHERE legal_name = 'Menuiserie Dupont SARL'")
	w.payToday(w.caseA.Case.ID, 50000)
	w.payToday(w.caseB.Case.ID, 20000)

	// Staff, not a creditor's scope: both creditors' funds.
	if b := w.balances("compta", ""); *b.ClientBankCents != 70000 || len(b.Creditors) != 2 {
		t.Fatalf("the accountant's client account: %+v", b)
	}
	var run oapi.RemittanceRun
	r = acc.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": w.credA.ID})
	r.Decode(t, &run)
	if r.Status != 201 || run.State != "draft" || len(run.Lines) != 1 {
		t.Fatalf("draw up: %d %s", r.Status, r.Body)
	}
	r = acc.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/book", nil)
	r.Decode(t, &run)
	if r.Status != 200 || run.State != "booked" {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	if b := w.balances("compta", ""); *b.ClientBankCents != 20000 || len(b.Creditors) != 1 || b.Creditors[0].CreditorId != w.credB.ID {
		t.Fatalf("after booking: %+v", b)
	}
	if inv := w.invoices("compta", ""); len(inv) != 1 || inv[0].CreditorId != w.credA.ID {
		t.Fatalf("invoices: %+v", inv)
	}

	// Not its work: the stage, the timeline, the queue, the audit log.
	id := w.caseA.Case.ID.String()
	refused := []struct {
		method, path string
		body         any
		header       []string
	}{
		{"POST", "/api/v1/cases/" + id + "/transitions", map[string]any{"to": "formal_notice"}, []string{"If-Match", w.etag(id)}},
		{"POST", "/api/v1/cases/" + id + "/events", map[string]any{"type": "note", "data": map[string]any{"text": "Vu"}}, nil},
		{"GET", "/api/v1/queue", nil, nil},
		{"GET", "/api/v1/audit", nil, nil},
		{"POST", "/api/v1/users", map[string]any{"email": "x@recouvra.test", "name": "X", "role": "admin", "password": testPassword}, nil},
	}
	for _, c := range refused {
		if r := acc.Do(c.method, c.path, c.body, c.header...); r.Status != 403 {
			t.Errorf("%s %s as the accountant: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	var c oapi.Case
	admin.Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
	if c.Stage != "amicable" {
		t.Fatalf("the refused move changed the stage: %s", c.Stage)
	}
	// The admin's audit log names the accountant as who booked the run.
	var audit oapi.AuditPage
	admin.Do("GET", "/api/v1/audit?limit=200", nil).Decode(t, &audit)
	booked := false
	for _, e := range audit.Items {
		actor, _ := e.ActorUserId.Get()
		target, _ := e.TargetId.Get()
		if e.Action == "remittance_run.book" && actor == made.Id && target == run.Id {
			booked = true
		}
	}
	if !booked {
		t.Fatalf("no audit entry of the run booked by the accountant in %+v", audit.Items)
	}
}
