package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
)

// trapSMTP is the test's SMTP server: it keeps each message it accepts
// and, once armed, holds the next one in DATA — before answering — until
// released, then refuses it: the sender is caught mid-delivery.
type trapSMTP struct {
	addr     string
	mu       sync.Mutex
	received map[string][]string // recipient → Message-IDs accepted
	armed    bool
	trapped  chan struct{}
	release  chan struct{}
}

func startTrapSMTP(t *testing.T) *trapSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := &trapSMTP{addr: ln.Addr().String(), received: map[string][]string{}, trapped: make(chan struct{}, 1), release: make(chan struct{})}
	s := smtp.NewServer(tr)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	s.AllowInsecureAuth = true
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return tr
}

// settings send to the trap.
func (tr *trapSMTP) settings() config.SMTP {
	host, port, _ := net.SplitHostPort(tr.addr)
	n, _ := strconv.Atoi(port)
	return config.SMTP{URL: "smtp://" + tr.addr, Host: host, Port: n}
}

func (tr *trapSMTP) arm() { tr.mu.Lock(); tr.armed = true; tr.mu.Unlock() }

func (tr *trapSMTP) messages() map[string][]string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := map[string][]string{}
	for k, v := range tr.received {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func (tr *trapSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &trapSession{tr: tr}, nil }

type trapSession struct {
	tr *trapSMTP
	to []string
}

func (s *trapSession) Reset()                                    { s.to = nil }
func (s *trapSession) Logout() error                             { return nil }
func (s *trapSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *trapSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *trapSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.tr.mu.Lock()
	armed := s.tr.armed
	s.tr.armed = false
	s.tr.mu.Unlock()
	if armed {
		s.tr.trapped <- struct{}{}
		<-s.tr.release
		return &smtp.SMTPError{Code: 451, Message: "held by the test, then refused"}
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s.tr.mu.Lock()
	for _, to := range s.to {
		s.tr.received[to] = append(s.tr.received[to], m.Header.Get("Message-Id"))
	}
	s.tr.mu.Unlock()
	return nil
}

// TestStrategyEngineKilledMidPass kills real engine processes with SIGKILL
// in the middle of a pass of many due steps, twice, and lets engines of
// later passes finish after the claims' lease (10 minutes, on the
// engines' controlled clock) has run out:
//
//   - engine 1 claims every due step and runs them until the sixth step's
//     transaction is open (its letter written, its timeline event being
//     inserted: held by a trigger on a lock the test holds), then is killed;
//   - an engine at the same time takes nothing: the claims are fresh;
//   - engine 2, 11 minutes later, takes the stale claims over and runs them
//     until an e-mail is being delivered (held by the test's SMTP server
//     in DATA, after its step committed), then is killed;
//   - the test's own engine, 11 minutes after that, takes the rest over and
//     the mail left queued by engine 2 is delivered.
//
// Every (case, step) ran exactly once: one run row, done; one
// strategy_step event; one letter in the documents (and one letter_sent
// event for a letter step); one e-mail received by the SMTP server, with
// one mail row sent, for an e-mail step.
//
//	go test -race -count=1 -run TestStrategyEngineKilledMidPass ./internal/server/
func TestStrategyEngineKilledMidPass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	trap := startTrapSMTP(t)
	url := pgtest.URL(t)
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	const from = "relances@recouvra.test"
	w := newWorldOn(t, db, io.Discard, func(c *config.Config) {
		c.StrategyNightlyAt = -1
		c.SMTP, c.MailFrom = trap.settings(), from
	})
	letter := w.createStrategy(strategyBody("Lettre seule", map[string]any{"name": "Lettre", "channel": "letter", "delay": 0, "from": "placement"}))
	email := w.createStrategy(strategyBody("Courriel seul", map[string]any{"name": "Courriel", "channel": "email", "delay": 0, "from": "placement"}))
	const n = 24
	var ids []uuid.UUID
	mailTo := map[uuid.UUID]string{} // the e-mail steps' cases
	for i := range n {
		addr := fmt.Sprintf("debiteur%02d@exemple.test", i)
		id := w.strategyCase(addr)
		st := letter
		if i%2 == 1 { // in the claims' order (due date, case id): letters and e-mails in turn
			st, mailTo[id] = email, addr
		}
		if r := w.as("agent").Do("PUT", "/api/v1/cases/"+id.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
		ids = append(ids, id)
	}
	done := func() int { return w.countRows(t, "SELECT count(*) FROM strategy_step_runs WHERE state = 'done'") }
	spec := childSpec{DatabaseURL: url, DataDir: w.dataDir, SMTP: trap.settings(), MailFrom: from, Pass: true}
	t0 := w.clock.Now()

	// Engine 1, killed inside its sixth step's transaction.
	w.exec(t, `CREATE FUNCTION cue_mid_step() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF (SELECT count(*) FROM strategy_step_runs WHERE state = 'done') >= 6 THEN
				PERFORM pg_advisory_xact_lock(1969, 2);
			END IF;
			RETURN NEW;
		END $$`)
	w.exec(t, `CREATE TRIGGER cue_mid_step BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.type = 'strategy_step') EXECUTE FUNCTION cue_mid_step()`)
	held := holdCue(t, url, 2)
	spec.Now = t0
	engine1 := startChild(t, spec)
	pid := held.waiter(t, 90*time.Second)
	engine1.kill()
	held.release(t)
	held.gone(t, pid)
	w.exec(t, "DROP TRIGGER cue_mid_step ON events")
	ran1 := done()
	if ran1 != 5 || w.countRows(t, "SELECT count(*) FROM strategy_step_runs WHERE state = 'claimed'") != n-ran1 {
		t.Fatalf("engine 1 killed: %d steps done (want 5: the sixth was in its transaction), %d claimed", ran1,
			w.countRows(t, "SELECT count(*) FROM strategy_step_runs WHERE state = 'claimed'"))
	}
	// The claims are fresh: an engine now leaves them alone.
	if p := w.pass(); p.Claimed != 0 || done() != ran1 {
		t.Fatalf("a pass while the claims are fresh claimed %d", p.Claimed)
	}

	// Engine 2, 11 minutes later, killed while it delivers an e-mail.
	trap.arm()
	spec.Now = t0.Add(11 * time.Minute)
	engine2 := startChild(t, spec)
	select {
	case <-trap.trapped:
	case line := <-engine2.lines:
		t.Fatalf("engine 2 ended its pass without sending an e-mail: %s", line)
	case <-time.After(90 * time.Second):
		t.Fatal("engine 2 sent no e-mail in 90 s")
	}
	engine2.kill()
	close(trap.release)
	ran2 := done()
	if ran2 <= ran1 || ran2 >= n {
		t.Fatalf("engine 2 killed after %d steps done in all (engine 1: %d)", ran2, ran1)
	}
	if q := w.countRows(t, "SELECT count(*) FROM mail_messages WHERE state = 'queued'"); q != 1 {
		t.Fatalf("%d mails queued after engine 2's kill, want the one it was delivering", q)
	}

	// This engine, 11 minutes after engine 2's claims: the rest.
	w.clock.Advance(22 * time.Minute)
	if p := w.pass(); p.Claimed != n-ran2 {
		t.Fatalf("the last engine claimed %d, want the %d engine 2 left", p.Claimed, n-ran2)
	}
	queued, err := w.db.Pool.Query(ctx, "SELECT id FROM mail_messages WHERE state = 'queued'")
	if err != nil {
		t.Fatal(err)
	}
	mails, err := pgx.CollectRows(queued, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range mails { // what the mail queue's sweep does
		if err := w.svc.DeliverMail(ctx, id, false); err != nil {
			t.Fatal(err)
		}
	}
	if p := w.pass(); p.Claimed != 0 {
		t.Fatalf("one more pass claimed %d", p.Claimed)
	}

	// Every step ran once.
	got := trap.messages()
	for _, id := range ids {
		one := func(what, query string) {
			t.Helper()
			if c := w.countRows(t, query, id); c != 1 {
				t.Errorf("case %s (%s): %d %s, want 1", id, map[bool]string{true: "e-mail", false: "lettre"}[mailTo[id] != ""], c, what)
			}
		}
		one("runs", "SELECT count(*) FROM strategy_step_runs WHERE case_id = $1 AND state = 'done'")
		one("strategy_step events", "SELECT count(*) FROM events WHERE case_id = $1 AND type = 'strategy_step' AND data->>'outcome' <> 'assigned'")
		one("letters", "SELECT count(*) FROM documents WHERE case_id = $1 AND kind = 'amicable_letter'")
		if addr := mailTo[id]; addr != "" {
			one("mails sent", "SELECT count(*) FROM mail_messages WHERE case_id = $1 AND state = 'sent'")
			one("email_sent events", "SELECT count(*) FROM events WHERE case_id = $1 AND type = 'email_sent'")
			if len(got[addr]) != 1 {
				t.Errorf("%s received %d e-mails %v, want 1", addr, len(got[addr]), got[addr])
			}
		} else {
			one("letter_sent events", "SELECT count(*) FROM events WHERE case_id = $1 AND type = 'letter_sent'")
			one("letters for the post", "SELECT count(*) FROM strategy_step_runs WHERE case_id = $1 AND document_id IS NOT NULL")
		}
	}
	if total := w.countRows(t, "SELECT count(*) FROM strategy_step_runs"); total != n {
		t.Errorf("%d runs for %d (case, step)", total, n)
	}
	if len(got) != n/2 {
		t.Errorf("%d addresses received mail, want %d", len(got), n/2)
	}
	t.Logf("engine 1 killed after %d steps, engine 2 after %d more, the last engine ran %d", ran1, ran2-ran1, n-ran2)
}
