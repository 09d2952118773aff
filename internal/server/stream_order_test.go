package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/server"
)

// These tests prove the live stream's promise: every event the caller may
// see, exactly once, in the order of the case timelines (commit order),
// live, after a resume from any Last-Event-ID, and across a restart.

// readN reads n events off s, failing after streamWait without one.
func (s *stream) readN(t *testing.T, n int) []sseEvent {
	t.Helper()
	out := make([]sseEvent, 0, n)
	for len(out) < n {
		out = append(out, s.next(t))
	}
	return out
}

func ids(events []sseEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.id
	}
	return out
}

// timeline lists a case's events as principal as through GET
// /cases/{id}/events, two per page so that its cursor is exercised.
func (w *world) timeline(t *testing.T, as string, caseID uuid.UUID) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		path := "/api/v1/cases/" + caseID.String() + "/events?limit=2"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := w.as(as).Do("GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("timeline: %d %s", r.Status, r.Body)
		}
		var page oapi.EventPage
		r.Decode(t, &page)
		for _, e := range page.Items {
			out = append(out, fmt.Sprint(e.Seq))
		}
		if page.NextCursor == nil {
			return out
		}
		cursor = *page.NextCursor
	}
}

// logEvent posts an event on a case as principal as and returns its number.
func (w *world) logEvent(t *testing.T, as string, caseID uuid.UUID, body map[string]any) string {
	t.Helper()
	r := w.as(as).Do("POST", "/api/v1/cases/"+caseID.String()+"/events", body)
	if r.Status != 201 {
		t.Fatalf("log event: %d %s", r.Status, r.Body)
	}
	var e oapi.Event
	r.Decode(t, &e)
	return fmt.Sprint(e.Seq)
}

func message(text string) map[string]any {
	return map[string]any{"type": "message", "data": map[string]any{"text": text}}
}

// duplicates counts the ids seen more than once.
func duplicates(got []string) int {
	seen, n := map[string]bool{}, 0
	for _, id := range got {
		if seen[id] {
			n++
		}
		seen[id] = true
	}
	return n
}

// sameOrderAsTimelines checks that the events a stream delivered, case by
// case, come in the order GET /cases/{id}/events lists them for principal
// as.
func (w *world) sameOrderAsTimelines(t *testing.T, as string, got []sseEvent) {
	t.Helper()
	byCase := map[string][]string{}
	for _, e := range got {
		id := fmt.Sprint(e.data["case_id"])
		byCase[id] = append(byCase[id], e.id)
	}
	for id, fromStream := range byCase {
		var listed []string
		for _, seq := range w.timeline(t, as, uuid.MustParse(id)) {
			if slices.Contains(fromStream, seq) {
				listed = append(listed, seq)
			}
		}
		if !slices.Equal(fromStream, listed) {
			t.Fatalf("case %s: stream order %v, timeline order %v", id, fromStream, listed)
		}
	}
}

// visibleSince lists, in timeline order, the numbers of the events after
// start that creditor may see, from the database.
func (w *world) visibleSince(t *testing.T, creditor uuid.UUID, start int64) []string {
	t.Helper()
	rows, err := w.db.Pool.Query(context.Background(),
		`SELECT seq FROM events WHERE creditor_id = $1 AND visibility = 'shared' AND seq > $2 ORDER BY tx, seq`, creditor, start)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(seq))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func maxSeq(t *testing.T, w *world) int64 {
	t.Helper()
	var n int64
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT coalesce(max(seq), 0) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStreamDeliversAnEventCommittedLateWithALowerNumber is the bug the
// stream had: a transaction takes a number, later events are written and
// sent, then it commits. Its event must still be delivered — live, and by
// a resume from every Last-Event-ID — exactly once, in the order of the
// case timelines.
func TestStreamDeliversAnEventCommittedLateWithALowerNumber(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	// The slow transaction writes on one case; the API on another (a
	// command locks its case, and the slow insert holds a key lock on its
	// own until it commits).
	slowCase, other := w.newCase(w.credA.ID, "Transports Lenteur SARL", "").Case.ID, w.caseA.Case.ID
	start := maxSeq(t, w)
	live := w.stream(t, "creditor", "")

	// The number the slow transaction will use, taken before the others.
	var low int64
	if err := w.db.Pool.QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence('events', 'seq'))").Scan(&low); err != nil {
		t.Fatal(err)
	}
	var written []string
	for i := range 4 {
		written = append(written, w.logEvent(t, "agent", []uuid.UUID{slowCase, other}[i%2], message(fmt.Sprint("avant ", i))))
	}
	before := live.readN(t, 4)
	if got := ids(before); !slices.Equal(got, written) {
		t.Fatalf("before the slow transaction: %v, want %v", got, written)
	}

	// The slow transaction writes its event with the lower number and
	// stays open while more events are written through the API.
	held, err := w.db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback(ctx)
	if _, err := held.Exec(ctx, `INSERT INTO events (seq, case_id, creditor_id, type, visibility, data)
		VALUES ($1, $2, $3, 'message', 'shared', '{"text": "en retard"}')`, low, slowCase, w.credA.ID); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		w.logEvent(t, "agent", other, message(fmt.Sprint("après ", i)))
	}
	if err := held.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	delivered := append(before, live.readN(t, 4)...) // the late event and the three after it
	got := ids(delivered)

	// Everything the creditor may see, in the order the timelines list it,
	// the late event among it.
	want := w.visibleSince(t, w.credA.ID, start)
	if !slices.Equal(got, want) {
		t.Fatalf("live stream %v, want %v", got, want)
	}
	if !slices.Contains(got, fmt.Sprint(low)) || duplicates(got) > 0 {
		t.Fatalf("live stream %v: the late event %d missing or something twice", got, low)
	}
	w.sameOrderAsTimelines(t, "creditor", delivered)

	// A resume from every id delivered gets the rest, exactly once: after
	// the rest, the next event is one written after all of them.
	resumed := make([]*stream, len(got))
	for i, id := range got {
		resumed[i] = w.stream(t, "creditor", id)
	}
	final := w.logEvent(t, "agent", other, message("fin"))
	for i, s := range resumed {
		rest := ids(s.readN(t, len(got)-i))
		if wantRest := append(slices.Clone(got[i+1:]), final); !slices.Equal(rest, wantRest) {
			t.Fatalf("resumed after %s: %v, want %v", got[i], rest, wantRest)
		}
	}
	if e := live.next(t); e.id != final {
		t.Fatalf("live stream after the late event: %s, want %s", e.id, final)
	}
	t.Logf("late event %d delivered in timeline order: %d events live, %d resumes each exact; gaps 0, duplicates 0", low, len(got)+1, len(resumed))
}

// TestStreamUnderConcurrentWriters: eight writers log events on cases of
// two creditors at once, shared and internal. The creditor's stream gets
// every one of its shared events, counted against the database, once
// each, in timeline order, and nothing else.
func TestStreamUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	cases := []uuid.UUID{w.caseA.Case.ID, w.caseB.Case.ID}
	for i := range 3 {
		cases = append(cases, w.newCase(w.credA.ID, fmt.Sprint("Débiteur A", i), "").Case.ID)
	}
	cases = append(cases, w.newCase(w.credB.ID, "Débiteur B", "").Case.ID)
	ownCases := map[string]bool{}
	for _, id := range cases {
		var creditor uuid.UUID
		if err := w.db.Pool.QueryRow(ctx, "SELECT creditor_id FROM cases WHERE id = $1", id).Scan(&creditor); err != nil {
			t.Fatal(err)
		}
		ownCases[id.String()] = creditor == w.credA.ID
	}
	start := maxSeq(t, w)
	live := w.stream(t, "creditor", "")

	const writers, perWriter = 8, 20
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- write(w, w.tokens["agent"], cases, i, perWriter)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// What the creditor may see, in timeline order, from the database.
	want := w.visibleSince(t, w.credA.ID, start)
	var total int
	if err := w.db.Pool.QueryRow(ctx, "SELECT count(*) FROM events WHERE seq > $1", start).Scan(&total); err != nil {
		t.Fatal(err)
	}

	// Then one more: whatever the stream sends before it is all it sent.
	final := w.logEvent(t, "agent", w.caseA.Case.ID, message("fin"))
	var delivered []sseEvent
	var got []string
	foreign, internal := 0, 0
	for {
		e := live.next(t)
		if e.id == final {
			break
		}
		delivered, got = append(delivered, e), append(got, e.id)
		if !ownCases[fmt.Sprint(e.data["case_id"])] {
			foreign++
		}
		if e.data["visibility"] != "shared" || e.event == "note" {
			internal++
		}
	}
	gaps := 0
	for _, id := range want {
		if !slices.Contains(got, id) {
			gaps++
		}
	}
	t.Logf("%d writers, %d events written, %d for the creditor; delivered %d, gaps %d, duplicates %d, other creditor's %d, internal %d",
		writers, total, len(want), len(got), gaps, duplicates(got), foreign, internal)
	if gaps > 0 || duplicates(got) > 0 || foreign > 0 || internal > 0 || !slices.Equal(got, want) {
		t.Fatalf("stream %v\nwant    %v", got, want)
	}
	// Each case's timeline lists its events in the same order as the stream.
	w.sameOrderAsTimelines(t, "creditor", delivered)
}

// write is one concurrent writer: n events on cases taken in turn, every
// third one an internal note. It reports instead of failing the test: it
// runs on its own goroutine.
func write(w *world, token string, cases []uuid.UUID, writer, n int) error {
	client := &http.Client{}
	for i := range n {
		caseID := cases[(writer+i)%len(cases)]
		body := message(fmt.Sprintf("écrivain %d, message %d", writer, i))
		if i%3 == 2 {
			body = map[string]any{"type": "note", "data": map[string]any{"text": fmt.Sprintf("note %d/%d", writer, i)}}
		}
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", w.srv.URL()+"/api/v1/cases/"+caseID.String()+"/events", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("writer %d: %w", writer, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return fmt.Errorf("writer %d, event %d: %d %s", writer, i, resp.StatusCode, b)
		}
	}
	return nil
}

// TestStreamResumesAcrossARestart: the server stops while a creditor's
// stream is open and events keep coming; a new server on the same database
// resumes from the last id the client saw and sends the rest exactly once.
func TestStreamResumesAcrossARestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	caseID := w.caseA.Case.ID
	live := w.stream(t, "creditor", "")
	var sent []string
	for i := range 3 {
		sent = append(sent, w.logEvent(t, "agent", caseID, message(fmt.Sprint("avant ", i))))
	}
	seen := ids(live.readN(t, 3))
	if !slices.Equal(seen, sent) {
		t.Fatalf("before the restart: %v, want %v", seen, sent)
	}
	// Two more that the client does not read before the server stops.
	for i := range 2 {
		sent = append(sent, w.logEvent(t, "agent", caseID, message(fmt.Sprint("pendant ", i))))
	}
	if err := w.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// One written while no server runs (another instance, a job).
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO events (case_id, creditor_id, type, visibility, data)
		VALUES ($1, $2, 'message', 'shared', '{"text": "serveur arrêté"}')`, caseID, w.credA.ID); err != nil {
		t.Fatal(err)
	}
	srv, err := server.Start(ctx, testConfig(t), server.Options{DB: w.db, Password: &cheapHash, Now: w.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	w.srv, w.svc = srv, srv.Service()
	sent = append(sent, w.logEvent(t, "agent", caseID, message("après")))

	resumed := w.stream(t, "creditor", seen[len(seen)-1])
	final := w.logEvent(t, "agent", caseID, message("fin"))
	var got []string
	for {
		e := resumed.next(t)
		if e.id == final {
			break
		}
		got = append(got, e.id)
	}
	timeline := w.timeline(t, "creditor", caseID)
	want := timeline[slices.Index(timeline, seen[len(seen)-1])+1 : len(timeline)-1]
	t.Logf("after the restart: %d events resumed, %d expected, duplicates %d", len(got), len(want), duplicates(got))
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Fatalf("resumed after the restart: %v, want %v (timeline %v, written %v)", got, want, timeline, sent)
	}
}

// TestLoggedEventCarriesItsNumber: POST /cases/{id}/events answers with the
// number the event has in the timeline.
func TestLoggedEventCarriesItsNumber(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.as("agent").Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/events", message("Bonjour"))
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var e oapi.Event
	r.Decode(t, &e)
	var seq int64
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT seq FROM events WHERE id = $1", e.Id).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if e.Seq == 0 || e.Seq != seq {
		t.Fatalf("answered seq %d, the event's number is %d", e.Seq, seq)
	}
	if tl := w.timeline(t, "agent", w.caseA.Case.ID); tl[len(tl)-1] != fmt.Sprint(e.Seq) {
		t.Fatalf("timeline ends with %s, the answer said %d", tl[len(tl)-1], e.Seq)
	}
}
