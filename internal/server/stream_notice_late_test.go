package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestCreditorNoticeCommittedLateReachesTheBell is
// TestStreamDeliversAnEventCommittedLateWithALowerNumber for the
// creditor's bell: a notice about no case (an endpoint disabled, case_id
// null) takes its number, a later notified event (a payment) commits
// first, and the creditor marks everything read while the notice's
// transaction is still open. When it commits, the portal's stream
// delivers it once — before the payment, in commit order — with case_id
// null, and the bell counts it unread and lists it: the portal, which
// reads the count again when such an event arrives, shows it.
func TestCreditorNoticeCommittedLateReachesTheBell(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	unread := func() int64 {
		t.Helper()
		r := w.as("creditor").Do("GET", "/api/v1/notifications/unread-count", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("unread count: %d %s", r.Status, r.Body)
		}
		var out struct {
			UnreadCount int64 `json:"unread_count"`
		}
		r.Decode(t, &out)
		return out.UnreadCount
	}
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil); r.Status >= 300 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	live := w.stream(t, "creditor", "")

	// The notice's number, taken before the payment's.
	var low int64
	if err := w.db.Pool.QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence('events', 'seq'))").Scan(&low); err != nil {
		t.Fatal(err)
	}
	held, err := w.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, `INSERT INTO events (seq, case_id, creditor_id, type, visibility, data)
		VALUES ($1, NULL, $2, 'webhook_endpoint_disabled', 'shared', jsonb_build_object('endpoint_id', gen_random_uuid()::text,
		  'url', 'https://erp.dupont.example/hooks', 'failing_since', '2026-11-29T08:00:00Z', 'disabled_at', '2026-12-02T08:00:00Z'))`,
		low, w.credA.ID); err != nil {
		t.Fatal(err)
	}

	// A payment commits while the notice's transaction is open: news in
	// the bell at once; then the creditor reads everything there is.
	w.payment(w.caseA.Case.ID)
	waitFor(t, func() bool { return unread() == 1 })
	if r := w.as("creditor").Do("POST", "/api/v1/notifications/read-all", nil); r.Status >= 300 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	if n := unread(); n != 0 {
		t.Fatalf("%d unread after reading all", n)
	}

	if err := held.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// The stream: the late notice, once, before the payment.
	var order []string
	seen := map[string]int{}
	for seen["payment_recorded"] == 0 {
		e := live.next(t)
		if e.event == "webhook_endpoint_disabled" || e.event == "payment_recorded" {
			order = append(order, e.event)
			seen[e.event]++
		}
		if e.id == fmt.Sprint(low) && (e.event != "webhook_endpoint_disabled" || e.data["case_id"] != nil) {
			t.Fatalf("the late notice's frame: %s %v", e.event, e.data)
		}
		if len(order) > 10 {
			t.Fatalf("stream: %v", order)
		}
	}
	if seen["webhook_endpoint_disabled"] != 1 || order[0] != "webhook_endpoint_disabled" {
		t.Fatalf("the late notice on the stream: %v, want it once, before the payment", order)
	}

	// The bell: read all was before it committed, so it is news.
	if n := unread(); n != 1 {
		t.Fatalf("%d unread after the late notice committed, want 1", n)
	}
	items, _ := w.bell("creditor")
	var notice *bellItem
	for i := range items {
		if items[i].Kind == "webhook_disabled" {
			notice = &items[i]
		}
	}
	if notice == nil || notice.Read || notice.CaseID != nil || notice.EventType != "webhook_endpoint_disabled" {
		t.Fatalf("the late notice in the bell: %+v (all: %+v)", notice, items)
	}
}
