package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func fieldCodes(p apitest.Problem) map[string]string {
	m := map[string]string{}
	for _, e := range p.Errors {
		m[e.Field] = e.Code
	}
	return m
}

func TestCreditorOpensItsOwnCaseAndDebtorsAreShared(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	body := map[string]any{
		"creditor_reference": "DOS-77",
		"debtor": map[string]any{"kind": "company", "name": "Scierie du Jura (autre saisie)", "siren": "732 829 320",
			"address": map[string]any{"line1": "4 rue du Moulin", "postal_code": "39000", "city": "Lons-le-Saunier"}},
		"claims": []map[string]any{
			{"invoice_number": "FA-2026-001", "issued_on": "2026-06-01", "due_on": "2026-07-01", "amount_cents": 150000, "vat_cents": 25000},
			{"invoice_number": "AV-2026-004", "issued_on": "2026-06-15", "due_on": "2026-06-15", "amount_cents": -20000, "vat_cents": -3333},
		},
	}
	r := w.as("api_key").Do("POST", "/api/v1/cases", body)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var c oapi.Case
	r.Decode(t, &c)
	if c.CreditorId != w.credA.ID || c.BalanceCents != 130000 || c.PrincipalCents != 130000 || c.Stage != "amicable" || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("%+v", c)
	}
	// The SIREN was already known (case A's debtor): the same debtor is reused.
	if c.Debtor.Id != w.caseA.Debtor.ID || !strings.HasPrefix(c.Reference, "D-") {
		t.Fatalf("debtor %s, want the existing %s", c.Debtor.Id, w.caseA.Debtor.ID)
	}
	if len(c.Claims) != 2 || !c.Claims[0].CreditNote {
		t.Fatalf("claims %+v", c.Claims)
	}
	// A creditor cannot open a case for another creditor.
	body["creditor_id"] = w.credB.ID
	if r := w.as("creditor").Do("POST", "/api/v1/cases", body); r.Status != 422 || fieldCodes(r.Problem(t))["creditor_id"] != "forbidden" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

func TestCaseInputIsValidated(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	claim := func(over map[string]any) map[string]any {
		c := map[string]any{"invoice_number": "F-1", "issued_on": "2026-06-01", "due_on": "2026-07-01", "amount_cents": 1000}
		for k, v := range over {
			c[k] = v
		}
		return c
	}
	debtor := map[string]any{"kind": "company", "name": "X"}
	cases := []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"due before issue", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "claims": []any{claim(map[string]any{"due_on": "2026-05-01"})}}, "claims[0].due_on", "before_issue"},
		{"zero amount", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "claims": []any{claim(map[string]any{"amount_cents": 0})}}, "claims[0].amount_cents", "zero"},
		{"VAT above amount", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "claims": []any{claim(map[string]any{"vat_cents": 2000})}}, "claims[0].vat_cents", "out_of_range"},
		{"unknown currency", map[string]any{"creditor_id": w.credA.ID, "currency": "EUX", "debtor": debtor, "claims": []any{claim(nil)}}, "currency", "unknown"},
		{"claim in another currency", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "claims": []any{claim(map[string]any{"currency": "USD"})}}, "claims[0].currency", "mismatch"},
		{"bad SIREN", map[string]any{"creditor_id": w.credA.ID, "debtor": map[string]any{"kind": "company", "name": "X", "siren": "732829321"}, "claims": []any{claim(nil)}}, "debtor.siren", "siren.checksum"},
		{"bad SIRET", map[string]any{"creditor_id": w.credA.ID, "debtor": map[string]any{"kind": "company", "name": "X", "siret": "73282932000075"}, "claims": []any{claim(nil)}}, "debtor.siret", "siret.checksum"},
		{"bad VAT key", map[string]any{"creditor_id": w.credA.ID, "debtor": map[string]any{"kind": "company", "name": "X", "vat_number": "FR45732829320"}, "claims": []any{claim(nil)}}, "debtor.vat_number", "vat.checksum"},
		{"no creditor", map[string]any{"debtor": debtor, "claims": []any{claim(nil)}}, "creditor_id", "required"},
		{"unknown creditor", map[string]any{"creditor_id": uuid.New(), "debtor": debtor, "claims": []any{claim(nil)}}, "creditor_id", "unknown"},
		{"two debtors", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "debtor_id": w.caseA.Debtor.ID, "claims": []any{claim(nil)}}, "debtor", "required"},
		{"duplicate invoice", map[string]any{"creditor_id": w.credA.ID, "debtor": debtor, "claims": []any{claim(nil), claim(nil)}}, "claims.invoice_number", "duplicate"},
	}
	for _, c := range cases {
		r := w.as("agent").Do("POST", "/api/v1/cases", c.body)
		if r.Status != 422 {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		if got := fieldCodes(r.Problem(t)); got[c.field] != c.code {
			t.Errorf("%s: errors %v, want %s=%s", c.name, got, c.field, c.code)
		}
	}
	// Nothing half-written: no case, claim or debtor came out of the refusals.
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM debtors WHERE name = 'X')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows after refusals: %d %v", n, err)
	}
	// No claim on a closed case.
	id := w.caseA.Case.ID.String()
	if r := w.as("admin").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "closed", "close_reason": "settled"}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	r := w.as("creditor").Do("POST", "/api/v1/cases/"+id+"/claims", map[string]any{"claims": []any{claim(map[string]any{"invoice_number": "F-9"})}})
	if r.Status != 422 || fieldCodes(r.Problem(t))["case"] != "closed" {
		t.Fatalf("claim on a closed case: %d %s", r.Status, r.Body)
	}
}

func TestOptimisticConcurrency(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	path := "/api/v1/cases/" + id
	tag := w.etag(id)
	if r := w.as("agent").Do("PATCH", path, map[string]any{"priority": 3}); r.Status != 428 {
		t.Fatalf("no If-Match: %d", r.Status)
	}
	r := w.as("agent").Do("PATCH", path, map[string]any{"priority": 3, "assigned_agent_id": w.users["agent"].ID}, "If-Match", tag)
	if r.Status != 200 || r.Header.Get("ETag") == tag {
		t.Fatalf("first edit: %d %s", r.Status, r.Body)
	}
	if r := w.as("lawyer").Do("PATCH", path, map[string]any{"priority": 0}, "If-Match", tag); r.Status != 412 {
		t.Fatalf("stale edit: %d %s", r.Status, r.Body)
	}
	var c oapi.Case
	r = w.as("agent").Do("PATCH", path, map[string]any{"next_action_on": nil, "assigned_agent_id": nil}, "If-Match", r.Header.Get("ETag"))
	r.Decode(t, &c)
	if r.Status != 200 || c.Priority != 3 || !c.NextActionOn.IsNull() || !c.AssignedAgentId.IsNull() {
		t.Fatalf("null clears, absent keeps: %d %+v", r.Status, c)
	}
	// Assigning a creditor's user as agent is refused.
	r = w.as("agent").Do("PATCH", path, map[string]any{"assigned_lawyer_id": w.users["agent"].ID}, "If-Match", r.Header.Get("ETag"))
	if r.Status != 422 || fieldCodes(r.Problem(t))["assigned_lawyer_id"] != "wrong_role" {
		t.Fatalf("agent as lawyer: %d %s", r.Status, r.Body)
	}

	// Two concurrent edits from the same version: exactly one wins.
	tag = w.etag(id)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	errs := make([]error, len(statuses))
	for i := range statuses {
		wg.Add(1)
		go func(i int) { // reports through statuses and errs: no t.Fatal off the test's goroutine
			defer wg.Done()
			statuses[i], _, errs[i] = w.send("agent", "PATCH", path, map[string]any{"creditor_reference": fmt.Sprint("R", i)}, "If-Match", tag)
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	won := 0
	for _, s := range statuses {
		switch s {
		case 200:
			won++
		case 412:
		default:
			t.Fatalf("concurrent edit answered %d", s)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent edits from one version succeeded", won)
	}
}

// TestStagesThroughTheAPI walks a case from amicable to injunction with the
// guards refusing, in words, until their facts hold.
func TestStagesThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	path := "/api/v1/cases/" + id
	move := func(as string, body map[string]any) *apitest.Response {
		return w.as(as).Do("POST", path+"/transitions", body, "If-Match", w.etag(id))
	}
	logEvent := func(as, typ string, data map[string]any) *apitest.Response {
		return w.as(as).Do("POST", path+"/events", map[string]any{"type": typ, "data": data})
	}

	r := move("agent", map[string]any{"to": "formal_notice"})
	if p := r.Problem(t); r.Status != 422 || fieldCodes(p)["to"] != "guard.no_amicable_reminder" || p.Errors[0].Message == "" {
		t.Fatalf("no reminder yet: %d %s", r.Status, r.Body)
	}
	if r := logEvent("agent", "letter_sent", map[string]any{"kind": "amicable", "sent_on": "2026-11-02"}); r.Status != 201 {
		t.Fatalf("letter: %d %s", r.Status, r.Body)
	}
	if r := logEvent("agent", "dispute_opened", map[string]any{"reason": "Livraison incomplète"}); r.Status != 201 {
		t.Fatalf("dispute: %d %s", r.Status, r.Body)
	}
	if r := move("agent", map[string]any{"to": "formal_notice"}); r.Status != 422 || fieldCodes(r.Problem(t))["to"] != "guard.open_dispute" {
		t.Fatalf("dispute pauses escalation: %d %s", r.Status, r.Body)
	}
	logEvent("agent", "dispute_resolved", map[string]any{"resolution": "Bon de livraison signé produit"})
	if r := move("agent", map[string]any{"to": "formal_notice", "reason": "Relance sans effet"}); r.Status != 200 {
		t.Fatalf("to formal notice: %d %s", r.Status, r.Body)
	}
	// The agent may not go to court.
	if r := move("agent", map[string]any{"to": "injunction"}); r.Status != 403 {
		t.Fatalf("agent to injunction: %d", r.Status)
	}
	today := recouvra.DateOf(w.clock.Now())
	sent := today.AddDays(-10).String()
	if r := logEvent("agent", "letter_sent", map[string]any{"kind": "formal_notice", "sent_on": sent, "registered_number": "1A 001 234 5678 9"}); r.Status != 201 {
		t.Fatalf("formal notice: %d %s", r.Status, r.Body)
	}
	r = move("lawyer", map[string]any{"to": "injunction"})
	p := r.Problem(t)
	var got []string
	for _, e := range p.Errors {
		if e.Field == "to" {
			got = append(got, e.Code)
		}
	}
	// The stage's guards come first; what the request lacks follows
	// (TestFilingBlockersAreOneList).
	if r.Status != 422 || p.Errors[0].Field != "to" || strings.Join(got, ",") != "guard.mandate_forbids_judicial,guard.no_lawyer" {
		t.Fatalf("mandate and lawyer missing: %d %s", r.Status, r.Body)
	}
	// The notice was sent outside Recouvra: its copy is attached.
	if r := w.upload("agent", id, "formal_notice", "", "mise-en-demeure.pdf", tinyPDF); r.Status != 201 {
		t.Fatalf("notice copy: %d %s", r.Status, r.Body)
	}
	readyForCourt(t, w, w.caseA)
	r = move("lawyer", map[string]any{"to": "injunction"})
	var c oapi.Case
	r.Decode(t, &c)
	if r.Status != 200 || c.Stage != "injunction" || c.FirstLetterReference == "" || c.FormalNotice.SentOn.MustGet().String() != sent {
		t.Fatalf("to injunction: %d %s", r.Status, r.Body)
	}

	// Court steps, and the deadlines they start.
	step := func(body map[string]any) *apitest.Response {
		return w.as("lawyer").Do("POST", path+"/court-steps", body, "If-Match", w.etag(id))
	}
	if r := step(map[string]any{"step": "granted", "on": today.String()}); r.Status != 422 {
		t.Fatalf("granted before filed: %d", r.Status)
	}
	step(map[string]any{"step": "filed", "on": today.AddDays(-5).String(), "court": "Tribunal de commerce de Lyon"})
	r = step(map[string]any{"step": "granted", "on": today.String()})
	r.Decode(t, &c)
	lapse := ""
	for _, d := range c.Deadlines {
		if d.Kind == "order_lapse" {
			lapse = d.On.MustGet().String()
		}
	}
	if r.Status != 200 || lapse != today.AddMonths(6).String() {
		t.Fatalf("order lapse %q: %d %s", lapse, r.Status, r.Body)
	}
	// The creditor sees the court steps on its timeline.
	var events oapi.EventPage
	w.as("creditor").Do("GET", path+"/events?limit=200", nil).Decode(t, &events)
	seen := map[string]bool{}
	for _, e := range events.Items {
		seen[e.Type] = true
	}
	if !seen["court_step"] || !seen["stage_changed"] || !seen["letter_sent"] {
		t.Fatalf("creditor timeline: %v", seen)
	}
}

func TestCreditorNeverSeesInternalEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	path := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/events"
	if r := w.as("agent").Do("POST", path, map[string]any{"type": "note", "data": map[string]any{"text": "Débiteur agressif au téléphone"}}); r.Status != 201 {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", path, map[string]any{"type": "call", "visibility": "internal", "data": map[string]any{"outcome": "refused"}}); r.Status != 201 {
		t.Fatalf("internal call: %d", r.Status)
	}
	if r := w.as("creditor").Do("POST", path, map[string]any{"type": "note", "data": map[string]any{"text": "x"}}); r.Status != 403 {
		t.Fatalf("creditor note: %d", r.Status)
	}
	r := w.as("creditor").Do("POST", path, map[string]any{"type": "message", "visibility": "internal", "data": map[string]any{"text": "Le débiteur nous a appelés."}})
	var msg oapi.Event
	r.Decode(t, &msg)
	if r.Status != 201 || msg.Visibility != "shared" {
		t.Fatalf("creditor message is always shared: %d %+v", r.Status, msg)
	}
	for _, who := range []string{"creditor", "api_key"} {
		body := string(w.as(who).Do("GET", path+"?limit=200", nil).Body)
		if strings.Contains(body, "agressif") || strings.Contains(body, `"internal"`) || strings.Contains(body, "refused") {
			t.Fatalf("%s sees internal events: %s", who, body)
		}
		if !strings.Contains(body, "Le débiteur nous a appelés.") {
			t.Fatalf("%s misses its own message", who)
		}
	}
	if body := string(w.as("agent").Do("GET", path+"?limit=200", nil).Body); !strings.Contains(body, "agressif") {
		t.Fatal("staff must see internal notes")
	}
}

// TestPaginationIsStableWhileRowsAreInserted pages through cases while new
// ones arrive: no case is skipped or seen twice.
func TestPaginationIsStableWhileRowsAreInserted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := 0; i < 12; i++ {
		w.newCase(w.credA.ID, fmt.Sprint("Débiteur ", i), "")
	}
	var before oapi.CasePage
	w.as("admin").Do("GET", "/api/v1/cases?limit=200", nil).Decode(t, &before)
	seen := map[uuid.UUID]int{}
	cursor := ""
	for pages := 0; ; pages++ {
		url := "/api/v1/cases?limit=5"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		var page oapi.CasePage
		if r := w.as("admin").Do("GET", url, nil); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		} else {
			r.Decode(t, &page)
		}
		for _, c := range page.Items {
			seen[c.Id]++
		}
		w.newCase(w.credB.ID, "Arrivé pendant la lecture", "") // a new case between pages
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	for _, c := range before.Items {
		if seen[c.Id] != 1 {
			t.Errorf("case %s seen %d times", c.Reference, seen[c.Id])
		}
	}
	if r := w.as("admin").Do("GET", "/api/v1/cases?cursor=garbage", nil); r.Status != 422 {
		t.Fatalf("bad cursor: %d", r.Status)
	}
}

func TestCaseSearchAndFilters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ids := func(query string, as string) []string {
		var page oapi.CasePage
		r := w.as(as).Do("GET", "/api/v1/cases?"+query, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		r.Decode(t, &page)
		var out []string
		for _, c := range page.Items {
			out = append(out, c.Reference)
		}
		return out
	}
	a, b := w.caseA.Case, w.caseB.Case
	for _, q := range []string{"q=scierie", "q=732829320", "q=" + a.Reference, "q=" + a.CreditorReference, "q=" + w.caseA.Claims[0].InvoiceNumber} {
		if got := ids(q, "agent"); len(got) != 1 || got[0] != a.Reference {
			t.Errorf("%s → %v", q, got)
		}
	}
	if got := ids("q=minoterie", "creditor"); len(got) != 0 {
		t.Errorf("a creditor's search found another creditor's case: %v", got)
	}
	if got := ids("creditor_id="+w.credB.ID.String(), "agent"); len(got) != 1 || got[0] != b.Reference {
		t.Errorf("by creditor: %v", got)
	}
	if got := ids("stage=amicable&stage=closed&status=open&due=true&min_balance_cents=100000&max_balance_cents=120000", "agent"); len(got) != 2 {
		t.Errorf("combined filters: %v", got)
	}
	if got := ids("min_balance_cents=120001", "agent"); len(got) != 0 {
		t.Errorf("amount range: %v", got)
	}
}

// TestQueueUnderConcurrentClaims has 64 agents ask for the next case at
// once: every case handed out goes to exactly one agent.
func TestQueueUnderConcurrentClaims(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const agents, cases = 64, 40
	for i := 0; i < cases; i++ {
		w.newCase(w.credA.ID, fmt.Sprint("Débiteur file ", i), "")
	}
	tokens := make([]string, agents)
	for i := range tokens {
		u := w.createUser(fmt.Sprintf("agent%d@recouvra.test", i), recouvra.RoleAgent, nil)
		tokens[i] = w.login(u.Email)
	}
	// The agents report through answers; the checks run on the test's own
	// goroutine.
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answers := make([]answer, agents)
	var wg sync.WaitGroup
	for i := 0; i < agents; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a := &answers[i]
			a.status, a.body, a.err = w.sendBearer(tokens[i], "POST", "/api/v1/queue/next", nil)
		}(i)
	}
	wg.Wait()
	got := map[uuid.UUID]int{}
	empty := 0
	for _, a := range answers {
		switch {
		case a.err != nil:
			t.Fatal(a.err)
		case a.status == 200:
			var v oapi.Case
			if err := json.Unmarshal(a.body, &v); err != nil {
				t.Fatalf("next: %v %s", err, a.body)
			}
			got[v.Id]++
			if v.Lease.IsNull() {
				t.Errorf("a handed-out case carries no lease")
			}
		case a.status == 404:
			empty++
		default:
			t.Errorf("next: %d %s", a.status, a.body)
		}
	}
	total := 0
	for id, n := range got {
		total += n
		if n > 1 {
			t.Errorf("case %s handed to %d agents", id, n)
		}
	}
	// 42 open cases (40 + the world's two), 64 agents: 42 served, 22 told the queue is empty.
	if total != cases+2 || empty != agents-cases-2 {
		t.Fatalf("served %d, empty %d", total, empty)
	}
	// A held case leaves the others' queues.
	var q struct{ Items []oapi.CaseSummary }
	w.as("agent").Do("GET", "/api/v1/queue", nil).Decode(t, &q)
	if len(q.Items) != 0 {
		t.Fatalf("queue still shows %d held cases", len(q.Items))
	}
}

func TestQueueOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	urgent := w.newCase(w.credA.ID, "Urgent", "")
	if _, err := w.svc.UpdateCase(context.Background(), app.System, urgent.Case.ID, urgent.Case.Version, app.CasePatch{Priority: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	var q struct{ Items []oapi.CaseSummary }
	w.as("agent").Do("GET", "/api/v1/queue", nil).Decode(t, &q)
	if len(q.Items) != 3 || q.Items[0].Id != urgent.Case.ID {
		t.Fatalf("queue %+v", q.Items)
	}
}

func ptr[T any](v T) *T { return &v }

func TestBalanceZeroClosesAsPaid(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	// A credit note for the whole invoice, dated its due date: nothing was
	// ever late, so no interest or indemnity either.
	due := w.caseA.Claims[0].DueOn.String()
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/claims", map[string]any{"claims": []any{
		map[string]any{"invoice_number": "AV-1", "issued_on": due, "due_on": due, "amount_cents": -120000, "vat_cents": -20000},
	}})
	var c oapi.Case
	r.Decode(t, &c)
	if r.Status != 200 || c.BalanceCents != 0 || c.Stage != "closed" || c.CloseReason.MustGet() != "paid" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}
