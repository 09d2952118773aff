package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// BenchmarkLiveStream measures the live event stream at scale (make
// bench-live): 5,000 and 20,000 concurrent subscribers on one server, spread
// over 500 creditors (each creditor's API key opens its share of streams),
// while events are written on the creditors' cases at a steady rate. It
// prints commit-to-client latency (from the writing transaction's commit
// returning to a client reading the event; p50/p99), memory per connection
// (heap and stacks of the whole process, both ends of each connection, over
// the connections), the CPU the process used while events flowed, and the
// connections dropped. No figure is asserted; a stream that misses an event
// is counted.
//
// Clients are in-process HTTP/1.1 clients, one goroutine each. Over TCP on
// loopback each connection takes two file descriptors in this one process;
// when the open-file limit cannot hold that (20,000 subscribers under the
// usual 20,000 hard limit), the clients reach the same server handler
// through in-memory connections (net.Pipe) instead, and the output says
// which.
func BenchmarkLiveStream(b *testing.B) {
	const creditors = 500
	db, err := postgres.Open(context.Background(), pgtest.URL(b), postgres.Options{MaxConns: 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	w := newWorldOn(b, db, io.Discard, func(c *config.Config) {
		c.StreamsPerPrincipal = 0
		c.RateLimit = 0
	})
	ctx := context.Background()
	keys := make([]string, creditors)
	cases := make([]uuid.UUID, creditors)
	for i := range creditors {
		c, err := w.svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: fmt.Sprintf("Créancier %03d SAS", i), CreditorDetails: recouvra.CreditorDetails{
			Address: recouvra.Address{Line1: "1 rue du Banc", PostalCode: "69002", City: "Lyon"}}}, app.Meta{})
		if err != nil {
			b.Fatal(err)
		}
		k, err := w.svc.CreateAPIKey(ctx, app.System, c.ID, "ERP", app.Meta{})
		if err != nil {
			b.Fatal(err)
		}
		keys[i], cases[i] = k.Secret, w.newCase(c.ID, fmt.Sprintf("Débiteur %03d", i), "").Case.ID
	}
	for _, n := range []int{5000, 20000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			for range b.N {
				liveRun(b, w, keys, cases, n)
			}
		})
	}
}

// liveRun opens n streams, writes events for a while, and reports.
func liveRun(b *testing.B, w *world, keys []string, cases []uuid.UUID, n int) {
	const (
		rate     = 100 // events per second
		duration = 10 * time.Second
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dial, transport, stop := liveTransport(b, w, n)
	defer stop()

	runtime.GC()
	before := liveMemory()
	hub := w.srv.Live()
	dropped0 := hub.Stats().Dropped

	// Open the streams, 64 at a time, each API key its share.
	clients := make([]*liveClient, n)
	var ended atomic.Int64
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var openErr atomic.Value
	t0 := time.Now()
	for i := range n {
		clients[i] = &liveClient{creditor: i % len(keys)}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := clients[i].open(ctx, dial, keys[clients[i].creditor], &ended); err != nil {
				openErr.Store(err)
			}
		}()
	}
	wg.Wait()
	if err, _ := openErr.Load().(error); err != nil {
		b.Fatalf("opening %d streams: %v", n, err)
	}
	for hub.Stats().Subscribers < n && time.Since(t0) < 5*time.Minute {
		time.Sleep(50 * time.Millisecond)
	}
	opened := time.Since(t0)
	runtime.GC()
	after := liveMemory()
	perConn := float64(after-before) / float64(n)

	// Write events at a steady rate on the creditors' cases, in turn, each
	// in its own transaction; the clock starts when COMMIT is sent (before
	// it nobody can see the event), so the latency is an upper bound.
	var commits sync.Map // seq → commit time
	written := 0
	cpu0 := cpuTime()
	start := time.Now()
	tick := time.NewTicker(time.Second / rate)
	for time.Since(start) < duration {
		<-tick.C
		seq, at, err := writeEvent(w, cases[written%len(cases)], written)
		if err != nil {
			b.Fatal(err)
		}
		commits.Store(seq, at)
		written++
	}
	tick.Stop()
	writing := time.Since(start)
	// Every stream of an event's creditor should get it.
	expected := 0
	for _, c := range clients {
		expected += written / len(keys)
		if c.creditor < written%len(keys) {
			expected++
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	received := func() int {
		total := 0
		for _, c := range clients {
			total += c.count()
		}
		return total
	}
	for received() < expected && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cpu := cpuTime() - cpu0
	elapsed := time.Since(start)

	var lat []time.Duration
	for _, c := range clients {
		for _, r := range c.take() {
			if at, ok := commits.Load(r.seq); ok {
				lat = append(lat, max(r.at.Sub(at.(time.Time)), 0))
			}
		}
	}
	slices.Sort(lat)
	dropped := hub.Stats().Dropped - dropped0
	cancel()
	b.ReportMetric(float64(n), "subscribers")
	b.ReportMetric(float64(written)/writing.Seconds(), "events/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(perConn/1024, "KiB/conn")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cpu-cores")
	b.ReportMetric(float64(dropped), "dropped")
	b.ReportMetric(float64(expected-len(lat)), "missed")
	fmt.Printf("live stream, %d subscribers over %d creditors (%s): opened in %s; %d events at %.0f/s, each to %d streams; "+
		"commit-to-client p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.1f KiB per connection (both ends, heap+stacks); CPU %.2f cores while writing; "+
		"%d deliveries of %d, dropped %d, ended %d\n",
		n, len(keys), transport, opened.Round(time.Millisecond), written, float64(written)/writing.Seconds(), n/len(keys),
		ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), ms(percentile(lat, 1)), perConn/1024, cpu.Seconds()/elapsed.Seconds(),
		len(lat), expected, dropped, ended.Load())
	for _, c := range clients {
		c.close()
	}
	for hub.Stats().Subscribers > 0 && time.Since(deadline) < time.Minute {
		time.Sleep(50 * time.Millisecond)
	}
}

// writeEvent inserts a shared message on caseID (with its creditor) in a
// transaction of its own, returning its number and when COMMIT was sent.
func writeEvent(w *world, caseID uuid.UUID, i int) (int64, time.Time, error) {
	ctx := context.Background()
	tx, err := w.db.Pool.Begin(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	defer tx.Rollback(ctx)
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO events (case_id, creditor_id, type, visibility, data)
		SELECT id, creditor_id, 'message', 'shared', jsonb_build_object('text', 'Message ' || $2::text) FROM cases WHERE id = $1 RETURNING seq`,
		caseID, strconv.Itoa(i)).Scan(&seq); err != nil {
		return 0, time.Time{}, err
	}
	at := time.Now()
	return seq, at, tx.Commit(ctx)
}

// liveTransport dials the server over loopback TCP when the open-file
// limit holds both ends of n connections, else over in-memory pipes into
// the same handler.
func liveTransport(b *testing.B, w *world, n int) (dial func(context.Context) (net.Conn, error), name string, stop func()) {
	var lim syscall.Rlimit
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	if uint64(2*n+500) <= lim.Cur {
		addr := w.srv.Addr().String()
		var d net.Dialer
		return func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }, "TCP over loopback", func() {}
	}
	ln := &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	hs := &http.Server{Handler: w.srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return ln.dial, fmt.Sprintf("in-memory connections: the open-file limit %d cannot hold %d loopback sockets", lim.Cur, 2*n), func() { _ = hs.Close() }
}

// pipeListener hands the server the far ends of net.Pipe connections.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// liveClient is one stream's client: a raw HTTP/1.1 request and a reader
// of its chunked response, on one goroutine.
type liveClient struct {
	creditor int
	conn     net.Conn
	mu       sync.Mutex
	got      []receipt
}

type receipt struct {
	seq int64
	at  time.Time
}

func (c *liveClient) open(ctx context.Context, dial func(context.Context) (net.Conn, error), key string, ended *atomic.Int64) error {
	conn, err := dial(ctx)
	if err != nil {
		return err
	}
	c.conn = conn
	if _, err := fmt.Fprintf(conn, "GET /api/v1/events/stream HTTP/1.1\r\nHost: recouvra\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", key); err != nil {
		return err
	}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("stream: %d %s", resp.StatusCode, body)
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 1024), 64*1024)
		for sc.Scan() {
			line := sc.Text()
			if id, ok := strings.CutPrefix(line, "id: "); ok {
				seq, _ := strconv.ParseInt(id, 10, 64)
				now := time.Now()
				c.mu.Lock()
				c.got = append(c.got, receipt{seq, now})
				c.mu.Unlock()
			}
		}
		if err := sc.Err(); ctx.Err() == nil && (err == nil || !errors.Is(err, net.ErrClosed)) {
			ended.Add(1) // the server ended the stream while the benchmark ran
		}
	}()
	return nil
}

func (c *liveClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func (c *liveClient) take() []receipt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got
}

func (c *liveClient) close() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
}

// liveMemory is the process's heap in use plus goroutine stacks.
func liveMemory() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
