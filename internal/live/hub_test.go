package live_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/httpapi"
	"github.com/recouvra/recouvra/internal/live"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fixture is a real service on a fresh database with a running hub woken
// by a real LISTEN connection.
type fixture struct {
	db  *postgres.DB
	svc *app.Service
	hub *live.Hub
}

func newFixture(t *testing.T, buffer int, logs *syncBuffer) *fixture {
	t.Helper()
	db := pgtest.DB(t)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	svc, err := server.NewService(db, cfg, &credential.Params{Memory: 64, Time: 1, Threads: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	notifier := postgres.NewNotifier(db.Pool, logger)
	wake, _ := notifier.Subscribe()
	start, err := svc.StreamStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.New(live.Config{Source: svc, Reader: app.System, Start: start, Wake: wake, Encode: httpapi.EventFrame, Buffer: buffer, Logger: logger})
	go notifier.Run(ctx)
	go hub.Run(ctx)
	return &fixture{db: db, svc: svc, hub: hub}
}

func (f *fixture) creditorWithCase(t *testing.T, name string) (uuid.UUID, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: name, CreditorDetails: recouvra.CreditorDetails{
		Address: recouvra.Address{Line1: "1 rue Haute", PostalCode: "69001", City: "Lyon"}}}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	today := recouvra.DateOf(time.Now())
	v, err := f.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &c.ID, CreditorReference: "REF-" + name,
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Débiteur de " + name,
			Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-" + name, IssuedOn: today.AddDays(-100), DueOn: today.AddDays(-70), AmountCents: 10000}},
	}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, v.Case.ID
}

// subscribe joins the hub as principal p from the fence now, collecting
// what it delivers (and what a catch-up sends) into got.
type collector struct {
	mu  sync.Mutex
	ids []string
}

func (c *collector) add(frame []byte) {
	line, _, _ := bytes.Cut(frame, []byte("\n"))
	c.mu.Lock()
	c.ids = append(c.ids, strings.TrimPrefix(string(line), "id: "))
	c.mu.Unlock()
}

func (c *collector) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ids)
}

func (f *fixture) subscribe(t *testing.T, p recouvra.Principal, after recouvra.EventPosition) *collector {
	t.Helper()
	c := &collector{}
	sub, err := f.hub.Subscribe(context.Background(), live.Request{Principal: p, Key: fmt.Sprint(p.UserID), After: after,
		Send: func(events []recouvra.Event) error {
			for _, e := range events {
				frame, _ := httpapi.EventFrame(e)
				c.add(frame)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	go func() {
		for {
			select {
			case <-sub.Gone():
				return
			case <-sub.Ready():
				for _, m := range sub.Take() {
					c.add(m.Frame)
				}
			}
		}
	}()
	return c
}

// visible lists, in timeline order, the numbers of the events after seq
// that scope may see, from the database.
// visible lists the events a stream started at the position after gets
// (those after it in commit order: a stream's start is a fence, so events
// committed just before it by a transaction that overlapped an older open
// one may follow too), of creditor's shared ones or all.
func (f *fixture) visible(t *testing.T, creditor *uuid.UUID, after recouvra.EventPosition) []string {
	t.Helper()
	q := `SELECT seq FROM events WHERE (tx, seq) > (CAST($1 AS text)::xid8, $2) ORDER BY tx, seq`
	args := []any{strconv.FormatUint(after.Tx, 10), after.Seq}
	if creditor != nil {
		q = `SELECT seq FROM events WHERE (tx, seq) > (CAST($1 AS text)::xid8, $2) AND creditor_id = $3 AND visibility = 'shared' ORDER BY tx, seq`
		args = append(args, *creditor)
	}
	rows, err := f.db.Pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.FormatInt(n, 10))
	}
	return out
}

// TestHubHandsEachCreditorOnlyItsOwnEvents: three creditors' subscribers
// (two each), staff, a creditor user without creditor, and one resuming
// from the start through the database; writers log shared and internal
// events on all three creditors' cases at once. Each creditor's
// subscribers get exactly its shared events, in timeline order; staff get
// everything; the one without creditor nothing.
func TestHubHandsEachCreditorOnlyItsOwnEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0, nil)
	ctx := context.Background()
	var creditors, cases []uuid.UUID
	for _, name := range []string{"Alpha", "Bravo", "Charlie"} {
		c, k := f.creditorWithCase(t, name)
		creditors, cases = append(creditors, c), append(cases, k)
	}
	fence, err := f.svc.StreamStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var creditorSubs [3][2]*collector
	for i := range creditors {
		for j := range 2 {
			creditorSubs[i][j] = f.subscribe(t, recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: uuid.New(), Role: recouvra.RoleCreditor, CreditorID: &creditors[i]}, fence)
		}
	}
	staff := f.subscribe(t, recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: uuid.New(), Role: recouvra.RoleAgent}, fence)
	orphan := f.subscribe(t, recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: uuid.New(), Role: recouvra.RoleCreditor}, fence)

	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 12 {
				t, v := recouvra.EventMessage, recouvra.Shared
				if i%3 == 2 {
					t, v = recouvra.EventNote, recouvra.Internal
				}
				if _, err := f.svc.LogEvent(ctx, app.System, cases[(w+i)%3], t, v, map[string]any{"text": fmt.Sprintf("%d/%d", w, i)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// A subscriber resuming from before all of it catches up from the
	// database in its scope, then joins the hub.
	resumed := f.subscribe(t, recouvra.Principal{Kind: recouvra.PrincipalAPIKey, APIKeyID: uuid.New(), Role: recouvra.RoleCreditor, CreditorID: &creditors[1]}, fence)

	wantAll := f.visible(t, nil, fence)
	if len(wantAll) < 72 {
		t.Fatalf("%d events after the start, want the 72 written at least", len(wantAll))
	}
	deadline := time.Now().Add(30 * time.Second)
	check := func(name string, c *collector, want []string) {
		t.Helper()
		for !slices.Equal(c.snapshot(), want) && time.Now().Before(deadline) && len(c.snapshot()) <= len(want) {
			time.Sleep(20 * time.Millisecond)
		}
		if got := c.snapshot(); !slices.Equal(got, want) {
			t.Fatalf("%s got %v\nwant %v", name, got, want)
		}
	}
	for i, c := range creditors {
		want := f.visible(t, &c, fence)
		for j, s := range creditorSubs[i] {
			check(fmt.Sprintf("creditor %d subscriber %d", i, j), s, want)
		}
		if i == 1 {
			check("resumed creditor 1", resumed, want)
		}
	}
	check("staff", staff, wantAll)
	time.Sleep(50 * time.Millisecond)
	if got := orphan.snapshot(); len(got) != 0 {
		t.Fatalf("a creditor user without creditor got %v", got)
	}
	if st := f.hub.Stats(); st.Read < 72 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestHubDropsASlowReader: a subscriber that takes nothing while more
// events than its buffer arrive is cut off with a log line; the others
// are not slowed, and the hub keeps reading.
func TestHubDropsASlowReader(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	f := newFixture(t, 3, logs)
	ctx := context.Background()
	creditor, caseID := f.creditorWithCase(t, "Lent")
	fence, err := f.svc.StreamStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: uuid.New(), Role: recouvra.RoleCreditor, CreditorID: &creditor}
	slow, err := f.hub.Subscribe(ctx, live.Request{Principal: p, Key: "slow", After: fence})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := f.subscribe(t, p, fence)
	// One at a time, each read by the other subscriber before the next.
	for i := range 5 {
		if _, err := f.svc.LogEvent(ctx, app.System, caseID, recouvra.EventMessage, recouvra.Shared, map[string]any{"text": fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(fast.snapshot()) < i+1 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	select {
	case <-slow.Gone():
	case <-time.After(30 * time.Second):
		t.Fatal("the slow subscriber was not dropped")
	}
	if n := len(slow.Take()); n != 3 {
		t.Fatalf("the slow subscriber held %d messages, want its buffer of 3", n)
	}
	want := f.visible(t, &creditor, fence)
	deadline := time.Now().Add(30 * time.Second)
	for !slices.Equal(fast.snapshot(), want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := fast.snapshot(); !slices.Equal(got, want) {
		t.Fatalf("the reading subscriber got %v, want %v", got, want)
	}
	if st := f.hub.Stats(); st.Dropped != 1 || st.Subscribers != 2 {
		t.Fatalf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), "live stream dropped") {
		t.Fatalf("no log line: %s", logs.String())
	}
}

// TestHubLimitsStreamsPerPrincipal: beyond the limit, ErrTooMany; a
// closed stream frees its place; other principals are not counted.
func TestHubLimitsStreamsPerPrincipal(t *testing.T) {
	t.Parallel()
	hub := live.New(live.Config{PerPrincipal: 2})
	p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: uuid.New(), Role: recouvra.RoleAgent}
	join := func(key string) (*live.Sub, error) {
		return hub.Subscribe(context.Background(), live.Request{Principal: p, Key: key})
	}
	a, err := join("u1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := join("u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := join("u1"); err != live.ErrTooMany {
		t.Fatalf("third stream: %v, want ErrTooMany", err)
	}
	if _, err := join("u2"); err != nil {
		t.Fatalf("another principal: %v", err)
	}
	a.Close()
	a.Close() // twice is once
	if _, err := join("u1"); err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	if st := hub.Stats(); st.Subscribers != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
