package server_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// half divides rounding half up (positive numbers).
func half(num, den int64) int64 { return (2*num + den) / (2 * den) }

// TestPortfolioPerformance: a third creditor's cases placed three months
// ago and last month (nothing two months ago, nothing this month), one
// closed since, a payment last month and its remittance statement. The DSO
// of each month is worked out here by the countback, by hand; the monthly
// flows and the recovery rates by stage and by age at placement follow.
func TestPortfolioPerformance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	m0 := recouvra.FirstOfMonth(today)
	m1, m2, m3 := m0.AddMonths(-1), m0.AddMonths(-2), m0.AddMonths(-3)
	credC, err := w.svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: "Transports Lefèvre SAS", CreditorDetails: recouvra.CreditorDetails{
		Address: recouvra.Address{Line1: "5 avenue de la Gare", PostalCode: "59000", City: "Lille"},
		Mandate: recouvra.Mandate{SignedOn: recouvra.MustDate("2025-01-10"), CommissionBps: 1000}}}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	userC := w.createUser("compta@lefevre.test", recouvra.RoleCreditor, &credC.ID)
	w.tokens["creditor_c"] = w.login(userC.Email)

	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := w.db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// place opens a case of creditor C with one invoice due overdueDays
	// before placedOn, then dates its placing (fixture shortcut: a case is
	// placed now by the API).
	place := func(debtor string, cents int64, placedOn recouvra.Date, overdueDays int) uuid.UUID {
		t.Helper()
		v, err := w.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &credC.ID,
			Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: debtor, Address: recouvra.Address{Line1: "1 rue Haute", PostalCode: "59100", City: "Roubaix"}},
			Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: placedOn.AddDays(-overdueDays - 30), DueOn: placedOn.AddDays(-overdueDays), AmountCents: cents}},
		}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		at := placedOn.Time().Add(9 * 3600e9)
		exec(`UPDATE cases SET created_at = $2 WHERE id = $1`, v.Case.ID, at)
		exec(`UPDATE claims SET created_at = $2 WHERE case_id = $1`, v.Case.ID, at)
		return v.Case.ID
	}
	c1 := place("Charpentes Morel SARL", 120_000, m3.AddDays(4), 100) // 91–180 days overdue when placed
	c3 := place("Garage Petit EURL", 40_000, m3.AddDays(5), 400)      // over a year
	place("Boulangerie Roux SAS", 60_000, m1.AddDays(4), 10)          // 0–30
	// c3 was withdrawn two months ago: it no longer counts from then.
	exec(`UPDATE cases SET stage = 'closed', close_reason = 'withdrawn', closed_at = $2 WHERE id = $1`, c3, m2.AddDays(2).Time())
	if _, err := w.svc.RecordPayment(ctx, app.System, c1, app.NewPayment{AmountCents: 30_000, ReceivedOn: m1.AddDays(19), Method: recouvra.MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	if r := w.as("admin").Do("POST", "/api/v1/creditors/"+credC.ID.String()+"/remittance-statements",
		map[string]any{"from": m1.String(), "to": m0.AddDays(-1).String()}); r.Status != 201 {
		t.Fatalf("statement: %d %s", r.Status, r.Body)
	}

	get := func(as, query string) oapi.PortfolioPerformance {
		t.Helper()
		r := w.as(as).Do("GET", "/api/v1/portfolio/performance"+query, nil)
		if r.Status != 200 {
			t.Fatalf("performance as %s%s: %d %s", as, query, r.Status, r.Body)
		}
		var p oapi.PortfolioPerformance
		r.Decode(t, &p)
		return p
	}
	p := get("creditor_c", "")
	if p.Currency != "EUR" || p.AsOf.String() != today.String() || len(p.Months) != 12 {
		t.Fatalf("performance %+v", p)
	}
	byMonth := map[string]oapi.MonthFigures{}
	for _, m := range p.Months {
		byMonth[m.Month] = m
	}
	if p.Months[11].Month != m0.String()[:7] || p.Months[0].Month != m0.AddMonths(-11).String()[:7] {
		t.Fatalf("months from %s to %s", p.Months[0].Month, p.Months[11].Month)
	}
	d := func(m recouvra.Date) int64 { return int64(recouvra.DaysInMonth(m)) }
	// The countback by hand. Placed: 1 600 € three months ago, nothing two
	// months ago, 600 € last month, nothing this month.
	//  - three months ago: 1 600 € owed, exactly that month's placements: all its days;
	//  - two months ago: c3 closed, 1 200 € owed: the month (nothing placed)
	//    then 1 200 / 1 600 of the month before;
	//  - last month: 1 200 − 300 + 600 = 1 500 €: last month's 600 €, the
	//    empty month, then 900 / 1 600 of the first;
	//  - this month: the same 1 500 €, this month's days to date first.
	want := []struct {
		m                                        recouvra.Date
		placed, recovered, remitted, receivables int64
		tenths                                   int64
	}{
		{m3, 160_000, 0, 0, 160_000, 10 * d(m3)},
		{m2, 0, 0, 0, 120_000, 10*d(m2) + half(10*d(m3)*1200, 1600)},
		{m1, 60_000, 30_000, 27_000, 150_000, 10*(d(m1)+d(m2)) + half(10*d(m3)*900, 1600)},
		{m0, 0, 0, 0, 150_000, 10*(int64(today.Day())+d(m1)+d(m2)) + half(10*d(m3)*900, 1600)},
	}
	for _, x := range want {
		got := byMonth[x.m.String()[:7]]
		wantDays := float64(x.tenths) / 10
		if got.PlacedCents != x.placed || got.RecoveredCents != x.recovered || got.RemittedCents != x.remitted || got.ReceivablesCents != x.receivables || got.DsoDays != wantDays {
			t.Errorf("%s: %+v, want placed %d recovered %d remitted %d receivables %d DSO %.1f", x.m, got, x.placed, x.recovered, x.remitted, x.receivables, wantDays)
		}
	}
	if older := byMonth[m0.AddMonths(-4).String()[:7]]; older.PlacedCents != 0 || older.ReceivablesCents != 0 || older.DsoDays != 0 {
		t.Errorf("four months ago %+v", older)
	}
	if p.DsoDays != p.Months[11].DsoDays {
		t.Errorf("DSO %.1f, this month's %.1f", p.DsoDays, p.Months[11].DsoDays)
	}

	// Recovery rates: by stage today, and by age at placement.
	stages := map[oapi.Stage]oapi.StageRecoveryRate{}
	for _, s := range p.ByStage {
		stages[s.Stage] = s
	}
	if len(p.ByStage) != 5 || stages["amicable"].Cases != 2 || stages["amicable"].PlacedCents != 180_000 || stages["amicable"].RecoveredCents != 30_000 ||
		stages["amicable"].RecoveryRateBps != 1667 || stages["closed"].Cases != 1 || stages["closed"].PlacedCents != 40_000 || stages["closed"].RecoveryRateBps != 0 {
		t.Errorf("by stage %+v", p.ByStage)
	}
	ages := map[int]oapi.AgeRecoveryRate{}
	for _, a := range p.ByAgeAtPlacement {
		ages[a.FromDays] = a
	}
	if len(p.ByAgeAtPlacement) != 5 || ages[0].Cases != 1 || ages[0].PlacedCents != 60_000 || ages[0].RecoveryRateBps != 0 ||
		ages[91].Cases != 1 || ages[91].RecoveredCents != 30_000 || ages[91].RecoveryRateBps != 2500 || ages[91].ToDays.MustGet() != 180 ||
		ages[366].Cases != 1 || !ages[366].ToDays.IsNull() || ages[31].Cases != 0 {
		t.Errorf("by age at placement %+v", p.ByAgeAtPlacement)
	}

	// The scope: staff see C's with creditor_id, creditor A its own only,
	// and C's figures do not exist for A.
	if staff := get("admin", "?creditor_id="+credC.ID.String()+"&months=4"); len(staff.Months) != 4 || staff.DsoDays != p.DsoDays || staff.Months[0].Month != m3.String()[:7] {
		t.Errorf("staff's view of C %+v", staff)
	}
	if a := get("creditor", ""); a.Months[11].PlacedCents != 120_000 || a.Months[8].PlacedCents != 0 || a.ByStage[0].Cases != 1 {
		t.Errorf("creditor A sees %+v", a)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/portfolio/performance?creditor_id="+credC.ID.String(), nil); r.Status != 404 {
		t.Errorf("A asks for C's: %d %s", r.Status, r.Body)
	}
	for _, q := range []string{"?months=0", "?months=37", "?currency=euro"} {
		r := w.as("admin").Do("GET", "/api/v1/portfolio/performance"+q, nil)
		if pr := r.Problem(t); r.Status != 422 || len(pr.Errors) == 0 {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
}
