package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/sepa"
)

// TestRemittanceRun: a run for all creditors pays A (funds held, a valid
// IBAN) and leaves B out (no IBAN); its figures follow the mandate and the
// VAT rate; booking clears A's account in the ledger, writes A's statement
// and a pain.001 whose totals are the run's; a second run the same day is
// refused; a booked run is cancelled by opposite entries, a sent one no
// longer; the creditor sees its remittance, B nothing.
func TestRemittanceRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR14 2004 1010 0505 0001 3M02 606', bic = 'PSSTFRPP' WHERE legal_name = 'Menuiserie Dupont SARL'")
	w.payToday(w.caseA.Case.ID, 50000)
	w.payToday(w.caseB.Case.ID, 20000)
	admin := w.as("admin")

	// B alone: refused with the reason (no IBAN).
	r := admin.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": w.credB.ID})
	if r.Status != 422 || !strings.Contains(string(r.Body), "invalid_iban") {
		t.Fatalf("B without IBAN: %d %s", r.Status, r.Body)
	}

	r = admin.Do("POST", "/api/v1/remittance-runs", map[string]any{})
	var run oapi.RemittanceRun
	r.Decode(t, &run)
	if r.Status != 201 || run.State != "draft" || len(run.Lines) != 1 || len(run.Skipped) != 1 || run.Skipped[0].CreditorId != w.credB.ID {
		t.Fatalf("draw up: %d %s", r.Status, r.Body)
	}
	// 500.00 held: commission 10 % 50.00, fees 5.00 (one case first paid), VAT 20 % of 55.00 = 11.00, net 434.00.
	l := run.Lines[0]
	if l.HeldCents != 50000 || l.CommissionCents != 5000 || l.FeesCents != 500 || l.CommissionNetCents != 5500 || l.VatCents != 1100 ||
		l.CommissionGrossCents != 6600 || l.NetCents != 43400 || run.TotalNetCents != 43400 || !strings.HasPrefix(l.EndToEndId, run.Reference) {
		t.Fatalf("figures: %+v", l)
	}
	if r := admin.Do("GET", "/api/v1/remittance-runs/"+run.Id.String()+"/pain001", nil); r.Status != 409 {
		t.Fatalf("a draft's file: %d", r.Status)
	}
	if r := admin.Do("POST", "/api/v1/remittance-runs", map[string]any{}); r.Status != 409 {
		t.Fatalf("a second run the same day: %d %s", r.Status, r.Body)
	}

	r = admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/book", nil)
	r.Decode(t, &run)
	if r.Status != 200 || run.State != "booked" || run.Lines[0].DocumentId == nil {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	// The ledger: A's account cleared, the client account holds B's funds only.
	b := w.balances("admin", "")
	if *b.ClientBankCents != 20000 || *b.UnexplainedCents != 0 || len(b.Creditors) != 1 || b.Creditors[0].CreditorId != w.credB.ID {
		t.Fatalf("balances after booking: %+v", b)
	}
	var com struct{ Months []oapi.CommissionMonth }
	admin.Do("GET", "/api/v1/ledger/commission", nil).Decode(t, &com)
	if m := com.Months[len(com.Months)-1]; m.CommissionCents != 5000 || m.FeesCents != 500 || m.VatCents != 1100 {
		t.Fatalf("commission this month: %+v", m)
	}

	// The file: valid IBANs, one transfer of the net, control sum = the run's total.
	resp, err := http.DefaultClient.Do(func() *http.Request {
		req, _ := http.NewRequest("GET", w.srv.URL()+"/api/v1/remittance-runs/"+run.Id.String()+"/pain001", nil)
		req.Header.Set("Authorization", "Bearer "+w.tokens["admin"])
		return req
	}())
	if err != nil {
		t.Fatal(err)
	}
	file, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/xml" || !strings.Contains(resp.Header.Get("Content-Disposition"), run.Reference) {
		t.Fatalf("file: %d %v", resp.StatusCode, resp.Header)
	}
	in, err := sepa.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := sepa.ControlSum(file)
	if in.MsgID != run.Reference || len(in.Transfers) != 1 || in.Transfers[0].AmountCents != 43400 || in.Transfers[0].EndToEndID != l.EndToEndId ||
		in.Transfers[0].IBAN != "FR1420041010050500013M02606" || in.DebtorIBAN != "FR7630006000011234567890189" || sum != run.TotalNetCents {
		t.Fatalf("file read back: %+v (control sum %d)\n%s", in, sum, file)
	}

	// The creditor sees its remittance; B nothing; neither the runs.
	var mine struct{ Items []oapi.RemittanceLine }
	r = w.as("creditor").Do("GET", "/api/v1/remittances", nil)
	r.Decode(t, &mine)
	if r.Status != 200 || len(mine.Items) != 1 || mine.Items[0].NetCents != 43400 || mine.Items[0].Reference != run.Reference {
		t.Fatalf("creditor's remittances: %d %s", r.Status, r.Body)
	}
	r = w.as("creditor_b").Do("GET", "/api/v1/remittances", nil)
	r.Decode(t, &mine)
	if r.Status != 200 || len(mine.Items) != 0 {
		t.Fatalf("B's remittances: %s", r.Body)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/remittance-runs", nil); r.Status != 403 {
		t.Fatalf("creditor listing runs: %d", r.Status)
	}

	// Cancelled while booked: the opposite entries put A's funds back.
	r = admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/cancel", nil)
	if r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if b := w.balances("admin", ""); *b.ClientBankCents != 70000 || *b.UnexplainedCents != 0 || b.HeldTotalCents != 70000 {
		t.Fatalf("after cancelling: %+v", b)
	}
	// Drawn up again, booked, sent: then no cancel.
	r = admin.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": w.credA.ID})
	r.Decode(t, &run)
	if r.Status != 201 {
		t.Fatalf("again: %d %s", r.Status, r.Body)
	}
	for _, step := range []string{"book", "sent"} {
		if r := admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/"+step, nil); r.Status != 200 {
			t.Fatalf("%s: %d %s", step, r.Status, r.Body)
		}
	}
	if r := admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/cancel", nil); r.Status != 409 {
		t.Fatalf("cancel after sent: %d %s", r.Status, r.Body)
	}
	if n := w.countRows(t, "SELECT count(DISTINCT txn_id) FROM ledger_entries WHERE run_id IS NOT NULL"); n != 3 {
		t.Fatalf("%d remittance transactions, want booked, cancelled, booked again", n)
	}
}

// remittanceRun draws up a draft run paying creditor A (given an IBAN and
// a payment held for it) and returns its id.
func (w *world) remittanceRun() uuid.UUID {
	w.t.Helper()
	if _, err := w.db.Pool.Exec(context.Background(), "UPDATE creditors SET iban = 'FR1420041010050500013M02606' WHERE legal_name = 'Menuiserie Dupont SARL'"); err != nil {
		w.t.Fatal(err)
	}
	w.payToday(w.caseA.Case.ID, 1000)
	run, err := w.svc.DrawUpRemittanceRun(context.Background(), app.System, &w.credA.ID, "fuzz:"+w.unique(), app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return run.ID
}
