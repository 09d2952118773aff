package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/server"
)

// The crash tests kill a real server process with SIGKILL: the test binary
// started again with childEnv set runs TestMain's childMain instead of the
// tests — a complete server (its own pool, River client, mailer) on the
// test's database and data directory, with a clock standing at the given
// time — and is killed by the test. Nothing of it can clean up: what it
// left is what PostgreSQL and the next server make of a crash.
const childEnv = "RECOUVRA_TEST_CHILD"

// childSpec is what the test tells its server process (JSON in childEnv).
type childSpec struct {
	DatabaseURL string
	DataDir     string
	Now         time.Time
	SMTP        config.SMTP
	MailFrom    string
	// Pass: run one strategy engine pass once started.
	Pass bool
}

// childMain serves until killed. It prints "listening <url>" once it
// serves, and "pass done" / "pass failed: …" after its pass.
func childMain(raw string) int {
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "child: spec:", err)
		return 2
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, spec.DatabaseURL, postgres.Options{MaxConns: 6, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		return 2
	}
	cfg := testConfigIn(spec.DataDir)
	cfg.StrategyMinutes, cfg.StrategyNightlyAt = 0, -1 // the test says when the engine runs
	cfg.SMTP, cfg.MailFrom = spec.SMTP, spec.MailFrom
	now := spec.Now
	srv, err := server.Start(ctx, cfg, server.Options{DB: db, Password: &cheapHash, Now: func() time.Time { return now }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: start:", err)
		return 2
	}
	fmt.Println("listening", srv.URL())
	if spec.Pass {
		if _, err := srv.Service().RunStrategies(ctx); err != nil {
			fmt.Println("pass failed:", strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Println("pass done")
		}
	}
	_ = srv.Wait(ctx) // until killed
	return 0
}

// child is a running server process of a test.
type child struct {
	cmd    *exec.Cmd
	url    string
	lines  chan string // its standard output after "listening"
	stderr *bytes.Buffer
	once   sync.Once
}

// startChild starts a server process and returns once it serves.
func startChild(t *testing.T, spec childSpec) *child {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	c := &child{cmd: cmd, lines: make(chan string, 16), stderr: &bytes.Buffer{}}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.kill)
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				listening <- url
				continue
			}
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	select {
	case c.url = <-listening:
	case <-time.After(60 * time.Second):
		c.kill()
		t.Fatalf("the server process did not start: %s", c.stderr)
	}
	return c
}

// kill ends the process with SIGKILL (no shutdown, nothing drained) and
// waits for it.
func (c *child) kill() {
	c.once.Do(func() {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	})
}

// cue is a point where the test holds a server's transaction: a trigger
// waits on a PostgreSQL advisory lock the test holds, so the test knows
// the request or step is there — its writes made, not committed — and
// kills the process at that very point instead of guessing a moment.
type cue struct {
	conn *pgx.Conn // holds the lock
	key  int32
}

// holdCue takes the advisory lock (1969, key) on a connection of its own.
func holdCue(t *testing.T, url string, key int32) *cue {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(1969, $1)", key); err != nil {
		t.Fatal(err)
	}
	return &cue{conn: conn, key: key}
}

// waiter waits until a backend waits on the cue, and returns its pid.
func (c *cue) waiter(t *testing.T, within time.Duration) int32 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var pid int32
		err := c.conn.QueryRow(context.Background(), `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid = 1969 AND objid = $1 AND objsubid = 2 LIMIT 1`, c.key).Scan(&pid)
		if err == nil {
			return pid
		}
		if err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing reached cue %d in %s", c.key, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// release lets the cue go; the backend that waited on it goes on, finds
// its client gone and rolls back. gone waits for that.
func (c *cue) release(t *testing.T) {
	t.Helper()
	if _, err := c.conn.Exec(context.Background(), "SELECT pg_advisory_unlock(1969, $1)", c.key); err != nil {
		t.Fatal(err)
	}
}

// gone waits until the backend pid has ended: its transaction is over.
func (c *cue) gone(t *testing.T, pid int32) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := c.conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the killed server's backend %d is still there", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
