package server_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

type queueAnswer struct {
	Items []oapi.QueueItem
	Total int64
}

func (w *world) queue(as, query string) queueAnswer {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/queue"+query, nil)
	if r.Status != 200 {
		w.t.Fatalf("queue: %d %s", r.Status, r.Body)
	}
	var q queueAnswer
	r.Decode(w.t, &q)
	return q
}

func reasonCodes(it oapi.QueueItem) []string {
	var out []string
	for _, r := range it.Reasons {
		out = append(out, string(r.Code))
	}
	return out
}

func reasonText(it oapi.QueueItem, code oapi.QueueReasonCode) string {
	for _, r := range it.Reasons {
		if r.Code == code {
			return r.Text
		}
	}
	return ""
}

// TestQueueSaysWhyAndCounts: the queue's items carry their creditor, days
// overdue, last contact, promise and the reasons of their rank in the
// ranking's own order; the total counts the whole queue beyond the page;
// and the order served is recouvra.QueueBefore's.
func TestQueueSaysWhyAndCounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	urgent := w.newCase(w.credB.ID, "Urgent SARL", "")
	if _, err := w.svc.UpdateCase(ctx, app.System, urgent.Case.ID, urgent.Case.Version, app.CasePatch{Priority: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	broken := w.newCase(w.credA.ID, "Promesse SAS", "")
	today := recouvra.DateOf(w.clock.Now())
	for _, ev := range []map[string]any{
		{"type": "promise", "data": map[string]any{"amount_cents": 50000, "due_on": today.String()}},
		{"type": "promise_broken", "data": map[string]any{}},
	} {
		if r := w.as("agent").Do("POST", "/api/v1/cases/"+broken.Case.ID.String()+"/events", ev); r.Status != 201 {
			t.Fatalf("%v: %d %s", ev["type"], r.Status, r.Body)
		}
	}
	pending := w.newCase(w.credA.ID, "Promesse à venir SAS", "")
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+pending.Case.ID.String()+"/events", map[string]any{
		"type": "promise", "data": map[string]any{"amount_cents": 30000, "due_on": today.AddDays(10).String()}}); r.Status != 201 {
		t.Fatalf("promise: %d %s", r.Status, r.Body)
	}

	// The pending promise takes its case out of today's queue: four remain.
	q := w.queue("agent", "?limit=2")
	if q.Total != 4 || len(q.Items) != 2 {
		t.Fatalf("total %d, %d items, want 4 and 2", q.Total, len(q.Items))
	}
	first, second := q.Items[0], q.Items[1]
	if first.Id != urgent.Case.ID || second.Id != broken.Case.ID {
		t.Fatalf("order %s, %s: want the urgent case, then the broken promise", first.DebtorName, second.DebtorName)
	}
	if got := strings.Join(reasonCodes(first), ","); got != "priority,balance" {
		t.Fatalf("urgent reasons %s", got)
	}
	if got := reasonText(first, oapi.QueueReasonCodePriority); got != "Priorité urgente" {
		t.Fatalf("priority in words: %q", got)
	}
	if got := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(reasonText(first, oapi.QueueReasonCodeBalance)); got != "Solde de 1 200,00 €" {
		t.Fatalf("balance in words: %q", got)
	}
	if first.CreditorName != w.credB.LegalName || second.CreditorName != w.credA.LegalName {
		t.Fatalf("creditors %q %q", first.CreditorName, second.CreditorName)
	}
	if first.DaysOverdue != 370 {
		t.Fatalf("days overdue %d, want 370 (due 370 days ago)", first.DaysOverdue)
	}
	if got := strings.Join(reasonCodes(second), ","); got != "priority,broken_promises,balance" {
		t.Fatalf("broken-promise reasons %s", got)
	}
	if got := reasonText(second, oapi.QueueReasonCodeBrokenPromises); got != "1 promesse non tenue" {
		t.Fatalf("broken promises in words: %q", got)
	}
	if !first.LastContact.IsNull() || !first.PromiseAmountCents.IsNull() {
		t.Fatalf("an untouched case shows a last contact or a promise: %+v", first)
	}

	// The whole queue is in QueueBefore's order.
	all := w.queue("agent", "")
	if int64(len(all.Items)) != all.Total {
		t.Fatalf("%d items, total %d", len(all.Items), all.Total)
	}
	var cases []recouvra.Case
	for _, it := range all.Items {
		v, err := w.svc.GetCase(ctx, app.System, it.Id)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, v.Case)
	}
	for i := 1; i < len(cases); i++ {
		if !recouvra.QueueBefore(cases[i-1], cases[i]) {
			t.Fatalf("item %d (%s) served before %d (%s) against QueueBefore", i-1, cases[i-1].Reference, i, cases[i].Reference)
		}
	}

	// A call takes its case out of today's queue; tomorrow it is back with
	// its last contact, and the pending promise shows with its amount.
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/events", map[string]any{
		"type": "call", "data": map[string]any{"outcome": "no_answer"}}); r.Status != 201 {
		t.Fatalf("call: %d %s", r.Status, r.Body)
	}
	if q := w.queue("agent", ""); q.Total != 3 {
		t.Fatalf("after the call the queue holds %d, want 3", q.Total)
	}
	w.clock.Advance(11 * 24 * time.Hour)
	w.relogin()
	q = w.queue("agent", "")
	byID := map[uuid.UUID]oapi.QueueItem{}
	for _, it := range q.Items {
		byID[it.Id] = it
	}
	called, ok := byID[w.caseA.Case.ID]
	if !ok || called.LastContact.IsNull() {
		t.Fatalf("the called case is not back with its last contact: %+v", q.Items)
	}
	lc := called.LastContact.MustGet()
	if lc.Type != oapi.LastContactTypeCall || lc.Outcome.MustGet() != "no_answer" {
		t.Fatalf("last contact %+v", lc)
	}
	p, ok := byID[pending.Case.ID]
	if !ok || p.PromiseAmountCents.MustGet() != 30000 {
		t.Fatalf("the promise's case, due again the day after its date: %+v", p)
	}
	if got := strings.Join(reasonCodes(p), ","); got != "promise_to_check,priority,balance" {
		t.Fatalf("promise reasons %s", got)
	}
}

// TestNextCaseMovesOnAfterACall: an agent takes a case, logs a call, asks
// for the next: another case each time, until none is left.
func TestNextCaseMovesOnAfterACall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.newCase(w.credA.ID, "Troisième SARL", "")
	seen := map[uuid.UUID]bool{}
	for i := 0; i < 3; i++ {
		r := w.as("agent").Do("POST", "/api/v1/queue/next", nil)
		if r.Status != 200 {
			t.Fatalf("next %d: %d %s", i, r.Status, r.Body)
		}
		var c oapi.Case
		r.Decode(t, &c)
		if seen[c.Id] {
			t.Fatalf("next %d handed back %s, already worked", i, c.Reference)
		}
		seen[c.Id] = true
		if r := w.as("agent").Do("POST", "/api/v1/cases/"+c.Id.String()+"/events", map[string]any{
			"type": "call", "data": map[string]any{"outcome": "voicemail"}}); r.Status != 201 {
			t.Fatalf("call: %d %s", r.Status, r.Body)
		}
	}
	if r := w.as("agent").Do("POST", "/api/v1/queue/next", nil); r.Status != 404 {
		t.Fatalf("after three calls: %d %s, want 404 (nothing left today)", r.Status, r.Body)
	}
}

// TestSettingsLargePayment: every signed-in person reads the threshold the
// configuration sets.
func TestSettingsLargePayment(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.LargePaymentCents = 123_456 })
	for _, who := range []string{"agent", "creditor"} {
		var s oapi.Settings
		r := w.as(who).Do("GET", "/api/v1/settings", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", who, r.Status, r.Body)
		}
		r.Decode(t, &s)
		if s.LargePaymentCents != 123_456 {
			t.Fatalf("%s reads %d", who, s.LargePaymentCents)
		}
	}
}

// TestBestTimeToCallThroughTheAPI: the debtor's best time to call is taken
// with a new case, shown with the case, changed on the debtor, and refused
// when too long or not one printable line.
func TestBestTimeToCallThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	body := func(best string) map[string]any {
		return map[string]any{
			"creditor_id": w.credA.ID,
			"debtor": map[string]any{"kind": "company", "name": "Horaires SARL " + w.unique(), "phones": []string{"+33 4 72 00 00 01"},
				"emails": []string{"compta@horaires.test"}, "best_time_to_call": best},
			"claims": []map[string]any{{"invoice_number": "H-" + w.unique(), "issued_on": "2026-09-01", "due_on": "2026-10-01", "amount_cents": 9900}},
		}
	}
	r := w.as("agent").Do("POST", "/api/v1/cases", body("  mardi et jeudi matin "))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c oapi.Case
	r.Decode(t, &c)
	if c.Debtor.BestTimeToCall != "mardi et jeudi matin" {
		t.Fatalf("best time %q", c.Debtor.BestTimeToCall)
	}
	r = w.as("agent").Do("PATCH", "/api/v1/debtors/"+c.Debtor.Id.String(), map[string]any{"best_time_to_call": "après 18 h"})
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	r = w.as("agent").Do("GET", "/api/v1/cases/"+c.Id.String(), nil)
	r.Decode(t, &c)
	if c.Debtor.BestTimeToCall != "après 18 h" {
		t.Fatalf("after the patch %q", c.Debtor.BestTimeToCall)
	}
	for name, bad := range map[string]string{"too long": strings.Repeat("é", 201), "two lines": "matin\nsoir"} {
		r := w.as("agent").Do("POST", "/api/v1/cases", body(bad))
		if r.Status != 422 {
			t.Fatalf("%s: %d %s", name, r.Status, r.Body)
		}
		p := r.Problem(t)
		found := false
		for _, e := range p.Errors {
			found = found || strings.Contains(e.Field, "best_time_to_call")
		}
		if !found {
			t.Fatalf("%s: the refusal does not name the field: %s", name, r.Body)
		}
	}
}

// TestCaseActionBlockers: the case says what blocks the move to formal
// notice and the amicable letter, in the words the refusals use.
func TestCaseActionBlockers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	get := func(id uuid.UUID) oapi.Case {
		var c oapi.Case
		w.as("agent").Do("GET", "/api/v1/cases/"+id.String(), nil).Decode(t, &c)
		return c
	}
	codes := func(f []oapi.FieldError) string {
		var out []string
		for _, e := range f {
			out = append(out, e.Code)
		}
		return strings.Join(out, ",")
	}
	c := get(w.caseA.Case.ID)
	if got := codes(c.ActionBlockers.FormalNotice); got != recouvra.GuardNoAmicableReminder {
		t.Fatalf("fresh case, formal notice blocked by %q", got)
	}
	if len(c.ActionBlockers.AmicableLetter) != 0 {
		t.Fatalf("the letter is blocked: %+v", c.ActionBlockers.AmicableLetter)
	}
	// The move's own refusal names the same guard.
	r := w.as("agent").Do("POST", "/api/v1/cases/"+c.Id.String()+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", fmt.Sprintf(`"%d"`, c.Version))
	if p := r.Problem(t); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Code != recouvra.GuardNoAmicableReminder || p.Errors[0].Message != c.ActionBlockers.FormalNotice[0].Message {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+c.Id.String()+"/events", map[string]any{"type": "call", "data": map[string]any{"outcome": "reached"}}); r.Status != 201 {
		t.Fatalf("call: %d %s", r.Status, r.Body)
	}
	if c = get(c.Id); len(c.ActionBlockers.FormalNotice) != 0 {
		t.Fatalf("after a call that reached the debtor: %+v", c.ActionBlockers.FormalNotice)
	}
	// A debtor without a postal address: neither the letter nor the notice.
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{CreditorID: &w.credA.ID,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Sans Adresse"},
		Claims: []recouvra.Claim{{InvoiceNumber: "SA-1", IssuedOn: recouvra.MustDate("2026-01-01"), DueOn: recouvra.MustDate("2026-02-01"), AmountCents: 5000}}}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	c = get(v.Case.ID)
	if got := codes(c.ActionBlockers.AmicableLetter); got != "incomplete" {
		t.Fatalf("letter blockers %q", got)
	}
	if got := codes(c.ActionBlockers.FormalNotice); !strings.Contains(got, recouvra.GuardIncompleteAddress) {
		t.Fatalf("notice blockers %q", got)
	}
	// Past the amicable stage the move is no longer possible.
	c = get(w.caseA.Case.ID)
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+c.Id.String()+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", fmt.Sprintf(`"%d"`, c.Version)); r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	if got := codes(get(c.Id).ActionBlockers.FormalNotice); got != recouvra.GuardNotAllowed {
		t.Fatalf("at formal notice: %q", got)
	}
}
