package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func portfolio(t *testing.T, w *world, as, query string) oapi.Portfolio {
	t.Helper()
	r := w.as(as).Do("GET", "/api/v1/portfolio"+query, nil)
	if r.Status != 200 {
		t.Fatalf("portfolio as %s%s: %d %s", as, query, r.Status, r.Body)
	}
	var p oapi.Portfolio
	r.Decode(t, &p)
	return p
}

// TestPortfolio: a creditor's figures count its own cases only, by stage
// and by age, with what was recovered and remitted; staff see the agency's
// or one creditor's.
func TestPortfolio(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	// caseA: 1 200,00 € due 370 days ago; a second case of creditor A, due 45 days ago.
	_, err := w.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &w.credA.ID,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Charpentes Morel SARL", Address: recouvra.Address{Line1: "8 quai Nord", PostalCode: "71100", City: "Chalon-sur-Saône"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-RECENT", IssuedOn: today.AddDays(-75), DueOn: today.AddDays(-45), AmountCents: 60_000}},
	}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RecordPayment(ctx, app.System, w.caseA.Case.ID, app.NewPayment{AmountCents: 30_000, ReceivedOn: today, Method: recouvra.MethodTransfer}); err != nil {
		t.Fatal(err)
	}

	// The payment goes to interest and the indemnity first (C. civ.
	// 1343-1): the principal still due is what the case says.
	v, err := w.svc.GetCase(ctx, app.System, w.caseA.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	owedA := v.Case.BalanceCents
	if owedA <= 90_000 || owedA >= 120_000 {
		t.Fatalf("case A owes %d", owedA)
	}

	p := portfolio(t, w, "creditor", "")
	if p.Currency != "EUR" || p.Cases != 2 || p.OpenCases != 2 || p.PlacedCents != 180_000 || p.RecoveredCents != 30_000 ||
		p.OutstandingCents != owedA+60_000 || p.RecoveryRateBps != 1667 || p.RemittedCents != 0 || strings.Join(p.Currencies, ",") != "EUR" {
		t.Fatalf("creditor's portfolio %+v", p)
	}
	if len(p.Stages) != 5 || p.Stages[0].Stage != "amicable" || p.Stages[0].Cases != 2 || p.Stages[0].BalanceCents != owedA+60_000 || p.Stages[4].Stage != "closed" || p.Stages[4].Cases != 0 {
		t.Fatalf("stages %+v", p.Stages)
	}
	bands := map[int]oapi.AgeingBand{}
	for _, b := range p.Ageing {
		bands[b.FromDays] = b
	}
	if len(p.Ageing) != 5 || bands[31].Cases != 1 || bands[31].BalanceCents != 60_000 || bands[31].ToDays.MustGet() != 90 ||
		bands[366].Cases != 1 || bands[366].BalanceCents != owedA || !bands[366].ToDays.IsNull() || bands[0].Cases != 0 {
		t.Fatalf("ageing %+v", p.Ageing)
	}
	if k := portfolio(t, w, "api_key", ""); k.Cases != 2 || k.PlacedCents != 180_000 {
		t.Fatalf("the creditor's key sees %+v", k)
	}
	// Another creditor's portfolio does not exist for a creditor.
	for _, as := range []string{"creditor", "api_key"} {
		if r := w.as(as).Do("GET", "/api/v1/portfolio?creditor_id="+w.credB.ID.String(), nil); r.Status != 404 {
			t.Fatalf("%s asks for creditor B's portfolio: %d %s", as, r.Status, r.Body)
		}
	}
	if b := portfolio(t, w, "creditor_b", ""); b.Cases != 1 || b.PlacedCents != 120_000 || b.RecoveredCents != 0 {
		t.Fatalf("creditor B's portfolio %+v", b)
	}
	if all := portfolio(t, w, "admin", ""); all.Cases != 3 || all.PlacedCents != 300_000 {
		t.Fatalf("the agency's portfolio %+v", all)
	}
	if one := portfolio(t, w, "agent", "?creditor_id="+w.credA.ID.String()); one.Cases != 2 || one.RecoveredCents != 30_000 {
		t.Fatalf("creditor A's portfolio for staff %+v", one)
	}
	if usd := portfolio(t, w, "admin", "?currency=USD"); usd.Cases != 0 || usd.PlacedCents != 0 || len(usd.Ageing) != 5 || strings.Join(usd.Currencies, ",") != "EUR" {
		t.Fatalf("USD portfolio %+v", usd)
	}
	if r := w.as("admin").Do("GET", "/api/v1/portfolio?currency=euro", nil); r.Status < 400 || r.Status >= 500 {
		t.Fatalf("bad currency: %d", r.Status)
	}

	// Remitted: the net of the statements issued, a period issued twice counted once.
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"commission_bps": 1000, "fixed_fee_cents": 0, "signed_on": "2025-01-10"}})
	remit := func(from, to recouvra.Date) *apitest.Response {
		return w.as("admin").Do("POST", "/api/v1/creditors/"+w.credA.ID.String()+"/remittance-statements", map[string]any{"from": from.String(), "to": to.String()})
	}
	for range 2 {
		if r := remit(today.AddDays(-6), today); r.Status != 201 {
			t.Fatalf("statement: %d %s", r.Status, r.Body)
		}
	}
	if p := portfolio(t, w, "creditor", ""); p.RemittedCents != 27_000 {
		t.Fatalf("remitted %d, want 30 000 less 10 %%", p.RemittedCents)
	}
	r := remit(today.AddDays(-10), today.AddDays(-3))
	if pr := r.Problem(t); r.Status != 422 || fieldCodes(pr)["from"] != "overlaps" || !strings.Contains(pr.Errors[0].Message, recouvra.FrenchDate(today.AddDays(-6))) {
		t.Fatalf("overlapping statement: %d %s", r.Status, r.Body)
	}
	if p := portfolio(t, w, "admin", "?creditor_id="+w.credB.ID.String()); p.RemittedCents != 0 {
		t.Fatalf("creditor B remitted %d", p.RemittedCents)
	}
}

// TestDocket: the lawyers' docket lists the cases at formal notice and in
// court, nearest deadline first, and says what a case at formal notice
// still waits for before the injunction request.
func TestDocket(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	notice := w.newCase(w.credA.ID, "Transports Roux SARL", "")
	granted := w.newCase(w.credB.ID, "Imprimerie Blanc SAS", "")
	// Fixture shortcut: the moves on the way are tested in cases_test.go.
	exec := func(sql string, args ...any) {
		if _, err := w.db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE cases SET stage = 'formal_notice', amicable_reminders = 1, formal_notice_sent_on = $2, formal_notice_deadline = $3 WHERE id = $1`,
		notice.Case.ID, today.AddDays(-10).Time(), today.AddDays(-2).Time())
	exec(`UPDATE cases SET stage = 'injunction', injunction = jsonb_build_object('court', 'Tribunal de commerce de Dijon', 'filed_on', $2::text, 'decision', 'granted', 'decided_on', $3::text) WHERE id = $1`,
		granted.Case.ID, today.AddDays(-200).String(), today.AddDays(-170).String())

	docket := func(as, query string) oapi.GetDocket200JSONResponse {
		t.Helper()
		r := w.as(as).Do("GET", "/api/v1/docket"+query, nil)
		if r.Status != 200 {
			t.Fatalf("docket: %d %s", r.Status, r.Body)
		}
		var d oapi.GetDocket200JSONResponse
		r.Decode(t, &d)
		return d
	}
	d := docket("lawyer", "")
	if len(d.Items) != 2 || d.Truncated || d.Items[0].Case.Id != notice.Case.ID || d.Items[1].Case.Id != granted.Case.ID {
		t.Fatalf("docket %+v", d)
	}
	first, second := d.Items[0], d.Items[1]
	if n := first.NextDeadline.MustGet(); n.Kind != "notice_deadline" || n.On.MustGet().String() != today.AddDays(-2).String() {
		t.Fatalf("first's next deadline %+v", n)
	}
	codes := []string{}
	for _, b := range first.Blockers {
		codes = append(codes, *b.Field+":"+b.Code)
	}
	// The move's guards first, then what the request needs, the rate last
	// (docket_test.go checks the whole list against the refusals).
	if len(codes) < 4 || codes[0] != "to:"+recouvra.GuardMandateForbidsJudicial || codes[1] != "to:"+recouvra.GuardNoLawyer ||
		codes[len(codes)-1] != "statement:provisional" || !slices.Contains(codes, "exhibits.invoice:missing") {
		t.Fatalf("blockers %v", codes)
	}
	lapse := today.AddDays(-170).AddMonths(6)
	if n := second.NextDeadline.MustGet(); n.Kind != "order_lapse" || n.On.MustGet().String() != lapse.String() || len(second.Blockers) != 0 {
		t.Fatalf("second %+v", second)
	}

	// Once the mandate allows it and a lawyer holds the case, only the
	// exhibits are left.
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"judicial_allowed": true}})
	exec(`UPDATE cases SET assigned_lawyer_id = $2 WHERE id = $1`, notice.Case.ID, w.users["lawyer"].ID)
	if d := docket("lawyer", "?mine=true"); len(d.Items) != 1 || d.Items[0].Case.Id != notice.Case.ID || len(d.Items[0].Blockers) != len(codes)-2 ||
		*d.Items[0].Blockers[0].Field == "to" {
		t.Fatalf("my docket %+v", d)
	}
	if d := docket("admin", "?limit=1"); len(d.Items) != 1 || !d.Truncated {
		t.Fatalf("limited docket %+v", d)
	}
}
