package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// EventsChannel is the NOTIFY channel the events table's trigger signals.
const EventsChannel = "recouvra_events"

// Notifier holds one LISTEN connection per server process and wakes every
// subscriber when events are appended — by this instance or any other
// sharing the database. A wake-up carries nothing: subscribers read the
// events table from where they stopped, so a missed or merged notification
// loses nothing.
type Notifier struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
}

// NewNotifier prepares a notifier on pool; Run starts it.
func NewNotifier(pool *pgxpool.Pool, logger *slog.Logger) *Notifier {
	return &Notifier{pool: pool, logger: logger, subs: map[chan struct{}]struct{}{}}
}

// Subscribe returns a channel that receives a value after new events, and
// the function that ends the subscription.
func (n *Notifier) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	n.subs[ch] = struct{}{}
	n.mu.Unlock()
	return ch, func() {
		n.mu.Lock()
		delete(n.subs, ch)
		n.mu.Unlock()
	}
}

// wake signals every subscriber without ever blocking: a full channel
// already holds a pending wake-up.
func (n *Notifier) wake() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run listens until ctx ends, reconnecting after failures. After each
// (re)connection it wakes everyone once, to catch up on what may have been
// appended while nobody listened.
func (n *Notifier) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := n.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		n.logger.Warn("event listener lost its connection; reconnecting", "error", err, "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 5*time.Second {
			backoff *= 2
		}
	}
}

func (n *Notifier) listen(ctx context.Context) error {
	conn, err := n.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection must not go back to the pool: take it out.
	raw := conn.Hijack()
	defer raw.Close(context.Background())
	if _, err := raw.Exec(ctx, "LISTEN "+EventsChannel); err != nil {
		return err
	}
	n.wake()
	for {
		if _, err := raw.WaitForNotification(ctx); err != nil {
			return err
		}
		n.wake()
	}
}
