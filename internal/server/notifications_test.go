package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// notifications reads a principal's first page (limit items, 0: default).
func notifications(t *testing.T, w *world, as, query string) oapi.NotificationPage {
	t.Helper()
	r := w.as(as).Do("GET", "/api/v1/notifications"+query, nil)
	if r.Status != 200 {
		t.Fatalf("notifications as %s: %d %s", as, r.Status, r.Body)
	}
	var p oapi.NotificationPage
	r.Decode(t, &p)
	return p
}

func unread(t *testing.T, w *world, as string) int64 {
	t.Helper()
	r := w.as(as).Do("GET", "/api/v1/notifications/unread-count", nil)
	if r.Status != 200 {
		t.Fatalf("unread count as %s: %d %s", as, r.Status, r.Body)
	}
	var c oapi.UnreadCount
	r.Decode(t, &c)
	return c.UnreadCount
}

func (w *world) pay(as, caseID string, cents int64, key string) {
	w.t.Helper()
	body := map[string]any{"amount_cents": cents, "received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer"}
	if r := w.as(as).Do("POST", "/api/v1/cases/"+caseID+"/payments", body, "Idempotency-Key", key); r.Status != 201 {
		w.t.Fatalf("payment on %s as %s: %d %s", caseID, as, r.Status, r.Body)
	}
}

// TestNotifications: payments and stage changes reach the creditor's
// people, the assigned agent (payments) and the assigned lawyer (stage
// changes), never the one who acted; read one, read all, paging; an admin
// (who has none) and an API key are refused.
func TestNotifications(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	idA, idB := w.caseA.Case.ID.String(), w.caseB.Case.ID.String()
	agent, lawyer := w.users["agent"].ID, w.users["lawyer"].ID
	if _, err := w.svc.UpdateCase(ctx, app.System, w.caseA.Case.ID, w.caseA.Case.Version, app.CasePatch{AssignedAgentID: &agent, AssignedLawyerID: &lawyer}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"creditor", "creditor_b", "agent", "lawyer"} {
		if n := unread(t, w, who); n != 0 {
			t.Fatalf("%s starts with %d unread (opening and assigning cases is no news)", who, n)
		}
	}

	w.pay("agent", idA, 10_000, "notif-pay-a-1")
	w.pay("agent", idB, 20_000, "notif-pay-b-1")

	a := notifications(t, w, "creditor", "")
	if a.UnreadCount != 1 || len(a.Items) != 1 {
		t.Fatalf("creditor A after a payment on each creditor's case: %+v", a)
	}
	n := a.Items[0]
	if n.Kind != oapi.NotificationKindPayment || n.EventType != "payment_recorded" || n.CaseId.MustGet() != w.caseA.Case.ID || n.CaseReference != w.caseA.Case.Reference ||
		n.Read || n.AmountCents.MustGet() != 10_000 || n.Currency.MustGet() != "EUR" || n.Stage.IsSpecified() && !n.Stage.IsNull() {
		t.Fatalf("creditor A's notification %+v", n)
	}
	if want := "Paiement de 100,00\u00a0€ reçu sur le dossier " + w.caseA.Case.Reference + "."; n.Text != want {
		t.Fatalf("text %q, want %q", n.Text, want)
	}
	b := notifications(t, w, "creditor_b", "")
	if b.UnreadCount != 1 || len(b.Items) != 1 || b.Items[0].CaseId.MustGet() != w.caseB.Case.ID || b.Items[0].AmountCents.MustGet() != 20_000 {
		t.Fatalf("creditor B: %+v", b)
	}
	// Who acted is not told; the agent is assigned to case A only, and on
	// neither was it anyone else; a lawyer hears of stage changes only.
	for _, who := range []string{"agent", "lawyer"} {
		if n := unread(t, w, who); n != 0 {
			t.Fatalf("%s has %d unread after payments it recorded or does not follow", who, n)
		}
	}

	// The creditor says it was paid directly: its assigned agent hears of it.
	if r := w.as("creditor").Do("POST", "/api/v1/cases/"+idA+"/events", map[string]any{"type": "direct_payment_reported",
		"data": map[string]any{"amount_cents": 5_000, "received_on": recouvra.DateOf(w.clock.Now()).String()}}); r.Status != 201 {
		t.Fatalf("direct payment: %d %s", r.Status, r.Body)
	}
	ag := notifications(t, w, "agent", "")
	if ag.UnreadCount != 1 || len(ag.Items) != 1 || ag.Items[0].Kind != oapi.NotificationKindDirectPayment ||
		!strings.Contains(ag.Items[0].Text, "Paiement direct de 50,00\u00a0€ signalé par le créancier") {
		t.Fatalf("agent after the creditor's report: %+v", ag)
	}
	if n := unread(t, w, "creditor"); n != 1 {
		t.Fatalf("creditor A told of its own report: %d unread", n)
	}

	// To formal notice: the lawyer of the case and the creditor hear of it.
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+idA+"/events", map[string]any{"type": "call", "data": map[string]any{"outcome": "reached"}}); r.Status != 201 {
		t.Fatalf("call: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+idA+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(idA)); r.Status != 200 {
		t.Fatalf("to formal notice: %d %s", r.Status, r.Body)
	}
	lw := notifications(t, w, "lawyer", "")
	if lw.UnreadCount != 1 || len(lw.Items) != 1 || lw.Items[0].Kind != oapi.NotificationKindStageChanged || lw.Items[0].Stage.MustGet() != oapi.StageFormalNotice ||
		lw.Items[0].Text != "Dossier "+w.caseA.Case.Reference+" passé à l'étape « mise en demeure »." || !lw.Items[0].AmountCents.IsNull() {
		t.Fatalf("lawyer after the move: %+v", lw)
	}
	a = notifications(t, w, "creditor", "")
	if a.UnreadCount != 2 || len(a.Items) != 2 || a.Items[0].Kind != oapi.NotificationKindStageChanged || a.Items[1].Kind != oapi.NotificationKindPayment {
		t.Fatalf("creditor A, newest first: %+v", a)
	}

	// Paging, newest first.
	p1 := notifications(t, w, "creditor", "?limit=1")
	if len(p1.Items) != 1 || p1.NextCursor == nil || p1.Items[0].Id != a.Items[0].Id || p1.UnreadCount != 2 {
		t.Fatalf("first page: %+v", p1)
	}
	p2 := notifications(t, w, "creditor", "?limit=1&cursor="+*p1.NextCursor)
	if len(p2.Items) != 1 || p2.NextCursor != nil || p2.Items[0].Id != a.Items[1].Id {
		t.Fatalf("second page: %+v", p2)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/notifications?cursor=bm90LWEtY3Vyc29y", nil); r.Status != 422 {
		t.Fatalf("a bad cursor: %d %s", r.Status, r.Body)
	}

	// Read one: the count drops, the item says so; again changes nothing.
	for range 2 {
		r := w.as("creditor").Do("POST", "/api/v1/notifications/"+a.Items[1].Id.String()+"/read", nil)
		var c oapi.UnreadCount
		if r.Decode(t, &c); r.Status != 200 || c.UnreadCount != 1 {
			t.Fatalf("mark one read: %d %s", r.Status, r.Body)
		}
	}
	if a = notifications(t, w, "creditor", ""); a.Items[0].Read || !a.Items[1].Read || a.UnreadCount != 1 {
		t.Fatalf("after reading the payment: %+v", a)
	}
	// An event that is not news for this user — its own report, the call
	// — is not one of its notifications.
	events, _, err := w.svc.ListEvents(ctx, app.System, w.caseA.Case.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Type == recouvra.EventDirectPaymentReported || e.Type == recouvra.EventCall {
			if r := w.as("creditor").Do("POST", "/api/v1/notifications/"+e.ID.String()+"/read", nil); r.Status != 404 {
				t.Fatalf("marking its own %s read: %d %s", e.Type, r.Status, r.Body)
			}
		}
	}

	// Read all, then a new payment is news again.
	r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil)
	var c oapi.UnreadCount
	if r.Decode(t, &c); r.Status != 200 || c.UnreadCount != 0 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	if a = notifications(t, w, "creditor", ""); a.UnreadCount != 0 || len(a.Items) != 2 || !a.Items[0].Read || !a.Items[1].Read {
		t.Fatalf("after read all: %+v", a)
	}
	w.pay("lawyer", idA, 3_000, "notif-pay-a-2")
	if a = notifications(t, w, "creditor", ""); a.UnreadCount != 1 || len(a.Items) != 3 || a.Items[0].Read || a.Items[0].AmountCents.MustGet() != 3_000 {
		t.Fatalf("a payment after read all: %+v", a)
	}
	if n := unread(t, w, "agent"); n != 2 {
		t.Fatalf("the agent of case A after the lawyer's payment: %d unread, want 2", n)
	}
	if n := unread(t, w, "lawyer"); n != 1 {
		t.Fatalf("the lawyer told of its own payment: %d unread", n)
	}

	// Someone given an account now is not told of what came before; what
	// its colleague reported is news for it (read, as it came before).
	w.createUser("newcomer@recouvra.test", recouvra.RoleCreditor, &w.credA.ID)
	w.tokens["newcomer"] = w.login("newcomer@recouvra.test")
	if nc := notifications(t, w, "newcomer", ""); nc.UnreadCount != 0 || len(nc.Items) != 4 || !nc.Items[0].Read || nc.Items[2].Kind != oapi.NotificationKindDirectPayment {
		t.Fatalf("a new account's notifications: %+v", nc)
	}

	// An admin has none, nor an API key (no person): both refused.
	for _, as := range []string{"admin", "api_key"} {
		for _, path := range []string{"/api/v1/notifications", "/api/v1/notifications/unread-count"} {
			if r := w.as(as).Do("GET", path, nil); r.Status != 403 {
				t.Fatalf("%s on %s: %d", as, path, r.Status)
			}
		}
		if r := w.as(as).Do("POST", "/api/v1/notifications/"+a.Items[0].Id.String()+"/read", nil); r.Status != 403 {
			t.Fatalf("%s marks a creditor's notification: %d", as, r.Status)
		}
		if r := w.as(as).Do("POST", "/api/v1/notifications/read-all", nil); r.Status != 403 {
			t.Fatalf("%s reads all: %d %s", as, r.Status, r.Body)
		}
	}
	if r := w.as("anonymous").Do("GET", "/api/v1/notifications", nil); r.Status != 401 {
		t.Fatalf("anonymous: %d", r.Status)
	}
}

// TestNotificationsIsolation: creditor B never sees, reads nor marks
// creditor A's notifications; A's id answers B exactly like a missing one;
// under row security, B's scope holds none of A's read rows and cannot
// write one.
func TestNotificationsIsolation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.pay("agent", w.caseA.Case.ID.String(), 10_000, "iso-pay-a")
	w.pay("agent", w.caseB.Case.ID.String(), 10_000, "iso-pay-b")
	a := notifications(t, w, "creditor", "")
	if len(a.Items) != 1 || a.UnreadCount != 1 {
		t.Fatalf("creditor A: %+v", a)
	}
	idA := a.Items[0].Id.String()

	foreign := w.as("creditor_b").Do("POST", "/api/v1/notifications/"+idA+"/read", nil)
	missing := w.as("creditor_b").Do("POST", "/api/v1/notifications/"+uuid.Must(uuid.NewV7()).String()+"/read", nil)
	if foreign.Status != 404 || missing.Status != 404 {
		t.Fatalf("another's id %d, a missing one %d", foreign.Status, missing.Status)
	}
	fp, mp := foreign.Problem(t), missing.Problem(t)
	if fp.Code != mp.Code || fp.Title != mp.Title || fp.Detail != mp.Detail {
		t.Fatalf("another's id and a missing one answer differently:\n%+v\n%+v", fp, mp)
	}
	for _, it := range notifications(t, w, "creditor_b", "?limit=200").Items {
		if it.CaseId.IsSpecified() && !it.CaseId.IsNull() && it.CaseId.MustGet() == w.caseA.Case.ID || it.Id.String() == idA {
			t.Fatalf("creditor B sees A's notification %+v", it)
		}
	}
	if w.as("creditor_b").Do("POST", "/api/v1/notifications/read-all", nil).Status != 200 {
		t.Fatal("creditor B read all")
	}
	if n := unread(t, w, "creditor"); n != 1 {
		t.Fatalf("B's read-all touched A: A has %d unread", n)
	}
	if a := notifications(t, w, "creditor", ""); a.Items[0].Read {
		t.Fatal("A's notification read by B's marks")
	}
	// A reads it: a row of A's exists.
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/"+idA+"/read", nil); r.Status != 200 {
		t.Fatalf("A marks its own: %d %s", r.Status, r.Body)
	}

	// The last wall: B's database scope sees no row of A's, nor A's mark,
	// and may not write one for A's event.
	tx, err := w.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT set_config('role', 'recouvra_creditor_scope', true), set_config('recouvra.creditor_id', $1, true)", w.credB.ID.String()); err != nil {
		t.Fatal(err)
	}
	// B's read-all may have left read rows of its own (an event committed
	// above its mark while another transaction was open is read one by
	// one): none of A's may show.
	var foreignReads, marks, foreignMarks int
	if err := tx.QueryRow(ctx, "SELECT (SELECT count(*) FROM notification_reads WHERE creditor_id IS DISTINCT FROM $1), (SELECT count(*) FROM notification_marks), (SELECT count(*) FROM notification_marks WHERE creditor_id IS DISTINCT FROM $1)",
		w.credB.ID).Scan(&foreignReads, &marks, &foreignMarks); err != nil {
		t.Fatal(err)
	}
	if foreignReads != 0 || marks != 1 || foreignMarks != 0 {
		t.Fatalf("B's scope sees %d read rows not its own, %d marks (%d not its own)", foreignReads, marks, foreignMarks)
	}
	_, err = tx.Exec(ctx, "INSERT INTO notification_reads (user_id, event_seq, creditor_id) VALUES ($1, $2, $3)",
		w.users["creditor_b"].ID, a.Items[0].Seq, w.credA.ID)
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("B's scope wrote a read row for A's event: %v", err)
	}
}

// TestReadAllLeavesLateCommitsUnread: a payment whose transaction began
// before "mark all read" and commits after it is unread — though a later
// notification, committed before, is read: the mark is the stream's fence,
// not the greatest number seen.
func TestReadAllLeavesLateCommitsUnread(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	// The slow transaction writes on another case of A's: its row lock
	// (the event's reference to the case) would hold the payment back.
	slow := w.newCase(w.credA.ID, "Tuilerie Roux SARL", "")
	held, err := w.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = held.Rollback(ctx) }()
	if _, err := held.Exec(ctx, `INSERT INTO events (case_id, creditor_id, type, visibility, data)
		VALUES ($1, $2, 'payment_recorded', 'shared', '{"amount_cents": 4200, "currency": "EUR"}')`, slow.Case.ID, w.credA.ID); err != nil {
		t.Fatal(err)
	}
	w.pay("agent", w.caseA.Case.ID.String(), 10_000, "late-pay-1") // a higher number, committed first
	if n := unread(t, w, "creditor"); n != 1 {
		t.Fatalf("before read all: %d unread", n)
	}
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil); r.Status != 200 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	if err := held.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	a := notifications(t, w, "creditor", "")
	if a.UnreadCount != 1 || len(a.Items) != 2 {
		t.Fatalf("after the late commit: %+v", a)
	}
	for _, it := range a.Items {
		late := it.AmountCents.MustGet() == 4200
		if it.Read == late {
			t.Fatalf("notification of %d read=%v (the late one must be unread, the other read)", it.AmountCents.MustGet(), it.Read)
		}
	}
	// Read all again: now the late one is read too.
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil); r.Status != 200 {
		t.Fatalf("read all: %d", r.Status)
	}
	if n := unread(t, w, "creditor"); n != 0 {
		t.Fatalf("after the second read all: %d unread", n)
	}
}

// notificationFixtures are, per world, two cases (one of each creditor)
// with the agent and the lawyer assigned, each with a payment and a move to
// formal notice made by the system: news for the creditor's people, the
// agent (the payment) and the lawyer (the move).
var notificationFixtures sync.Map // *world → *notificationFixture

type notificationFixture struct {
	once sync.Once
	ids  map[string]string // "payment/a", "stage/b"… → event id
}

// notificationFor returns the id of a notification of principal as on a
// case of creditor A (t own) or B (t other), or a fresh id (t missing).
func (w *world) notificationFor(as string, t target) string {
	w.t.Helper()
	v, _ := notificationFixtures.LoadOrStore(w, &notificationFixture{})
	fx := v.(*notificationFixture)
	fx.once.Do(func() {
		ctx := context.Background()
		ids := map[string]string{}
		agent, lawyer := w.users["agent"].ID, w.users["lawyer"].ID
		for name, cred := range map[string]uuid.UUID{"a": w.credA.ID, "b": w.credB.ID} {
			c := w.newCase(cred, "Notifiée "+name+" SARL", "")
			if _, err := w.svc.UpdateCase(ctx, app.System, c.Case.ID, c.Case.Version, app.CasePatch{AssignedAgentID: &agent, AssignedLawyerID: &lawyer}); err != nil {
				w.t.Fatal(err)
			}
			if _, err := w.svc.RecordPayment(ctx, app.System, c.Case.ID, app.NewPayment{AmountCents: 1_000, ReceivedOn: recouvra.DateOf(w.clock.Now()), Method: recouvra.MethodTransfer}); err != nil {
				w.t.Fatal(err)
			}
			if _, err := w.svc.LogEvent(ctx, app.System, c.Case.ID, recouvra.EventCall, "", map[string]any{"outcome": "reached"}); err != nil {
				w.t.Fatal(err)
			}
			v, err := w.svc.GetCase(ctx, app.System, c.Case.ID)
			if err != nil {
				w.t.Fatal(err)
			}
			if _, err := w.svc.Transition(ctx, app.System, c.Case.ID, v.Case.Version, recouvra.Move{To: recouvra.StageFormalNotice}); err != nil {
				w.t.Fatal(err)
			}
			events, _, err := w.svc.ListEvents(ctx, app.System, c.Case.ID, 0, 50)
			if err != nil {
				w.t.Fatal(err)
			}
			for _, e := range events {
				switch e.Type {
				case recouvra.EventPaymentRecorded:
					ids["payment/"+name] = e.ID.String()
				case recouvra.EventStageChanged:
					ids["stage/"+name] = e.ID.String()
				}
			}
		}
		fx.ids = ids
	})
	ids := fx.ids
	kind := "payment/"
	if as == "lawyer" {
		kind = "stage/"
	}
	switch t {
	case own:
		return ids[kind+"a"]
	case other:
		return ids[kind+"b"]
	}
	return uuid.Must(uuid.NewV7()).String()
}
