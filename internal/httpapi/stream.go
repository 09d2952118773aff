package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/live"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// heartbeat is how often an idle stream sends a comment, so that proxies
// and browsers keep it open.
const heartbeat = 15 * time.Second

// streamWriteTimeout bounds one write to a stream's client: a client that
// stops reading is cut off after it instead of holding its handler.
const streamWriteTimeout = 10 * time.Second

// EventFrame is an event as the stream sends it, one Server-Sent Events
// message whose id is the event's number. The live hub makes it once per
// event for every subscriber.
func EventFrame(e recouvra.Event) ([]byte, error) {
	data, err := json.Marshal(apiEvent(e))
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(data)+len(e.Type)+40)
	b = fmt.Appendf(b, "id: %d\nevent: %s\ndata: ", e.Seq, e.Type)
	b = append(b, data...)
	return append(b, "\n\n"...), nil
}

// streamEvents serves GET /api/v1/events/stream: Server-Sent Events of the
// timeline events the caller may see, resumable by Last-Event-ID. The
// events table is the source of truth; the process's live hub reads each
// new event from it once and hands it to the streams that may see it.
//
// Events are sent in commit order, by (transaction id, number), and only
// once every transaction before them has ended (app.EventsSince): an event
// whose number was taken early but committed late is sent when it commits,
// never skipped. The id of each message stays the event's number; a client
// resuming from it continues after that event's position (caught up from
// the database, in its scope, before joining the hub).
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
	// Shutdown ends streams, which would otherwise hold it until its timeout.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(a.closing, cancel)
	defer stop()

	rc := http.NewResponseController(c.Writer)
	started := false
	begin := func() {
		if started {
			return
		}
		started = true
		h := c.Writer.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
		c.Status(http.StatusOK)
		fmt.Fprint(c.Writer, "retry: 3000\n\n")
	}
	flush := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		return rc.Flush()
	}
	sub, err := a.deps.Live.Subscribe(ctx, live.Request{Principal: p, Key: streamKey(p), After: last,
		Send: func(events []recouvra.Event) error {
			begin()
			for _, e := range events {
				frame, err := EventFrame(e)
				if err != nil {
					return err
				}
				if _, err := c.Writer.Write(frame); err != nil {
					return err
				}
			}
			return flush()
		}})
	if err != nil {
		switch {
		case errors.Is(err, live.ErrTooMany):
			a.fail(c, &recouvra.Error{Code: recouvra.ECodeTooManyRequests, RetryAfter: 30 * time.Second,
				Message: "Trop de flux d'événements ouverts pour ce compte : fermez des onglets ou des connexions. / Too many event streams open for this account."})
		case started:
			if ctx.Err() == nil {
				a.deps.Logger.Error("event stream catch-up", "request_id", requestID(c), "error", err)
			}
		default:
			a.fail(c, err)
		}
		return
	}
	defer sub.Close()
	begin()
	if flush() != nil {
		return
	}

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-drop:
			return
		case <-sub.Gone():
			return // too slow: the client resumes from the database
		case <-sub.Ready():
			for _, m := range sub.Take() {
				if _, err := c.Writer.Write(m.Frame); err != nil {
					return
				}
			}
			if flush() != nil {
				return
			}
		case <-tick.C:
			fmt.Fprint(c.Writer, ": ping\n\n")
			if flush() != nil {
				return
			}
		}
	}
}

// streamKey is who a stream counts against for the per-principal limit.
func streamKey(p recouvra.Principal) string {
	switch p.Kind {
	case recouvra.PrincipalAPIKey:
		return "api_key:" + p.APIKeyID.String()
	case recouvra.PrincipalUser:
		return "user:" + p.UserID.String()
	}
	return string(p.Kind)
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
