package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCaseListSortAndFilter: the case list sorts by a whitelisted column in
// either direction with the case id breaking ties, pages through a sorted
// list with the cursor without losing or repeating a case, filters by the
// day placed, the balance, stage and status, and refuses a column it does
// not know, naming the parameter in French.
func TestCaseListSortAndFilter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	open := func(debtor string, cents int64, placedDaysAgo int) uuid.UUID {
		t.Helper()
		v, err := w.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &w.credA.ID,
			Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: debtor, Address: recouvra.Address{Line1: "2 rue Basse", PostalCode: "69001", City: "Lyon"}},
			Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-90), DueOn: today.AddDays(-60), AmountCents: cents}},
		}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		// Fixture shortcut: the day it was placed.
		if _, err := w.db.Pool.Exec(ctx, `UPDATE cases SET created_at = created_at - make_interval(days => $2) WHERE id = $1`, v.Case.ID, placedDaysAgo); err != nil {
			t.Fatal(err)
		}
		return v.Case.ID
	}
	// Creditor A: caseA (Scierie du Jura, 1 200 €, today) and these.
	small := open("abeilles du Lot SARL", 30_000, 40)
	big := open("Zinc et Toits SA", 500_000, 20)
	tie := open("Menuiserie Caron", 120_000, 10) // the same balance as caseA
	caseA := w.caseA.Case.ID
	if _, err := w.db.Pool.Exec(ctx, `UPDATE cases SET stage = 'formal_notice' WHERE id = $1`, big); err != nil {
		t.Fatal(err)
	}

	list := func(as, query string) []oapi.CaseSummary {
		t.Helper()
		var all []oapi.CaseSummary
		cursor := ""
		for range 10 {
			q := query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := w.as(as).Do("GET", "/api/v1/cases?limit=1&"+q, nil)
			if r.Status != 200 {
				t.Fatalf("cases?%s: %d %s", q, r.Status, r.Body)
			}
			var page oapi.CasePage
			r.Decode(t, &page)
			all = append(all, page.Items...)
			if page.NextCursor == nil {
				return all
			}
			cursor = *page.NextCursor
		}
		t.Fatalf("cases?%s: more pages than cases", query)
		return nil
	}
	ids := func(items []oapi.CaseSummary) []uuid.UUID {
		out := []uuid.UUID{}
		for _, c := range items {
			out = append(out, c.Id)
		}
		return out
	}
	same := func(got []uuid.UUID, want ...uuid.UUID) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
	// caseA and tie owe 1 200 € each: the later id first when descending,
	// first when ascending, one page at a time.
	lo, hi := caseA, tie
	if strings.Compare(lo.String(), hi.String()) > 0 {
		lo, hi = hi, lo
	}
	if got := ids(list("creditor", "sort=balance&order=desc")); !same(got, big, hi, lo, small) {
		t.Errorf("balance descending: %v", got)
	}
	if got := ids(list("creditor", "sort=balance&order=asc")); !same(got, small, lo, hi, big) {
		t.Errorf("balance ascending: %v", got)
	}
	// Debtor names ignore case; stages go in their order.
	if got := ids(list("creditor", "sort=debtor&order=asc")); !same(got, small, tie, caseA, big) {
		t.Errorf("debtor ascending: %v", got)
	}
	if got := ids(list("creditor", "sort=stage&order=desc")); len(got) != 4 || got[0] != big {
		t.Errorf("stage descending: %v", got)
	}
	if got := ids(list("creditor", "sort=placed&order=asc")); !same(got, small, big, tie, caseA) {
		t.Errorf("placed ascending: %v", got)
	}
	// Filters: placed between two days, balance between two amounts,
	// stage, status — together with a sort.
	from, to := today.AddDays(-25).String(), today.AddDays(-5).String()
	if got := ids(list("creditor", "placed_from="+from+"&placed_to="+to+"&sort=balance&order=asc")); !same(got, tie, big) {
		t.Errorf("placed between %s and %s: %v", from, to, got)
	}
	if got := ids(list("creditor", "min_balance_cents=100000&max_balance_cents=120000&sort=reference&order=asc")); len(got) != 2 || !(got[0] == caseA || got[0] == tie) {
		t.Errorf("balance between 1 000 and 1 200 €: %v", got)
	}
	if got := ids(list("creditor", "stage=formal_notice&status=open")); !same(got, big) {
		t.Errorf("formal notice: %v", got)
	}
	// The creditor's scope holds with any sort: creditor B sees its own.
	if got := ids(list("creditor_b", "sort=debtor&order=asc")); !same(got, w.caseB.Case.ID) {
		t.Errorf("creditor B: %v", got)
	}

	// Refusals name the parameter, in French.
	refused := func(query, field, code string) {
		t.Helper()
		r := w.as("creditor").Do("GET", "/api/v1/cases?"+query, nil)
		if r.Status != 422 {
			t.Fatalf("cases?%s: %d %s", query, r.Status, r.Body)
		}
		pr := r.Problem(t)
		if fieldCodes(pr)[field] != code {
			t.Fatalf("cases?%s: %+v", query, pr.Errors)
		}
		for _, e := range pr.Errors {
			if e.Field == field && !strings.ContainsAny(e.Message, "éèà") && !strings.Contains(e.Message, "Valeur") {
				t.Fatalf("cases?%s: not French: %q", query, e.Message)
			}
		}
	}
	refused("sort=password_hash", "query.sort", "enum")
	refused("sort=balance&order=sideways", "query.order", "enum")
	refused("placed_from="+to+"&placed_to="+from, "query.placed_to", "before_from")
	refused("min_balance_cents=500&max_balance_cents=100", "query.max_balance_cents", "below_min")
}
