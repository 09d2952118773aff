package server_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// strategyBody is a strategy as the API takes it.
func strategyBody(name string, steps ...map[string]any) map[string]any {
	return map[string]any{"name": name, "description": "Essai", "steps": steps}
}

// createStrategy creates a strategy as the admin and returns it.
func (w *world) createStrategy(body map[string]any) oapi.Strategy {
	w.t.Helper()
	r := w.as("admin").Do("POST", "/api/v1/strategies", body)
	var st oapi.Strategy
	r.Decode(w.t, &st)
	if r.Status != 201 {
		w.t.Fatalf("create strategy: %d %s", r.Status, r.Body)
	}
	return st
}

// strategyCase opens a case of creditor A for a company debtor with an
// e-mail address, a phone and a full address, assigned to the agent.
func (w *world) strategyCase(email string) uuid.UUID {
	w.t.Helper()
	today := recouvra.DateOf(w.clock.Now())
	agent := w.users["agent"].ID
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{
		CreditorID: &w.credA.ID, CreditorReference: "STRAT-" + w.unique(), AssignedAgentID: &agent,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Tonnellerie Vidal " + w.unique(), Emails: []string{email}, Phones: []string{"+33384000000"},
			Address: recouvra.Address{Line1: "8 rue des Tonneliers", PostalCode: "39000", City: "Lons-le-Saunier", Country: "FR"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-90), DueOn: today.AddDays(-60), AmountCents: 240000, VATCents: 40000}},
	}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Case.ID
}

// pass runs one engine pass on the world's clock.
func (w *world) pass() app.StrategyPass {
	w.t.Helper()
	p, err := w.svc.RunStrategies(context.Background())
	if err != nil {
		w.t.Fatalf("pass: %v", err)
	}
	return p
}

// caseStrategy reads where the case stands in its strategy, as the agent.
func (w *world) caseStrategy(id uuid.UUID) oapi.CaseStrategy {
	w.t.Helper()
	r := w.as("agent").Do("GET", "/api/v1/cases/"+id.String()+"/strategy", nil)
	var cs oapi.CaseStrategy
	r.Decode(w.t, &cs)
	if r.Status != 200 {
		w.t.Fatalf("case strategy: %d %s", r.Status, r.Body)
	}
	return cs
}

// stepEvents lists the case's strategy_step events with outcome done.
func (w *world) stepEvents(id uuid.UUID) []oapi.Event {
	w.t.Helper()
	var out []oapi.Event
	for _, e := range w.mailEvents("admin", id, "strategy_step") {
		if e.Data["outcome"] == "done" {
			out = append(out, e)
		}
	}
	return out
}

// TestStrategyRunsACaseThroughEveryStep runs a case of a creditor whose
// mandate names a strategy through all of it on the world's clock: a
// letter, an e-mail received by a real SMTP server, a call task in the
// agent's queue, the formal notice under its guards and the hand-over to a
// lawyer once the notice's deadline has run — with a dispute that pauses
// it and a promise whose breaking resumes it at once.
func TestStrategyRunsACaseThroughEveryStep(t *testing.T) {
	t.Parallel()
	w, catcher := mailWorld(t, nil)
	st := w.createStrategy(strategyBody("Parcours complet",
		map[string]any{"name": "Lettre", "channel": "letter", "delay": 0, "from": "placement"},
		map[string]any{"name": "E-mail", "channel": "email", "delay": 3},
		map[string]any{"name": "Appel", "channel": "call_task", "delay": 2, "template": "call_firm"},
		map[string]any{"name": "Mise en demeure", "channel": "formal_notice", "delay": 5},
		map[string]any{"name": "Juriste", "channel": "hand_to_lawyer", "delay": 1},
	))
	if r := w.as("admin").Do("PUT", "/api/v1/creditors/"+w.credA.ID.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
		t.Fatalf("mandate default: %d %s", r.Status, r.Body)
	}
	id := w.strategyCase("achats@tonnellerie-vidal.test")

	// Day 0: enrolled with the creditor's other open case, the letter goes.
	if p := w.pass(); p.Enrolled < 2 || p.Claimed < 2 {
		t.Fatalf("first pass: %+v", p)
	}
	docs := w.as("agent").Do("GET", "/api/v1/cases/"+id.String()+"/documents", nil)
	var list struct{ Items []oapi.Document }
	docs.Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Kind != "amicable_letter" {
		t.Fatalf("documents after the letter step: %s", docs.Body)
	}
	cs := w.caseStrategy(id)
	if cs.StrategyId != st.Id || cs.Position != 1 || cs.LastStep == nil || cs.LastStep.Channel != "letter" || cs.NextStep == nil ||
		cs.NextStep.Channel != "email" || cs.NextDueOn == nil || cs.NextDueOn.String() != w.today().AddDays(3).String() {
		t.Fatalf("after the letter: %+v", cs)
	}
	if ev := w.stepEvents(id); len(ev) != 1 || !ev[0].ActorUserId.IsNull() || ev[0].Data["acting_for"] != "mandate" || ev[0].Visibility != "internal" {
		t.Fatalf("the system's event: %+v", ev)
	}

	// Day 1: a dispute; day 3, the e-mail is due but the strategy waits.
	w.days(1)
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/events", map[string]any{"type": "dispute_opened", "data": map[string]any{"reason": "Livraison incomplète"}}); r.Status != 201 {
		t.Fatalf("dispute: %d %s", r.Status, r.Body)
	}
	w.days(2)
	w.pass()
	if cs := w.caseStrategy(id); cs.Position != 1 || len(cs.Paused) != 1 || cs.Paused[0].Code != "dispute" || len(catcher.Messages()) != 0 {
		t.Fatalf("paused by the dispute: %+v, %d mails", cs, len(catcher.Messages()))
	}
	// Resolved: the overdue e-mail goes on the next pass, the letter attached.
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/events", map[string]any{"type": "dispute_resolved", "data": map[string]any{"resolution": "Reliquat livré"}}); r.Status != 201 {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	w.pass()
	msgs := catcher.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "achats@tonnellerie-vidal.test" {
		t.Fatalf("mails: %+v", msgs)
	}
	// The MIME read back: the agency as sender, the case's agent as
	// Reply-To, the Message-ID the timeline recorded, both parts with the
	// R124-4 mentions, and the attached PDF letter of this case.
	m := readMIME(t, msgs[0].Raw)
	sent := w.mailEvents("creditor", id, "email_sent")
	if len(sent) != 1 {
		t.Fatalf("email_sent events: %d", len(sent))
	}
	from, _ := netmail.ParseAddress(m.header.Get("From"))
	replyTo, _ := netmail.ParseAddress(m.header.Get("Reply-To"))
	if from == nil || replyTo == nil || replyTo.Address != w.users["agent"].Email || m.header.Get("Message-Id") != "<"+fmt.Sprint(sent[0].Data["message_id"])+">" {
		t.Fatalf("headers: From %q Reply-To %q Message-Id %q, event %v", m.header.Get("From"), m.header.Get("Reply-To"), m.header.Get("Message-Id"), sent[0].Data)
	}
	for _, part := range []string{m.text, m.html} {
		if !strings.Contains(part, "activité de recouvrement amiable de créances pour le compte") || !strings.Contains(part, "L111-8") {
			t.Fatalf("a part lacks the R124-4 mentions:\n%s", part)
		}
	}
	ref := w.caseOf(id).Reference
	if !bytes.HasPrefix(m.attachment, []byte("%PDF")) || !strings.Contains(apitest.PDFText(t, m.attachment), ref) {
		t.Fatalf("attachment: %q %d bytes", m.attachName, len(m.attachment))
	}
	// It is the letter the step stored on the case, byte for byte.
	docs = w.as("agent").Do("GET", "/api/v1/cases/"+id.String()+"/documents", nil)
	docs.Decode(t, &list)
	same := false
	for _, d := range list.Items {
		if d.FileName == m.attachName {
			_, stored := w.content("agent", d.Id.String())
			same = same || bytes.Equal(stored, m.attachment)
		}
	}
	if !same {
		t.Fatalf("the attachment %q is none of the case's documents: %s", m.attachName, docs.Body)
	}

	// Two days on: a call task in the agent's queue, with its script; the
	// strategy waits for it.
	w.days(2)
	w.pass()
	cs = w.caseStrategy(id)
	if cs.CallTask == nil || cs.CallTask.State != "open" || cs.CallTask.Script != recouvra.CallScripts["call_firm"] || cs.NextDueOn != nil || cs.Position != 3 {
		t.Fatalf("call task: %+v", cs)
	}
	q := w.as("agent").Do("GET", "/api/v1/queue?limit=200", nil)
	var queue struct{ Items []oapi.QueueItem }
	q.Decode(t, &queue)
	found := false
	for _, it := range queue.Items {
		if it.Id == id {
			found = len(it.Reasons) > 0 && it.Reasons[0].Code == "call_task_due" && it.CallTask != nil && it.CallTask.Id == cs.CallTask.Id
		}
	}
	if !found {
		t.Fatalf("queue: %s", q.Body)
	}
	w.days(7)
	w.pass() // waiting for the call: nothing, however late
	if cs := w.caseStrategy(id); cs.Position != 3 || cs.CallTask == nil {
		t.Fatalf("waiting for the call: %+v", cs)
	}
	r := w.as("agent").Do("POST", "/api/v1/call-tasks/"+cs.CallTask.Id.String()+"/complete", map[string]any{"outcome": "reached", "note": "Promet de payer"})
	if r.Status != 200 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", "/api/v1/call-tasks/"+cs.CallTask.Id.String()+"/complete", map[string]any{"outcome": "reached"}); r.Status != 409 {
		t.Fatalf("twice: %d %s", r.Status, r.Body)
	}
	cs = w.caseStrategy(id)
	if cs.CallTask != nil || cs.NextDueOn == nil || cs.NextDueOn.String() != w.today().AddDays(5).String() {
		t.Fatalf("after the call: %+v", cs)
	}

	// A promise due tomorrow pauses the strategy; the formal notice falls
	// due meanwhile. Broken (the sweep, after the grace), it resumes at once.
	// (The server's own start-up sweep done first, so that it cannot break
	// the promise on the moved clock before the test's sweep does.)
	w.startSweepDone()
	w.promise(id, 50000, 1)
	w.days(6)
	w.pass()
	if c := w.caseOf(id); c.Stage != "amicable" {
		t.Fatalf("paused by the promise: %s", c.Stage)
	}
	if _, err := w.svc.SweepPromises(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.pass()
	if c := w.caseOf(id); c.Stage != "formal_notice" {
		t.Fatalf("after the broken promise: %s", c.Stage)
	}
	// The agent posts the registered letter: its number starts the deadline.
	if r, _ := w.generate("agent", id.String(), map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 234 567 8901 2"}}); r.Status != 201 {
		t.Fatalf("formal notice letter: %d %s", r.Status, r.Body)
	}
	// Next day: the hand-over is due, but the notice's 8 days run.
	w.days(1)
	w.pass()
	cs = w.caseStrategy(id)
	if cs.Position != 4 || cs.NextDueOn == nil || cs.NextDueOn.String() != w.today().AddDays(8).String() {
		t.Fatalf("waiting for the notice's deadline: %+v", cs)
	}
	w.days(8)
	w.pass()
	c := w.caseOf(id)
	if lawyer, err := c.AssignedLawyerId.Get(); err != nil || lawyer != w.users["lawyer"].ID || c.Priority < 2 {
		t.Fatalf("handed to the lawyer: %+v", c)
	}
	cs = w.caseStrategy(id)
	if cs.Position != 5 || cs.NextStep != nil || cs.NextDueOn != nil {
		t.Fatalf("done: %+v", cs)
	}
	// Each step ran once; the runs list counts them by channel.
	if ev := w.stepEvents(id); len(ev) != 5 {
		t.Fatalf("%d steps done", len(ev))
	}
	r = w.as("admin").Do("GET", "/api/v1/strategy-runs?limit=200", nil)
	var runs oapi.StrategyRunList
	r.Decode(t, &runs)
	done := map[string]int64{}
	for _, run := range runs.Items {
		for _, c := range run.Counts {
			if c.State != nil && *c.State == "done" {
				done[c.Channel] += c.Count
			}
		}
	}
	// Creditor A's other case, without e-mail nor phone, ran beside it:
	// its letter, its e-mail sent as a letter, its call task (still open).
	if want := map[string]int64{"letter": 3, "email": 1, "call_task": 2, "formal_notice": 1, "hand_to_lawyer": 1}; !maps.Equal(done, want) {
		t.Errorf("runs: done %v, want %v", done, want)
	}
	if len(catcher.Messages()) != 1 {
		t.Fatalf("%d mails", len(catcher.Messages()))
	}
}

// TestStrategyStepsNeverRunTwice runs two engine passes at once over the
// same due steps, then a pass that takes over a claim left by an engine
// that stopped: every step runs exactly once.
func TestStrategyStepsNeverRunTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	st := w.createStrategy(strategyBody("Une lettre", map[string]any{"channel": "letter", "from": "placement"}))
	ids := []uuid.UUID{w.caseA.Case.ID}
	for range 7 {
		ids = append(ids, w.newCase(w.credA.ID, "Verrerie Blanc "+w.unique(), "").Case.ID)
	}
	for _, id := range ids {
		if r := w.as("agent").Do("PUT", "/api/v1/cases/"+id.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
	}
	// The dry run sees them all and does nothing.
	r := w.as("admin").Do("GET", "/api/v1/strategy-runs/preview?on="+w.today().String(), nil)
	var preview oapi.StrategyRunPreview
	r.Decode(t, &preview)
	if r.Status != 200 || preview.Total != int64(len(ids)) || len(preview.ByChannel) != 1 || preview.ByChannel[0].Channel != "letter" || len(preview.Sample) != len(ids) {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}
	if n := letters(w, ids); n != 0 {
		t.Fatalf("the dry run sent %d letters", n)
	}

	var wg sync.WaitGroup
	claimed := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := w.svc.RunStrategies(context.Background())
			if err != nil {
				t.Error(err)
			}
			claimed[i] = p.Claimed
		}()
	}
	wg.Wait()
	if claimed[0]+claimed[1] != len(ids) {
		t.Fatalf("claimed %v for %d due steps", claimed, len(ids))
	}
	if n := letters(w, ids); n != len(ids) {
		t.Fatalf("%d letters for %d cases", n, len(ids))
	}
	w.pass()
	if n := letters(w, ids); n != len(ids) {
		t.Fatalf("a third pass: %d letters", n)
	}

	// An engine that stopped after its claim: the claim is taken over once
	// it is stale, and the step runs once; a fresh claim is left alone.
	dead := w.newCase(w.credA.ID, "Faïencerie Roux "+w.unique(), "").Case.ID
	if r := w.as("agent").Do("PUT", "/api/v1/cases/"+dead.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	var pass uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, `INSERT INTO strategy_passes (run_on) VALUES (current_date) RETURNING id`).Scan(&pass); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, claimed_at)
		VALUES ($1, $2, $3, 0, $4, current_date, 'letter', $5)`, dead, w.credA.ID, st.Id, pass, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.pass()
	if n := letters(w, []uuid.UUID{dead}); n != 0 {
		t.Fatalf("a fresh claim of another engine was taken: %d letters", n)
	}
	w.clock.Advance(11 * time.Minute)
	w.pass()
	w.pass()
	if n := letters(w, []uuid.UUID{dead}); n != 1 {
		t.Fatalf("the stale claim: %d letters", n)
	}
}

// letters counts the letter_sent events of the cases.
func letters(w *world, ids []uuid.UUID) int {
	n := 0
	for _, id := range ids {
		n += len(w.mailEvents("admin", id, "letter_sent"))
	}
	return n
}

// TestStrategyValidation: 422 naming the step and the field, 409 for a
// strategy in use, the simulation's dated steps.
func TestStrategyValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.as("admin").Do("POST", "/api/v1/strategies", strategyBody("Mauvaise",
		map[string]any{"channel": "letter"},
		map[string]any{"channel": "email", "delay": 2},
		map[string]any{"channel": "pigeon", "delay": -3, "template": "x"},
		map[string]any{"channel": "call_task", "template": "chanson", "conditions": map[string]any{"couleur": "rouge"}},
	))
	if r.Status != 422 {
		t.Fatalf("bad steps: %d %s", r.Status, r.Body)
	}
	codes := fieldCodes(r.Problem(t))
	for field, code := range map[string]string{"steps[2].channel": "invalid", "steps[2].delay": "negative", "steps[3].template": "unknown", "steps[3].conditions.couleur": "unknown_field"} {
		if codes[field] != code {
			t.Errorf("%s: %q, want %q (%v)", field, codes[field], code, codes)
		}
	}
	if r := w.as("admin").Do("POST", "/api/v1/strategies", map[string]any{"name": "Vide", "steps": []any{}}); r.Status != 422 || fieldCodes(r.Problem(t))["steps"] != "required" {
		t.Fatalf("no steps: %d %s", r.Status, r.Body)
	}
	// The three defaults are there, in French.
	r = w.as("agent").Do("GET", "/api/v1/strategies", nil)
	var list oapi.StrategyList
	r.Decode(t, &list)
	names := map[string]oapi.Strategy{}
	for _, s := range list.Items {
		names[s.Name] = s
	}
	for _, n := range []string{"B2B standard", "B2B gros montants", "Particuliers"} {
		if _, ok := names[n]; !ok {
			t.Fatalf("default %q missing: %s", n, r.Body)
		}
	}
	// In use (a mandate's default): 409; unused: deleted.
	std := names["B2B standard"]
	if r := w.as("admin").Do("PUT", "/api/v1/creditors/"+w.credB.ID.String()+"/strategy", map[string]any{"strategy_id": std.Id}); r.Status != 200 {
		t.Fatalf("mandate: %d %s", r.Status, r.Body)
	}
	if r := w.as("admin").Do("DELETE", "/api/v1/strategies/"+std.Id.String(), nil); r.Status != 409 {
		t.Fatalf("in use: %d %s", r.Status, r.Body)
	}
	if r := w.as("admin").Do("DELETE", "/api/v1/strategies/"+names["Particuliers"].Id.String(), nil); r.Status != 204 {
		t.Fatalf("unused: %d %s", r.Status, r.Body)
	}
	// Editing with a stale version: 412.
	body := strategyBody("B2B standard", map[string]any{"channel": "letter"})
	body["version"] = std.Version + 1
	if r := w.as("admin").Do("PUT", "/api/v1/strategies/"+std.Id.String(), body); r.Status != 412 {
		t.Fatalf("stale: %d %s", r.Status, r.Body)
	}
	// The simulation: working days across Christmas and the new year.
	r = w.as("admin").Do("POST", "/api/v1/strategy-simulations", map[string]any{
		"strategy": strategyBody("Essai", map[string]any{"channel": "email", "unit": "working_days", "from": "placement"},
			map[string]any{"channel": "letter", "delay": 5, "unit": "working_days"}),
		"sample": map[string]any{"placed_on": "2026-12-24", "balance_cents": 150000, "has_email": false}})
	var sim oapi.StrategySimulation
	r.Decode(t, &sim)
	if r.Status != 200 || len(sim.Steps) != 2 || sim.Steps[0].Channel != "letter" || sim.Steps[0].On.String() != "2026-12-24" || sim.Steps[1].On.String() != "2027-01-04" {
		t.Fatalf("simulation: %d %s", r.Status, r.Body)
	}
}

// freshStrategy creates an unused strategy (one letter step) and returns
// its id.
func (w *world) freshStrategy() string {
	w.t.Helper()
	return w.createStrategy(strategyBody("Fraîche "+w.unique(), map[string]any{"channel": "letter"})).Id.String()
}

// onStrategy puts a case on a strategy (if it follows none) and returns
// the case's id.
func (w *world) onStrategy(id uuid.UUID) string {
	w.t.Helper()
	if _, err := w.svc.CaseStrategy(context.Background(), app.System, id); err == nil {
		return id.String()
	}
	st, err := uuid.Parse(w.freshStrategy())
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.MoveCaseStrategy(context.Background(), app.System, id, st); err != nil {
		w.t.Fatal(err)
	}
	return id.String()
}

// freshCallTask puts the case on a new strategy whose one step is a call,
// runs a pass and returns the open call task.
func (w *world) freshCallTask(id uuid.UUID) string {
	w.t.Helper()
	ctx := context.Background()
	st := w.createStrategy(strategyBody("Appel "+w.unique(), map[string]any{"channel": "call_task"}))
	if _, err := w.svc.MoveCaseStrategy(ctx, app.System, id, st.Id); err != nil {
		w.t.Fatal(err)
	}
	w.pass()
	v, err := w.svc.CaseStrategy(ctx, app.System, id)
	if err != nil || v.CallTask == nil {
		w.t.Fatalf("no call task: %v %+v", err, v)
	}
	return v.CallTask.ID.String()
}

// strategyFor is a fresh strategy for the access matrix's own and other
// targets, a random id for missing.
func (w *world) strategyFor(t target) string {
	if t == missing {
		return uuid.NewString()
	}
	return w.freshStrategy()
}

// callTaskFor is an open call task on case A (own) or B (other), a random
// id for missing.
func (w *world) callTaskFor(t target) string {
	switch t {
	case own:
		return w.freshCallTask(w.caseA.Case.ID)
	case other:
		return w.freshCallTask(w.caseB.Case.ID)
	}
	return uuid.NewString()
}

// strategyCaseFor is case A (own) or B (other) on a strategy, a random id
// for missing.
func (w *world) strategyCaseFor(t target) string {
	switch t {
	case own:
		return w.onStrategy(w.caseA.Case.ID)
	case other:
		return w.onStrategy(w.caseB.Case.ID)
	}
	return uuid.NewString()
}
