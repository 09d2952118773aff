// Package live is the in-process hub behind the live event stream (GET
// /api/v1/events/stream). One goroutine per server process reads each new
// event once from the events table — woken by the one LISTEN connection of
// the process (postgres.Notifier) — and hands it to the subscribers allowed
// to see it (recouvra.Scope.Sees): its creditor's, and staff. Nothing else
// wakes a stream, and no stream queries the database while it is live.
//
// Order and completeness are the events table's: the hub reads by commit
// position (transaction id, then number) and only behind the fence (every
// older transaction has ended), as app.EventsSince always did, so an event
// whose number was taken early but committed late is delivered when it
// commits, never skipped. A subscriber that starts behind the hub (a client
// resuming with Last-Event-ID) first catches up from the database in its
// own scope, then joins the hub where it stands, with the events the hub
// handed out meanwhile replayed from a short in-memory ring.
//
// Each subscriber has a small bounded buffer, empty (and allocated) only
// while it waits for its client. One that does not read fast enough to
// keep it from overflowing is dropped (its Gone channel closes,
// with a log line): the client reconnects with Last-Event-ID and catches up
// from the database, without holding memory or slowing anyone else.
package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Source reads events after a position, in commit order and only behind
// the fence, in the scope of principal p (app.Service.EventsSince).
// waiting says that events are held back by a transaction still running.
type Source interface {
	EventsSince(ctx context.Context, p recouvra.Principal, after recouvra.EventPosition, limit int) (events []recouvra.Event, waiting bool, err error)
}

// Message is one event as the stream sends it: its position and its
// encoded frame, made once for every subscriber.
type Message struct {
	Pos   recouvra.EventPosition
	Frame []byte
}

// handed is a message handed out, with what decides who sees it.
type handed struct {
	who recouvra.Event // CreditorID and Visibility only
	m   Message
}

// Defaults.
const (
	DefaultBuffer = 1024 // messages a subscriber may have waiting (more than one read's batch)
	DefaultRing   = 4096 // recent messages kept for subscribers joining
	batch         = 500  // events per read

	// recheck is how soon the hub looks again when events wait behind a
	// transaction still running (it may end without writing an event, and
	// so without a notification); while nothing moves the interval doubles
	// up to recheckMax.
	recheck    = 75 * time.Millisecond
	recheckMax = time.Second
)

// ErrTooMany is returned by Subscribe when the principal already has its
// limit of streams open.
var ErrTooMany = errors.New("live: too many streams for this principal")

// Config is what a hub needs.
type Config struct {
	Source Source
	// Reader is the principal the hub reads every event as (staff: the
	// system); subscribers are filtered in process.
	Reader recouvra.Principal
	// Start is where the hub starts reading (the fence when it starts).
	Start recouvra.EventPosition
	// Wake receives a value when events may have been appended.
	Wake <-chan struct{}
	// Encode makes an event's frame.
	Encode func(recouvra.Event) ([]byte, error)
	// Buffer is each subscriber's buffer (0: DefaultBuffer).
	Buffer int
	// PerPrincipal bounds the streams one principal may have open on this
	// process (0: no limit).
	PerPrincipal int
	Logger       *slog.Logger
}

// Hub fans events out to subscribers. Run must be running.
type Hub struct {
	cfg Config

	mu      sync.Mutex
	last    recouvra.EventPosition // every event up to here was handed out, none after
	ring    []handed               // the last messages handed out, oldest first
	ringAt  recouvra.EventPosition // the ring holds every message after this position
	staff   map[*Sub]struct{}
	byCred  map[uuid.UUID]map[*Sub]struct{}
	perKey  map[string]int
	subs    int
	dropped atomic.Int64
	read    atomic.Int64
}

// New prepares a hub; Run starts it.
func New(cfg Config) *Hub {
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{cfg: cfg, last: cfg.Start, ringAt: cfg.Start,
		staff: map[*Sub]struct{}{}, byCred: map[uuid.UUID]map[*Sub]struct{}{}, perKey: map[string]int{}}
}

// Stats are the hub's counters.
type Stats struct {
	Subscribers int   // open now
	Dropped     int64 // cut off for reading too slowly, since start
	Read        int64 // events read from the database, since start
}

// Stats reports the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Subscribers: h.subs, Dropped: h.dropped.Load(), Read: h.read.Load()}
}

// Run reads new events until ctx ends: after each wake-up, and again soon
// while events are held back by a transaction still running.
func (h *Hub) Run(ctx context.Context) {
	timer := time.NewTimer(recheck)
	defer timer.Stop()
	var again time.Duration // 0 until the first wait
	for {
		n, waiting, err := h.readAll(ctx)
		if ctx.Err() != nil {
			return
		}
		var retry <-chan time.Time
		switch {
		case err != nil:
			h.cfg.Logger.Error("live hub read", "error", err)
			timer.Reset(recheckMax)
			retry = timer.C
		case waiting:
			if n > 0 || again == 0 {
				again = recheck
			} else {
				again = min(2*again, recheckMax)
			}
			timer.Reset(again)
			retry = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-h.cfg.Wake:
		case <-retry:
		}
	}
}

// readAll reads and hands out everything behind the fence.
func (h *Hub) readAll(ctx context.Context) (n int, waiting bool, err error) {
	for {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		var events []recouvra.Event
		events, waiting, err = h.cfg.Source.EventsSince(ctx, h.cfg.Reader, after, batch)
		if err != nil {
			return n, waiting, err
		}
		msgs := make([]Message, 0, len(events))
		for _, e := range events {
			frame, err := h.cfg.Encode(e)
			if err != nil {
				return n, waiting, err
			}
			msgs = append(msgs, Message{Pos: e.Position(), Frame: frame})
		}
		h.dispatch(events, msgs)
		n += len(events)
		h.read.Add(int64(len(events)))
		if len(events) < batch {
			return n, waiting, nil
		}
	}
}

// dispatch hands each event to the subscribers that may see it.
func (h *Hub) dispatch(events []recouvra.Event, msgs []Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, e := range events {
		m := msgs[i]
		for s := range h.staff {
			h.offer(s, e, m)
		}
		if e.Visibility == recouvra.Shared {
			for s := range h.byCred[e.CreditorID] {
				h.offer(s, e, m)
			}
		}
		h.ring = append(h.ring, handed{who: recouvra.Event{CreditorID: e.CreditorID, Visibility: e.Visibility}, m: m})
		if len(h.ring) > DefaultRing {
			h.ringAt = h.ring[0].m.Pos
			h.ring = h.ring[1:]
		}
		h.last = m.Pos
	}
	if cap(h.ring) > 4*DefaultRing { // keep the backing array from growing forever
		h.ring = append(make([]handed, 0, 2*DefaultRing), h.ring...)
	}
}

// offer puts m in s's buffer, or drops s when it is full. Called with mu.
func (h *Hub) offer(s *Sub, e recouvra.Event, m Message) {
	if !s.after.Before(m.Pos) || !s.scope.Sees(e) {
		return
	}
	s.mu.Lock()
	full := len(s.q) >= h.cfg.Buffer
	if !full {
		s.q = append(s.q, m)
	}
	s.mu.Unlock()
	if full {
		h.dropped.Add(1)
		h.cfg.Logger.Warn("live stream dropped: the client reads too slowly", "principal", s.key, "waiting", h.cfg.Buffer, "at_seq", m.Pos.Seq)
		h.remove(s)
		close(s.gone)
		return
	}
	select {
	case s.ready <- struct{}{}:
	default: // already signalled
	}
}

// Sub is one subscriber.
type Sub struct {
	h       *Hub
	key     string
	scope   recouvra.Scope
	after   recouvra.EventPosition // only events after this are for it
	ready   chan struct{}          // a value when q is not empty
	gone    chan struct{}
	once    sync.Once
	indexed bool // guarded by the hub's mu

	mu sync.Mutex
	q  []Message // waiting to be sent, at most the hub's Buffer
}

// Request is what a subscriber asks.
type Request struct {
	Principal recouvra.Principal
	// Key identifies the principal for the per-principal limit.
	Key string
	// After is where the stream continues: the fence for a new stream,
	// the position of the last event the client saw for a resume.
	After recouvra.EventPosition
	// Send writes events caught up from the database, in order; it is
	// called before the subscriber joins the hub.
	Send func([]recouvra.Event) error
}

// Subscribe admits a stream: it catches up from the database when the hub
// has already handed out events after r.After, then joins the hub.
// ErrTooMany when the principal is at its limit. Close the subscriber when
// done.
func (h *Hub) Subscribe(ctx context.Context, r Request) (*Sub, error) {
	h.mu.Lock()
	if h.cfg.PerPrincipal > 0 && h.perKey[r.Key] >= h.cfg.PerPrincipal {
		h.mu.Unlock()
		return nil, ErrTooMany
	}
	h.perKey[r.Key]++
	h.subs++
	h.mu.Unlock()
	s := &Sub{h: h, key: r.Key, scope: r.Principal.Scope(), ready: make(chan struct{}, 1), gone: make(chan struct{})}
	pos := r.After
	caughtUp := false
	var seen recouvra.EventPosition // the hub's position before the last complete catch-up read
	for {
		h.mu.Lock()
		switch {
		case !pos.Before(h.last):
			// Nothing after pos was handed out yet: everything to come does.
			h.join(s, pos)
			h.mu.Unlock()
			return s, nil
		case caughtUp && !seen.Before(h.ringAt):
			// The catch-up read everything the hub had handed out when it
			// began (and more); what the hub handed out since is in the
			// ring. Of that, what comes after pos and is visible is new.
			for _, r := range h.ring {
				if pos.Before(r.m.Pos) && s.scope.Sees(r.who) {
					s.q = append(s.q, r.m)
				}
			}
			if len(s.q) > 0 {
				s.ready <- struct{}{}
			}
			h.join(s, pos)
			h.mu.Unlock()
			return s, nil
		}
		seen = h.last
		h.mu.Unlock()
		var err error
		if pos, err = h.catchUp(ctx, r, pos); err != nil {
			s.Close()
			return nil, err
		}
		caughtUp = true
	}
}

// catchUp sends, through r.Send, the events after pos that r's principal
// may see, until a read comes back short (everything behind the fence of
// that read was sent), and returns the position of the last one sent.
func (h *Hub) catchUp(ctx context.Context, r Request, pos recouvra.EventPosition) (recouvra.EventPosition, error) {
	for {
		events, _, err := h.cfg.Source.EventsSince(ctx, r.Principal, pos, batch)
		if err != nil {
			return pos, err
		}
		if len(events) > 0 {
			if err := r.Send(events); err != nil {
				return pos, err
			}
			pos = events[len(events)-1].Position()
		}
		if len(events) < batch {
			return pos, nil
		}
	}
}

// join indexes s to receive events after pos. Called with mu.
func (h *Hub) join(s *Sub, pos recouvra.EventPosition) {
	s.after = pos
	switch {
	case s.scope.Denied():
		return // sees nothing: heartbeats only
	case s.scope.CreditorID == nil:
		h.staff[s] = struct{}{}
	default:
		m := h.byCred[*s.scope.CreditorID]
		if m == nil {
			m = map[*Sub]struct{}{}
			h.byCred[*s.scope.CreditorID] = m
		}
		m[s] = struct{}{}
	}
	s.indexed = true
}

// remove takes s out of the index. Called with mu.
func (h *Hub) remove(s *Sub) {
	if !s.indexed {
		return
	}
	s.indexed = false
	if s.scope.CreditorID == nil {
		delete(h.staff, s)
		return
	}
	if m := h.byCred[*s.scope.CreditorID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.byCred, *s.scope.CreditorID)
		}
	}
}

// Ready receives a value when messages wait: take them with Take.
func (s *Sub) Ready() <-chan struct{} { return s.ready }

// Take returns the messages waiting, in order, and empties the buffer.
func (s *Sub) Take() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.q
	s.q = nil
	return q
}

// Gone is closed when the hub dropped the subscriber for reading too
// slowly: end the stream, the client resumes from the database.
func (s *Sub) Gone() <-chan struct{} { return s.gone }

// Close ends the subscription.
func (s *Sub) Close() {
	s.once.Do(func() {
		h := s.h
		h.mu.Lock()
		defer h.mu.Unlock()
		h.remove(s)
		h.subs--
		if h.perKey[s.key]--; h.perKey[s.key] <= 0 {
			delete(h.perKey, s.key)
		}
	})
}
