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

// TestFilingBlockersAreOneList: what the docket says a case at formal
// notice waits for is, item for item, what the move to injunction refuses
// it with, what the case page shows and what the request refuses with
// (prepareFiling, one function); "ready" keeps only the cases the move
// accepts; "urgent" follows the configured number of days, not every
// dated case.
func TestFilingBlockersAreOneList(t *testing.T) {
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
	flat := func(bs []oapi.FieldError) []string {
		var out []string
		for _, b := range bs {
			out = append(out, fmt.Sprintf("%s|%s|%s", *b.Field, b.Code, b.Message))
		}
		return out
	}
	// viewed is what the case page shows as standing in the request's way.
	viewed := func(id string) []string {
		t.Helper()
		var c oapi.Case
		w.as("lawyer").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
		return flat(c.Court.Blockers)
	}

	d := docket("")
	n, l := d[nID], d[lID]
	same("notice", flat(n.Blockers), refused(nID))
	same("later", flat(l.Blockers), refused(lID))
	same("notice's page", flat(n.Blockers), viewed(nID))
	nGuards, nRest := listed(n)
	lGuards, _ := listed(l)
	// mandate, lawyer (+ later's notice period); then the creditor's
	// identity, the special power, the invoice, the notice, its receipt,
	// this half-year's rate.
	if len(nGuards) != 2 || len(lGuards) != 3 || len(nRest) < 6 {
		t.Fatalf("blockers: notice %q %q, later %q", nGuards, nRest, lGuards)
	}
	if !n.Urgent || l.Urgent {
		t.Fatalf("urgent: notice %v (overdue), later %v (in 11 days, 10 configured)", n.Urgent, l.Urgent)
	}
	if r := docket("?ready=true"); len(r) != 0 {
		t.Fatalf("ready while blocked: %+v", r)
	}

	// Both get their formal notice; later gets everything else, notice
	// all but the acknowledgement of receipt.
	for _, c := range []app.CaseView{notice, later} {
		if r, _ := w.generate("agent", c.Case.ID.String(), map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 555"}}); r.Status != 201 {
			t.Fatalf("formal notice: %d %s", r.Status, r.Body)
		}
	}
	readyForCourt(t, w, later)
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+notice.Case.CreditorID.String(), map[string]any{
		"siren": "443061841", "identity": companyIdentity, "mandate": map[string]any{"judicial_allowed": true}})
	if r := w.as("lawyer").Do("PATCH", "/api/v1/cases/"+nID, map[string]any{"assigned_lawyer_id": w.users["lawyer"].ID}, "If-Match", w.etag(nID)); r.Status != 200 {
		t.Fatalf("assign myself: %d %s", r.Status, r.Body)
	}
	w.upload("lawyer", nID, "power_of_attorney", "", "pouvoir.pdf", tinyPDF)
	w.upload("agent", nID, "invoice", "", "Facture "+notice.Claims[0].InvoiceNumber+".pdf", tinyPDF)
	// The notice periods as the fixture wants them (producing the letter
	// dated them today): both over.
	exec(`UPDATE cases SET formal_notice_deadline = $2 WHERE id IN ($1, $3)`, notice.Case.ID, today.AddDays(-2).Time(), later.Case.ID)

	d = docket("")
	if got := flat(d[nID].Blockers); len(got) != 1 || !strings.HasPrefix(got[0], "exhibits.formal_notice_receipt|missing|") {
		t.Fatalf("notice still waits for %q", got)
	}
	same("notice, one piece short", flat(d[nID].Blockers), refused(nID))
	same("notice's page, one piece short", flat(d[nID].Blockers), viewed(nID))
	// The request, asked at formal notice, refuses with the same list and
	// says the stage comes first.
	r, _ := w.generate("lawyer", nID, map[string]any{"kind": "injunction_packet", "options": map[string]any{"court": "Tribunal de commerce de Lons-le-Saunier"}})
	if r.Status != 422 {
		t.Fatalf("request at formal notice: %d %s", r.Status, r.Body)
	}
	var request []string
	for _, e := range errorsOf(r, "") {
		if !strings.HasPrefix(e, "kind|wrong_stage|") {
			request = append(request, e)
		}
	}
	same("notice's request", flat(d[nID].Blockers), request)

	// later is ready, alone, and moves; its request then has nothing left
	// in the way but the court to name.
	if r := docket("?ready=true"); len(r) != 1 || len(r[lID].Blockers) != 0 {
		t.Fatalf("ready docket %+v", r)
	}
	if r := move(lID); r.Status != 200 {
		t.Fatalf("ready case refused: %d %s", r.Status, r.Body)
	}
	if got := viewed(lID); len(got) != 0 {
		t.Fatalf("a case moved to court still blocked: %q", got)
	}
	// What goes missing after the move (here the creditor's legal
	// representative) blocks the request as the docket would have.
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+later.Case.CreditorID.String(), map[string]any{"identity": map[string]any{"representative_name": ""}})
	r, _ = w.generate("lawyer", lID, map[string]any{"kind": "injunction_packet", "options": map[string]any{"court": "Tribunal de commerce de Lons-le-Saunier"}})
	if got := errorsOf(r, ""); r.Status != 422 || fmt.Sprint(got) != fmt.Sprint(viewed(lID)) || len(got) != 1 || !strings.HasPrefix(got[0], "creditor.identity.representative_name|missing|") {
		t.Fatalf("request after the representative was cleared: %d %q, page %q", r.Status, got, viewed(lID))
	}
}
