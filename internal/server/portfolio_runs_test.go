package server_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestPortfolioCountsRemittanceRuns: a remittance run's lines, once booked
// (and still when sent), count in the portfolio's "remitted" figure and in
// the month's remitted of the performance report, for the creditor paid
// only; a cancelled run paid nothing and counts for nothing.
func TestPortfolioCountsRemittanceRuns(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR1420041010050500013M02606' WHERE id = '"+w.credA.ID.String()+"'")
	w.payToday(w.caseA.Case.ID, 50000)
	admin := w.as("admin")
	remitted := func(as, query string) int64 {
		t.Helper()
		return portfolio(t, w, as, query).RemittedCents
	}
	thisMonth := func(as string) int64 {
		t.Helper()
		var p oapi.PortfolioPerformance
		if r := w.as(as).Do("GET", "/api/v1/portfolio/performance", nil); r.Status != 200 {
			t.Fatalf("performance: %d %s", r.Status, r.Body)
		} else {
			r.Decode(t, &p)
		}
		return p.Months[len(p.Months)-1].RemittedCents
	}
	run := func() oapi.RemittanceRun {
		t.Helper()
		var run oapi.RemittanceRun
		r := admin.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": w.credA.ID})
		if r.Status != 201 {
			t.Fatalf("draw up: %d %s", r.Status, r.Body)
		}
		r.Decode(t, &run)
		return run
	}
	act := func(run oapi.RemittanceRun, action string) {
		t.Helper()
		if r := admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/"+action, nil); r.Status != 200 {
			t.Fatalf("%s: %d %s", action, r.Status, r.Body)
		}
	}

	first := run()
	if got := remitted("creditor", ""); got != 0 {
		t.Fatalf("a draft counts %d remitted", got)
	}
	act(first, "book")
	// 500.00 held less commission 50.00, fees 5.00 and VAT 11.00.
	if got := remitted("creditor", ""); got != 43400 {
		t.Fatalf("creditor A remitted %d after booking, want 43400", got)
	}
	if got := remitted("admin", ""); got != 43400 {
		t.Fatalf("agency remitted %d", got)
	}
	if got := remitted("creditor_b", ""); got != 0 {
		t.Fatalf("creditor B remitted %d", got)
	}
	if got := thisMonth("creditor"); got != 43400 {
		t.Fatalf("this month's remitted %d", got)
	}
	act(first, "cancel")
	if got := remitted("creditor", ""); got != 0 {
		t.Fatalf("a cancelled run counts %d remitted", got)
	}
	second := run()
	act(second, "book")
	act(second, "sent")
	if got, month := remitted("creditor", ""), thisMonth("creditor"); got != 43400 || month != 43400 {
		t.Fatalf("after the run sent: remitted %d, this month %d", got, month)
	}
}
