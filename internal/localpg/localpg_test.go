package localpg_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/localpg"
)

// These tests run the real PostgreSQL binaries. They deliberately do not
// skip when those are missing: Start's error then says how to install them.

func start(t *testing.T, dir string) *localpg.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true, Logf: t.Logf})
	if err != nil {
		t.Fatalf("Start(%s): %v", dir, err)
	}
	// Registered after t.TempDir's cleanup, so it runs before the
	// directory is removed.
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, c *localpg.Cluster, db string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL(db))
	if err != nil {
		t.Fatalf("connecting to %s: %v", c.URL(db), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// postmasterPID reads the pid of the server running on dir.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	return pid
}

// gone reports whether pid has exited. A zombie counts as exited: once we
// no longer are its parent, reaping it is up to init, which in a container
// may never do so.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// The state follows the parenthesised command name.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func assertGone(t *testing.T, dir string, pid int) {
	t.Helper()
	if !gone(pid) {
		t.Errorf("postmaster pid %d still running after Stop", pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still present after Stop (%v)", err)
	}
}

// helperDirEnv makes the test binary act as a process that starts a
// cluster and then hangs until it is killed (see TestMain).
const helperDirEnv = "LOCALPG_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("ready")
		time.Sleep(time.Minute)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// TestNoStrayServer kills a process that started a cluster without
// stopping it: the server must shut down by itself.
func TestNoStrayServer(t *testing.T) {
	dir := t.TempDir()
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperDirEnv+"="+dir)
	helper.Stderr = os.Stderr
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { helper.Process.Kill(); helper.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("helper process: %q, %v", line, err)
	}
	pid := postmasterPID(t, dir)

	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	for deadline := time.Now().Add(10 * time.Second); !gone(pid) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !gone(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("postmaster %d outlived the process that started it", pid)
	}
}

func TestStartStopRestartReuse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	c := start(t, dir)
	if want := "host=" + filepath.Join(dir, "run") + "&port=5432"; !strings.Contains(c.URL("x"), want) {
		t.Errorf("URL = %s, want it to contain %s", c.URL("x"), want)
	}
	if want := "private development database in " + dir + " (socket " + filepath.Join(dir, "run") + ")"; c.Where() != want {
		t.Errorf("Where() = %q, want %q", c.Where(), want)
	}
	if n := queryInt(t, connect(t, c, "postgres"), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
	for range 2 { // the second call finds the database
		if err := c.EnsureDatabase(ctx, "app db"); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}
	app := connect(t, c, "app db")
	if _, err := app.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	app.Close(ctx)

	pid := postmasterPID(t, dir)
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	assertGone(t, dir, pid)

	// A stale postmaster.pid naming a live process that is not postgres
	// (pids are reused, notably after a container restart) must not
	// block the next start.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	stale := fmt.Sprintf("%d\n%s\n1700000000\n5432\n", sleeper.Process.Pid, filepath.Join(dir, "data"))
	if err := os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}

	// A new start finds the existing cluster and its data.
	c2 := start(t, dir)
	if n := queryInt(t, connect(t, c2, "app db"), "SELECT v FROM kept"); n != 42 {
		t.Fatalf("after restart: kept.v = %d, want 42", n)
	}
	pid2 := postmasterPID(t, dir)

	// A Start while c2's server runs reuses it, and its Stop leaves the
	// server alone.
	c3 := start(t, dir)
	if got := postmasterPID(t, dir); got != pid2 {
		t.Fatalf("second Start started another server: pid %d, want %d", got, pid2)
	}
	if !strings.Contains(c3.Where(), "already running as pid "+strconv.Itoa(pid2)) {
		t.Errorf("Where() of a reused server = %q", c3.Where())
	}
	if n := queryInt(t, connect(t, c3, "app db"), "SELECT v FROM kept"); n != 42 {
		t.Fatalf("through reused cluster: kept.v = %d, want 42", n)
	}
	if err := c3.Stop(ctx); err != nil {
		t.Fatalf("Stop of reused cluster: %v", err)
	}
	if n := queryInt(t, connect(t, c2, "postgres"), "SELECT 1"); n != 1 {
		t.Fatalf("after the reusing cluster's Stop: SELECT 1 = %d", n)
	}
	if err := c2.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	assertGone(t, dir, pid2)
}

// TestConcurrentStart starts twice at once on a fresh directory, as two
// processes would: one must create and start the cluster, the other wait
// for it and reuse it.
func TestConcurrentStart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	clusters := make([]*localpg.Cluster, 2)
	errs := make([]error, 2)
	for i := range clusters {
		wg.Go(func() {
			clusters[i], errs[i] = localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true})
		})
	}
	wg.Wait()
	for _, c := range clusters {
		if c != nil {
			t.Cleanup(func() { c.Stop(context.Background()) })
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	reused := 0
	for _, c := range clusters {
		if strings.Contains(c.Where(), "already running") {
			reused++
		}
		if n := queryInt(t, connect(t, c, "postgres"), "SELECT 1"); n != 1 {
			t.Fatalf("SELECT 1 = %d", n)
		}
	}
	if reused != 1 {
		t.Fatalf("%d of 2 concurrent Starts reused the server, want 1", reused)
	}
	pid := postmasterPID(t, dir)
	for _, c := range clusters {
		if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	assertGone(t, dir, pid)
}

// TestTCPFallback uses a directory too deep for a Unix socket path.
func TestTCPFallback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 40))
	c := start(t, dir)
	if !strings.HasPrefix(c.URL("postgres"), "postgres://postgres@127.0.0.1:") {
		t.Fatalf("URL = %s, want TCP on 127.0.0.1", c.URL("postgres"))
	}
	if !strings.Contains(c.Where(), "(TCP 127.0.0.1:") {
		t.Errorf("Where() = %q", c.Where())
	}
	if n := queryInt(t, connect(t, c, "postgres"), "SELECT 1"); n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}

	// A second Start finds the TCP server through postmaster.pid.
	c2 := start(t, dir)
	if c2.URL("postgres") != c.URL("postgres") {
		t.Errorf("reused URL = %s, want %s", c2.URL("postgres"), c.URL("postgres"))
	}

	pid := postmasterPID(t, dir)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertGone(t, dir, pid)
}

func TestRelativeDir(t *testing.T) {
	t.Chdir(t.TempDir())
	c := start(t, "pg")
	abs, err := filepath.Abs("pg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.URL("postgres"), "host="+filepath.Join(abs, "run")+"&") {
		t.Errorf("URL = %s, want an absolute socket directory under %s", c.URL("postgres"), abs)
	}
}

func TestEmptyDir(t *testing.T) {
	if _, err := localpg.Start(context.Background(), localpg.Options{}); err == nil {
		t.Fatal("Start with empty Dir succeeded")
	}
}
