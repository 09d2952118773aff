package server_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDocketBlockersAreTheMovesRefusal: what the docket says a case at
// formal notice waits for is, item for item, what the move to injunction
// refuses it with, and then the exhibits the request refuses to go
// without, as the request names them; "ready" keeps only the cases the move accepts; "urgent"
// follows the configured number of days, not every dated case.
func TestDocketBlockersAreTheMovesRefusal(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.UrgentDays = 10 })
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	notice := w.newCase(w.credA.ID, "Transports Roux SARL", "")
	later := w.newCase(w.credB.ID, "Imprimerie Blanc SAS", "")
	exec := func(sql string, args ...any) {
		if _, err := w.db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Fixture shortcut: the moves on the way are tested in cases_test.go.
	// notice's period ended 2 days ago (urgent); later's ends in 11 days
	// (one past the 10 configured).
	exec(`UPDATE cases SET stage = 'formal_notice', amicable_reminders = 1, formal_notice_sent_on = $2, formal_notice_deadline = $3 WHERE id = $1`,
		notice.Case.ID, today.AddDays(-10).Time(), today.AddDays(-2).Time())
	exec(`UPDATE cases SET stage = 'formal_notice', amicable_reminders = 1, formal_notice_sent_on = $2, formal_notice_deadline = $3 WHERE id = $1`,
		later.Case.ID, today.AddDays(-1).Time(), today.AddDays(11).Time())

	docket := func(query string) map[string]oapi.DocketEntry {
		t.Helper()
		r := w.as("lawyer").Do("GET", "/api/v1/docket"+query, nil)
		if r.Status != 200 {
			t.Fatalf("docket%s: %d %s", query, r.Status, r.Body)
		}
		var d oapi.GetDocket200JSONResponse
		r.Decode(t, &d)
		m := map[string]oapi.DocketEntry{}
		for _, e := range d.Items {
			m[e.Case.Id.String()] = e
		}
		return m
	}
	// listed splits an entry's blockers: the move's guards ("to"), then
	// what the request refuses: missing exhibits ("exhibits.*") and a
	// provisional statement ("statement").
	listed := func(e oapi.DocketEntry) (guards, request []string) {
		for _, b := range e.Blockers {
			item := fmt.Sprintf("%s|%s|%s", *b.Field, b.Code, b.Message)
			if *b.Field == "to" {
				guards = append(guards, item)
			} else {
				request = append(request, item)
			}
		}
		return guards, request
	}
	errorsOf := func(r *apitest.Response, prefix string) []string {
		var out []string
		for _, e := range r.Problem(t).Errors {
			if strings.HasPrefix(e.Field, prefix) {
				out = append(out, fmt.Sprintf("%s|%s|%s", e.Field, e.Code, e.Message))
			}
		}
		return out
	}
	move := func(id string) *apitest.Response {
		return w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id))
	}
	refused := func(id string) []string {
		t.Helper()
		r := move(id)
		if r.Status != 422 {
			t.Fatalf("move of %s: %d %s", id, r.Status, r.Body)
		}
		return errorsOf(r, "")
	}
	same := func(what string, a, b []string) {
		t.Helper()
		if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
			t.Fatalf("%s: docket %q, refusal %q", what, a, b)
		}
	}
	nID, lID := notice.Case.ID.String(), later.Case.ID.String()

	d := docket("")
	n, l := d[nID], d[lID]
	nGuards, nExhibits := listed(n)
	lGuards, _ := listed(l)
	same("notice", nGuards, refused(nID))
	same("later", lGuards, refused(lID))
	if len(nGuards) != 2 || len(lGuards) != 3 || len(nExhibits) != 4 { // mandate, lawyer (+ notice period); invoice, notice, receipt, this half-year's rate
		t.Fatalf("blockers: notice %q %q, later %q", nGuards, nExhibits, lGuards)
	}
	if !n.Urgent || l.Urgent {
		t.Fatalf("urgent: notice %v (overdue), later %v (in 11 days, 10 configured)", n.Urgent, l.Urgent)
	}
	if r := docket("?ready=true"); len(r) != 0 {
		t.Fatalf("ready while blocked: %+v", r)
	}

	// The mandates allow court action, the lawyer takes both cases, each
	// has its formal notice and invoice; notice still lacks the receipt.
	for _, c := range []app.CaseView{notice, later} {
		id := c.Case.ID.String()
		w.as("admin").Do("PATCH", "/api/v1/creditors/"+c.Case.CreditorID.String(), map[string]any{"mandate": map[string]any{"judicial_allowed": true}})
		if r := w.as("lawyer").Do("PATCH", "/api/v1/cases/"+id, map[string]any{"assigned_lawyer_id": w.users["lawyer"].ID}, "If-Match", w.etag(id)); r.Status != 200 {
			t.Fatalf("assign myself: %d %s", r.Status, r.Body)
		}
		if r, _ := w.generate("agent", id, map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 555"}}); r.Status != 201 {
			t.Fatalf("formal notice: %d %s", r.Status, r.Body)
		}
		if r := w.upload("agent", id, "invoice", "", "Facture "+c.Claims[0].InvoiceNumber+".pdf", tinyPDF); r.Status != 201 {
			t.Fatalf("invoice: %d %s", r.Status, r.Body)
		}
	}
	w.upload("agent", lID, "formal_notice_receipt", "", "AR.pdf", tinyPDF)
	// The notice periods as the fixture wants them (producing the letter
	// may have dated them): notice's over, later's now over too.
	exec(`UPDATE cases SET formal_notice_deadline = $2 WHERE id IN ($1, $3)`, notice.Case.ID, today.AddDays(-2).Time(), later.Case.ID)

	d = docket("")
	nGuards, nExhibits = listed(d[nID])
	if len(nGuards) != 0 || len(nExhibits) != 2 || !strings.HasPrefix(nExhibits[0], "exhibits.formal_notice_receipt|") || !strings.HasPrefix(nExhibits[1], "statement|provisional|") {
		t.Fatalf("notice still waits for %q %q", nGuards, nExhibits)
	}
	if r := docket("?ready=true"); len(r) != 0 {
		t.Fatalf("ready with a provisional statement: %+v", r)
	}
	// The move does not look at exhibits nor the statement; the request
	// does, and misses exactly what the docket said.
	if r := move(nID); r.Status != 200 {
		t.Fatalf("move of notice: %d %s", r.Status, r.Body)
	}
	r, _ := w.generate("lawyer", nID, map[string]any{"kind": "injunction_packet", "options": map[string]any{"court": "Tribunal de commerce de Lons-le-Saunier"}})
	if r.Status != 422 {
		t.Fatalf("request without the receipt: %d %s", r.Status, r.Body)
	}
	refusal := append(errorsOf(r, "exhibits."), errorsOf(r, "statement")...)
	same("notice's request", nExhibits, refusal)

	// Once the half-year's rate is entered, later is ready, and moves.
	half := "2026-01-01"
	if today.Month() >= 7 {
		half = "2026-07-01"
	}
	half = fmt.Sprintf("%d%s", today.Year(), half[4:])
	if r := w.as("admin").Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": half, "value": 200, "source": "BCE"}); r.Status != 201 && r.Status != 200 {
		t.Fatalf("rate: %d %s", r.Status, r.Body)
	}
	if r := docket("?ready=true"); len(r) != 1 || len(r[lID].Blockers) != 0 {
		t.Fatalf("ready docket %+v", r)
	}
	if r := move(lID); r.Status != 200 {
		t.Fatalf("ready case refused: %d %s", r.Status, r.Body)
	}
}
