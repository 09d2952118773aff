package server_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestClaimNatureAndTargetOnThroughTheAPI: a claim's nature is taken,
// stored and read back; it chooses the time bar (law 89-462 art. 7-1: rent,
// three years), and each deadline carries the agency's target date the
// configured margin earlier, on a working day.
func TestClaimNatureAndTargetOnThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.DeadlineMarginDays = 3 })
	today := recouvra.DateOf(w.clock.Now())
	rentDue, serviceDue := today.AddDays(-400), today.AddDays(-10)
	body := map[string]any{
		"creditor_reference": "BAIL-12",
		"debtor": map[string]any{"kind": "person", "name": "Jeanne Locataire",
			"address": map[string]any{"line1": "8 rue des Tilleuls", "postal_code": "69007", "city": "Lyon"}},
		"claims": []map[string]any{
			{"invoice_number": "LOYER-2025-10", "issued_on": rentDue.String(), "due_on": rentDue.String(), "amount_cents": 85000, "nature": "residential_rent"},
			{"invoice_number": "REP-2026-01", "issued_on": serviceDue.String(), "due_on": serviceDue.String(), "amount_cents": 12000},
		},
	}
	r := w.as("api_key").Do("POST", "/api/v1/cases", body)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var created oapi.Case
	r.Decode(t, &created)

	var c oapi.Case
	if r := w.as("agent").Do("GET", "/api/v1/cases/"+created.Id.String(), nil); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &c)
	}
	natures := map[string]oapi.ClaimNature{}
	for _, cl := range c.Claims {
		natures[cl.InvoiceNumber] = cl.Nature
	}
	if natures["LOYER-2025-10"] != "residential_rent" || natures["REP-2026-01"] != "general" {
		t.Fatalf("natures read back: %v", natures)
	}
	// Rent: three years; the other claim, a business against a consumer:
	// two years (L218-2), later here. The rent's bar comes first.
	var bar *oapi.Deadline
	for i, d := range c.Deadlines {
		if d.Kind == "time_bar" {
			bar = &c.Deadlines[i]
		}
		on, err := d.On.Get()
		if err != nil {
			if d.TargetOn != nil {
				t.Fatalf("%s: no legal date, yet a target %v", d.Kind, d.TargetOn)
			}
			continue
		}
		want := recouvra.TargetOn(recouvra.DateOf(on.Time), 3)
		if d.TargetOn == nil || d.TargetOn.String() != want.String() || d.TargetOn.After(on.Time) ||
			!recouvra.WorkingDay(recouvra.DateOf(d.TargetOn.Time)) || !d.TargetOn.Before(on.Time) {
			t.Fatalf("%s on %s: target %v, want %s", d.Kind, on, d.TargetOn, want)
		}
	}
	if bar == nil || bar.On.MustGet().String() != rentDue.AddYears(3).String() || !strings.Contains(bar.Note, "89-462") {
		t.Fatalf("time bar: %+v in %s", bar, r.Body)
	}

	// An unknown nature is refused with the field named.
	body["claims"] = []map[string]any{{"invoice_number": "X-1", "issued_on": rentDue.String(), "due_on": rentDue.String(), "amount_cents": 100, "nature": "lease"}}
	r = w.as("api_key").Do("POST", "/api/v1/cases", body)
	if r.Status != 422 && r.Status != 400 {
		t.Fatalf("unknown nature: %d %s", r.Status, r.Body)
	}
	named := false
	for _, e := range r.Problem(t).Errors {
		named = named || strings.Contains(e.Field, "nature")
	}
	if !named {
		t.Fatalf("the refusal must name the nature: %s", r.Body)
	}
}

// TestCourtStepsMoveTheBarThroughTheAPI: once the request is filed the
// docket's time bar disappears (C. civ. 2241-2242); once the order is
// enforceable the title's ten years show instead (CPCE L111-4), with their
// internal target.
func TestCourtStepsMoveTheBarThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	path := "/api/v1/cases/" + id
	today := recouvra.DateOf(w.clock.Now())
	must := func(r *apitest.Response, what string) *apitest.Response {
		t.Helper()
		if r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		return r
	}
	move := func(as, to string) {
		t.Helper()
		must(w.as(as).Do("POST", path+"/transitions", map[string]any{"to": to}, "If-Match", w.etag(id)), "to "+to)
	}
	event := func(typ string, data map[string]any) {
		t.Helper()
		must(w.as("agent").Do("POST", path+"/events", map[string]any{"type": typ, "data": data}), typ)
	}
	kinds := func(c oapi.Case) map[string]oapi.Deadline {
		m := map[string]oapi.Deadline{}
		for _, d := range c.Deadlines {
			m[string(d.Kind)] = d
		}
		return m
	}
	var c oapi.Case
	must(w.as("lawyer").Do("GET", path, nil), "case").Decode(t, &c)
	if _, ok := kinds(c)["time_bar"]; !ok {
		t.Fatalf("before any filing the time bar shows: %+v", c.Deadlines)
	}
	event("letter_sent", map[string]any{"kind": "amicable", "sent_on": today.AddDays(-90).String()})
	move("agent", "formal_notice")
	event("letter_sent", map[string]any{"kind": "formal_notice", "sent_on": today.AddDays(-80).String(), "registered_number": "1A 001 234 5678 9"})
	must(w.upload("agent", id, "formal_notice", "", "mise-en-demeure.pdf", tinyPDF), "notice copy")
	readyForCourt(t, w, w.caseA)
	move("lawyer", "injunction")
	step := func(body map[string]any) oapi.Case {
		t.Helper()
		var c oapi.Case
		must(w.as("lawyer").Do("POST", path+"/court-steps", body, "If-Match", w.etag(id)), fmt.Sprint(body["step"])).Decode(t, &c)
		return c
	}
	c = step(map[string]any{"step": "filed", "on": today.AddDays(-70).String(), "court": "Tribunal de commerce de Lons-le-Saunier"})
	if d, ok := kinds(c)["time_bar"]; ok {
		t.Fatalf("C. civ. 2241-2242: no time bar while the request is pending, got %+v", d)
	}
	step(map[string]any{"step": "granted", "on": today.AddDays(-65).String()})
	c = step(map[string]any{"step": "served", "on": today.AddDays(-60).String(), "served_to_person": true})
	if _, ok := kinds(c)["time_bar"]; ok {
		t.Fatalf("no time bar while the served order can become enforceable: %+v", c.Deadlines)
	}
	enforceable := today.AddDays(-5)
	c = step(map[string]any{"step": "enforceable", "on": enforceable.String()})
	k := kinds(c)
	title, ok := k["title_enforcement"]
	if _, bar := k["time_bar"]; !ok || bar || title.On.MustGet().String() != enforceable.AddYears(10).String() ||
		title.TargetOn == nil || title.TargetOn.String() != recouvra.TargetOn(enforceable.AddYears(10), 5).String() {
		t.Fatalf("CPCE L111-4: the title's ten years with their target, no time bar; got %+v", c.Deadlines)
	}
}
