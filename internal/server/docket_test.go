package server_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDocketBlockersAreTheMovesRefusal: what the docket says a case at
// formal notice waits for is, item for item, what the move to injunction
// refuses it with; "ready" keeps only the cases the move accepts; "urgent"
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
	listed := func(e oapi.DocketEntry) []string {
		var out []string
		for _, b := range e.Blockers {
			out = append(out, fmt.Sprintf("%s|%s|%s", *b.Field, b.Code, b.Message))
		}
		return out
	}
	refused := func(id string) []string {
		t.Helper()
		r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id))
		if r.Status != 422 {
			t.Fatalf("move of %s: %d %s", id, r.Status, r.Body)
		}
		var out []string
		for _, e := range r.Problem(t).Errors {
			out = append(out, fmt.Sprintf("%s|%s|%s", e.Field, e.Code, e.Message))
		}
		return out
	}
	same := func(what string, a, b []string) {
		t.Helper()
		if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
			t.Fatalf("%s: docket %q, move %q", what, a, b)
		}
	}

	d := docket("")
	n, l := d[notice.Case.ID.String()], d[later.Case.ID.String()]
	same("notice", listed(n), refused(notice.Case.ID.String()))
	same("later", listed(l), refused(later.Case.ID.String()))
	if len(listed(n)) != 2 || len(listed(l)) != 3 { // mandate, lawyer; and the notice period for later
		t.Fatalf("blockers: notice %q, later %q", listed(n), listed(l))
	}
	if !n.Urgent || l.Urgent {
		t.Fatalf("urgent: notice %v (overdue), later %v (in 11 days, 10 configured)", n.Urgent, l.Urgent)
	}
	if r := docket("?ready=true"); len(r) != 0 {
		t.Fatalf("ready while blocked: %+v", r)
	}

	// The mandate allows court action and a lawyer takes notice: only
	// later's notice period is left, and notice is ready — and moves.
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"judicial_allowed": true}})
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credB.ID.String(), map[string]any{"mandate": map[string]any{"judicial_allowed": true}})
	exec(`UPDATE cases SET assigned_lawyer_id = $2 WHERE id IN ($1, $3)`, notice.Case.ID, w.users["lawyer"].ID, later.Case.ID)
	d = docket("")
	l = d[later.Case.ID.String()]
	same("later, assigned", listed(l), refused(later.Case.ID.String()))
	if len(listed(l)) != 1 || l.Blockers[0].Code != recouvra.GuardNoticeDeadline {
		t.Fatalf("later still waits for %q", listed(l))
	}
	r := docket("?ready=true")
	if len(r) != 1 || len(r[notice.Case.ID.String()].Blockers) != 0 {
		t.Fatalf("ready docket %+v", r)
	}
	id := notice.Case.ID.String()
	if m := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id)); m.Status != 200 {
		t.Fatalf("ready case refused: %d %s", m.Status, m.Body)
	}
}
