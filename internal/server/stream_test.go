package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseEvent is one event read off a stream.
type sseEvent struct {
	id, event string
	data      map[string]any
}

// stream is an open Server-Sent Events connection.
type stream struct {
	events chan sseEvent
	cancel context.CancelFunc
}

// streamWait is how long a test waits for an event: delivery is quick, but
// a loaded 2-core machine under -race, with other tests' transactions
// holding the fence, can take seconds.
const streamWait = 30 * time.Second

// stream opens the event stream as principal as, resuming after
// lastEventID when it is not empty. A new stream starts at the fence
// (transactions still running are delivered when they commit), so it may
// begin with events committed just before it opened; tests look at what
// happens after, so events numbered up to the greatest number committed
// before opening are left out.
func (w *world) stream(t *testing.T, as, lastEventID string) *stream {
	t.Helper()
	return w.streamAt(t, w.srv.URL(), as, lastEventID)
}

// streamAt is stream on the server at base (another instance).
func (w *world) streamAt(t *testing.T, base, as, lastEventID string) *stream {
	t.Helper()
	var before int64
	if lastEventID == "" {
		if err := w.db.Pool.QueryRow(context.Background(), "SELECT coalesce(max(seq), 0) FROM events").Scan(&before); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[as])
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	s := &stream{events: make(chan sseEvent, 100), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var cur sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if n, _ := strconv.ParseInt(cur.id, 10, 64); cur.id != "" && n > before {
					select {
					case s.events <- cur:
					case <-ctx.Done():
						return
					}
				}
				cur = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				cur.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				cur.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.data)
			}
		}
	}()
	return s
}

// next waits up to streamWait for the next event.
func (s *stream) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("stream closed")
		}
		return e
	case <-time.After(streamWait):
		t.Fatalf("no event within %s", streamWait)
	}
	return sseEvent{}
}

func TestLiveStreamDeliversToTheCreditorAndResumes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	creditor := w.stream(t, "creditor", "")
	agent := w.stream(t, "agent", "")
	pathA := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/events"
	pathB := "/api/v1/cases/" + w.caseB.Case.ID.String() + "/events"

	// Another creditor's event and an internal note never reach the creditor.
	w.as("agent").Do("POST", pathB, map[string]any{"type": "call", "data": map[string]any{"outcome": "reached"}})
	w.as("agent").Do("POST", pathA, map[string]any{"type": "note", "data": map[string]any{"text": "secret"}})
	r := w.as("agent").Do("POST", pathA, map[string]any{"type": "promise", "data": map[string]any{"amount_cents": 50000, "due_on": "2099-01-15"}})
	if r.Status != 201 {
		t.Fatalf("promise: %d %s", r.Status, r.Body)
	}
	// Streams deliver in commit order: had the other creditor's call or the
	// internal note reached the creditor, it would come before the promise.
	e := creditor.next(t)
	if e.event != "promise" || e.data["case_id"] != w.caseA.Case.ID.String() {
		t.Fatalf("creditor got %+v", e)
	}
	// Staff see everything, in order.
	var types []string
	for i := 0; i < 3; i++ {
		types = append(types, agent.next(t).event)
	}
	if strings.Join(types, ",") != "call,note,promise" {
		t.Fatalf("agent got %v", types)
	}

	// The creditor disconnects; two events happen; it reconnects with the
	// last id it saw and gets exactly those it missed.
	creditor.cancel()
	w.as("agent").Do("POST", pathA, map[string]any{"type": "email", "data": map[string]any{"subject": "Relance"}})
	w.as("admin").Do("POST", pathA, map[string]any{"type": "message", "data": map[string]any{"text": "Le débiteur propose un échéancier."}})
	resumed := w.stream(t, "creditor", e.id)
	if got := resumed.next(t); got.event != "email" {
		t.Fatalf("first missed event: %+v", got)
	}
	if got := resumed.next(t); got.event != "message" {
		t.Fatalf("second missed event: %+v", got)
	}

	// And live again after catching up — and nothing else in between.
	w.as("creditor").Do("POST", pathA, map[string]any{"type": "message", "data": map[string]any{"text": "Merci."}})
	if got := resumed.next(t); got.event != "message" || got.data["actor_user_id"] != w.users["creditor"].ID.String() {
		t.Fatalf("live after resume: %+v", got)
	}
}

func TestStreamRejectsBadLastEventID(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.openStream(w.as("creditor"), "yesterday"); r.Status != 422 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}
