package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Waker wakes live streams when events are appended.
type Waker interface {
	Subscribe() (<-chan struct{}, func())
}

// heartbeat is how often an idle stream sends a comment, so that proxies
// and browsers keep it open.
const heartbeat = 15 * time.Second

// streamBatch bounds one read of the events table.
const streamBatch = 200

// streamRecheck is how soon a stream looks again when visible events wait
// behind a transaction still running: that transaction may end without
// writing events, and so without a notification. While a long transaction
// holds them and nothing moves, the interval doubles up to
// streamRecheckMax, so that many streams do not poll the database hard.
const (
	streamRecheck    = 75 * time.Millisecond
	streamRecheckMax = time.Second
)

// streamEvents serves GET /api/v1/events/stream: Server-Sent Events of the
// timeline events the caller may see, resumable by Last-Event-ID. The
// events table is the source of truth; notifications only say "look".
//
// Events are sent in commit order, by (transaction id, number), and only
// once every transaction before them has ended (app.EventsSince): an event
// whose number was taken early but committed late is sent when it commits,
// never skipped. The id of each message stays the event's number; a client
// resuming from it continues after that event's position.
func (a *API) streamEvents(c *gin.Context) {
	ctx := c.Request.Context()
	p := principalFrom(ctx)
	lastSeq, err := lastEventID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	var last recouvra.EventPosition
	if lastSeq < 0 {
		// A new stream starts at the fence: what has ended before is in the
		// timelines; transactions still running are delivered when they end.
		last, err = a.deps.App.StreamStart(ctx)
	} else {
		last, err = a.deps.App.ResumeAfter(ctx, lastSeq)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	drop, open := a.streams.enter()
	if !open {
		a.fail(c, recouvra.Errorf(recouvra.ECodeUnavailable, "Flux d'événements momentanément suspendu : reconnectez-vous dans un instant."))
		return
	}
	wake, unsubscribe := a.deps.Waker.Subscribe()
	defer unsubscribe()
	// Shutdown ends streams, which would otherwise hold it until its timeout.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(a.closing, cancel)
	defer stop()

	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	fmt.Fprint(c.Writer, "retry: 3000\n\n")
	c.Writer.Flush()

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	recheck := time.NewTimer(streamRecheck)
	defer recheck.Stop()
	var recheckIn time.Duration // 0 until the first wait
	for {
		var waiting bool
		sent := 0
		for {
			var events []recouvra.Event
			events, waiting, err = a.deps.App.EventsSince(ctx, p, last, streamBatch)
			if err != nil {
				if ctx.Err() == nil {
					a.deps.Logger.Error("event stream read", "request_id", requestID(c), "error", err)
				}
				return
			}
			for _, e := range events {
				data, err := json.Marshal(apiEvent(e))
				if err != nil {
					return
				}
				fmt.Fprintf(c.Writer, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data)
				last = e.Position()
			}
			sent += len(events)
			c.Writer.Flush()
			if len(events) < streamBatch {
				break
			}
		}
		// Without events held back, only a notification (or shutdown, or the
		// heartbeat) needs this stream; with some, it also looks again soon.
		var again <-chan time.Time
		if waiting {
			if sent > 0 || recheckIn == 0 {
				recheckIn = streamRecheck
			} else {
				recheckIn = min(2*recheckIn, streamRecheckMax)
			}
			recheck.Reset(recheckIn)
			again = recheck.C
		}
		select {
		case <-ctx.Done():
			return
		case <-drop:
			return
		case <-wake:
		case <-again:
		case <-tick.C:
			fmt.Fprint(c.Writer, ": ping\n\n")
			c.Writer.Flush()
		}
	}
}

// streamHold ends the live streams and refuses new ones (503) until it is
// released: what a client sees when the server drops it and is not back
// yet. The browser tests use it to watch the web app say it is offline and
// then live again; an operator could use it to drain an instance.
type streamHold struct {
	mu   sync.Mutex
	held int           // holds not yet released
	drop chan struct{} // closed to end the streams open now
}

// enter admits a new stream, with the channel that ends it; false while
// streams are held.
func (h *streamHold) enter() (<-chan struct{}, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held > 0 {
		return nil, false
	}
	if h.drop == nil {
		h.drop = make(chan struct{})
	}
	return h.drop, true
}

// HoldStreams ends every live stream now and refuses new ones until
// release is called (once; further calls do nothing).
func (a *API) HoldStreams() (release func()) {
	h := &a.streams
	h.mu.Lock()
	h.held++
	if h.drop != nil {
		close(h.drop)
		h.drop = nil
	}
	h.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			h.held--
			h.mu.Unlock()
		})
	}
}

// lastEventID reads where a reconnecting client stopped: the Last-Event-ID
// header browsers send, or last_event_id for clients that cannot set
// headers. -1 means a new stream.
func lastEventID(c *gin.Context) (int64, error) {
	v := c.GetHeader("Last-Event-ID")
	if v == "" {
		v = c.Query("last_event_id")
	}
	if v = strings.TrimSpace(v); v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, recouvra.Invalid("Last-Event-ID invalide.", recouvra.FieldError{Field: "header.Last-Event-ID", Code: "invalid", Message: "Numéro d'événement attendu."})
	}
	return n, nil
}
