// Package localpg runs a private PostgreSQL server from the machine's
// PostgreSQL server binaries, for when no database URL is configured
// (`recouvra serve|migrate|demo` on a developer machine) and for tests (one
// throwaway cluster per `go test` process).
//
// A cluster lives entirely under one directory:
//
//	Dir/data/          the data directory (PGDATA)
//	Dir/run/           the Unix socket directory
//	Dir/postgres.log   initdb and server output
//	Dir/.lock          serialises concurrent Starts on Dir
//
// The server only listens on a Unix socket inside Dir/run and trusts every
// connection, so access is controlled by the permissions of that directory
// (0700, owned by the server's user). See Start for the exception.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// socketPort is the port of a socket-only server. It only names the
	// socket file (.s.PGSQL.5432), which lives in our private directory,
	// so it cannot clash with a system PostgreSQL on 5432.
	socketPort = 5432

	// maxSocketPath is the longest socket path we hand to postgres. The
	// kernel's sockaddr_un.sun_path holds 108 bytes on Linux (104 on
	// macOS and the BSDs) including the terminating NUL, and postgres
	// refuses to create a socket whose path does not fit; a little
	// margin keeps us clear of both limits.
	maxSocketPath = 100

	// startTimeout bounds how long a server may take to accept
	// connections: crash recovery of a small development database takes
	// well under this, so hitting it means something is wrong.
	startTimeout = 30 * time.Second

	// Stop's escalation: fast shutdown (SIGINT) disconnects clients and
	// writes a checkpoint; immediate shutdown (SIGQUIT) skips the
	// checkpoint, so the next start runs crash recovery; SIGKILL is the
	// last resort.
	fastShutdownTimeout      = 20 * time.Second
	immediateShutdownTimeout = 5 * time.Second
)

// Options configures Start.
type Options struct {
	// Dir is the cluster's root directory, e.g. $DATA_DIR/postgres. It
	// is created if missing; a relative path is resolved against the
	// current directory.
	Dir string

	// Ephemeral trades durability for speed, for test clusters that are
	// thrown away: fsync, synchronous_commit and full_page_writes are
	// off. A crash of the machine (not just of the server) can then
	// corrupt the data. The settings are command-line options of this
	// server run, not written to the cluster's configuration.
	Ephemeral bool

	// Logf, if set, receives progress messages (creating the cluster,
	// reusing a running server, ...). It is only called from within
	// Start and Stop, so a testing.T's Logf is safe to use.
	Logf func(format string, args ...any)
}

// Cluster is a running private PostgreSQL server, either started by Start
// or found already running on the same directory.
type Cluster struct {
	dir  string
	host string // absolute socket directory, or an IP address for TCP
	port int
	pid  int
	logf func(string, ...any)

	// Set only for a server we started, which Stop then stops.
	proc    *os.Process
	exited  chan struct{} // closed once proc has been waited for
	waitErr error         // proc's exit status; read only after exited is closed

	stopMu  sync.Mutex
	stopped bool
	stopErr error
}

// layout names the files and directories of a cluster root.
type layout struct {
	dir, data, run, log, lock string
}

func newLayout(dir string) layout {
	return layout{
		dir:  dir,
		data: filepath.Join(dir, "data"),
		run:  filepath.Join(dir, "run"),
		log:  filepath.Join(dir, "postgres.log"),
		lock: filepath.Join(dir, ".lock"),
	}
}

func (l layout) pidFile() string { return filepath.Join(l.data, "postmaster.pid") }

func (l layout) socketPath() string {
	return filepath.Join(l.run, ".s.PGSQL."+strconv.Itoa(socketPort))
}

// Start returns a running server for opts.Dir, creating the cluster with
// initdb if Dir holds none yet.
//
// If a server is already running on Dir (another process started it, or an
// earlier Start in this one), Start returns a Cluster that connects to it
// and whose Stop does nothing: the server is not ours to stop, and it goes
// away when the process that started it stops it or exits. Concurrent
// Starts on one Dir, in one process or several, are serialised by a lock
// file, so exactly one of them starts the server and the others reuse it.
//
// The server listens on a Unix socket in Dir/run, unless that socket's path
// would be too long for the kernel (see maxSocketPath). It then listens on
// a free TCP port of 127.0.0.1 instead, where, as the authentication is
// "trust", any local user can connect as superuser. That is acceptable for
// a development or test database on a single-user machine, not beyond.
//
// When run as root, initdb and postgres run as the "postgres" system user,
// which then owns Dir; parent directories that user cannot enter are made
// enterable (o+x) if they are ours, otherwise Start fails saying which.
//
// The server gets SIGINT (fast shutdown) if the calling process dies, so a
// crashed or killed process does not leave it running. Call Stop to stop it
// otherwise.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("localpg: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	found, err := findBinaries(ctx, os.Getenv("PATH"), []string{debianRoot})
	if err != nil {
		return nil, err
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	l := newLayout(dir)
	if err := l.prepare(acct, logf); err != nil {
		return nil, fmt.Errorf("preparing %s: %w", dir, err)
	}

	unlock, err := lockDir(ctx, l.lock, logf)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if c, err := l.running(ctx, logf); c != nil || err != nil {
		return c, err
	}

	dataMajor, err := l.dataVersion()
	if err != nil {
		return nil, err
	}
	bin, err := pick(found, dataMajor, l.data)
	if err != nil {
		return nil, err
	}
	if dataMajor == 0 {
		if err := initdb(ctx, bin, l, acct, logf); err != nil {
			return nil, err
		}
	} else if err := acct.chownTree(l.data, logf); err != nil {
		return nil, fmt.Errorf("giving %s to user %s: %w", l.data, acct.name, err)
	}
	return startServer(ctx, bin, l, acct, opts.Ephemeral, logf)
}

// prepare creates Dir and the socket directory and, when the server runs
// as another user, hands them to it.
func (l layout) prepare(acct *account, logf func(string, ...any)) error {
	// Parents get the usual 0755 (less the umask); only Dir itself is
	// private.
	if err := os.MkdirAll(filepath.Dir(l.dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(l.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := acct.ensureTraversable(l.dir, logf); err != nil {
		return err
	}
	if err := acct.chown(l.dir); err != nil {
		return err
	}
	// With trust authentication, whoever can reach the socket is
	// superuser: the socket directory must stay private even if it
	// already existed with looser permissions.
	if err := os.MkdirAll(l.run, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(l.run, 0o700); err != nil {
		return err
	}
	return acct.chown(l.run)
}

// dataVersion returns the major version recorded in the data directory, or
// 0 if there is no initialised cluster.
func (l layout) dataVersion() (int, error) {
	b, err := os.ReadFile(filepath.Join(l.data, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	major, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s/PG_VERSION: unexpected content %q", l.data, b)
	}
	return major, nil
}

// running returns a Cluster for a server already running on l.data, or nil
// if there is none. A server that is still starting is waited for; one that
// goes away meanwhile (it was being stopped) counts as none.
func (l layout) running(ctx context.Context, logf func(string, ...any)) (*Cluster, error) {
	pf, err := readPIDFile(l.pidFile())
	if err != nil {
		// Usually there is no file. A malformed one is left for
		// postgres to judge: it has the full rules for that.
		return nil, nil
	}
	if !processExists(pf.pid) {
		return nil, nil // stale; postgres replaces it on start
	}
	if !looksLikePostgres(pf.pid) {
		// postgres would refuse to start ("lock file already exists")
		// because the pid is alive. We hold the lock and know the
		// process is no postgres, so the file is provably stale.
		logf("localpg: removing stale %s: pid %d is now another program", l.pidFile(), pf.pid)
		if err := os.Remove(l.pidFile()); err != nil {
			return nil, err
		}
		return nil, nil
	}

	pid := pf.pid
	deadline := time.Now().Add(startTimeout)
	for {
		c := &Cluster{dir: l.dir, pid: pid, port: pf.port, logf: logf}
		switch {
		case pf.socketDir != "":
			c.host = pf.socketDir
			if !filepath.IsAbs(c.host) {
				c.host = l.run
			}
		case pf.listenAddr != "" && pf.listenAddr != "*":
			c.host = pf.listenAddr
		case pf.listenAddr == "*":
			c.host = "127.0.0.1"
		default:
			c.host = "" // listeners not up yet
		}
		var pingErr error = errors.New("server not listening yet")
		if c.host != "" {
			pingErr = ping(ctx, c.URL("postgres"))
		}
		if pingErr == nil {
			logf("localpg: reusing the PostgreSQL server already running on %s (pid %d)", l.data, pid)
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("a PostgreSQL server (pid %d) is running on %s but does not accept connections (%v); see %s",
				pid, l.data, pingErr, l.log)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return nil, err
		}
		pf, err = readPIDFile(l.pidFile())
		if err != nil || pf.pid != pid || !processExists(pid) {
			return nil, nil // it shut down meanwhile
		}
	}
}

// initdb creates the cluster in l.data.
func initdb(ctx context.Context, bin binaries, l layout, acct *account, logf func(string, ...any)) error {
	logf("localpg: creating a PostgreSQL %d cluster in %s", bin.major, l.data)
	out, err := runInitdb(ctx, bin, l, acct, "C.UTF-8")
	if err != nil && ctx.Err() == nil {
		// C.UTF-8 is built into glibc since 2.35 but may be missing
		// on older or minimal systems. C collates identically (by
		// byte) and only lacks Unicode character classification
		// (upper() on non-ASCII letters). initdb cleans up after a
		// failure, so simply try again; if that fails too, the first
		// error is the one worth reporting.
		if out2, err2 := runInitdb(ctx, bin, l, acct, "C"); err2 == nil {
			logf("localpg: locale C.UTF-8 is not available; the cluster uses locale C")
			out, err = append(out, out2...), nil
		}
	}
	if werr := appendLog(l.log, acct, out); werr != nil && err == nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("initdb %s failed (%w):\n%s", l.data, err, lastLines(out, 20))
	}
	return nil
}

func runInitdb(ctx context.Context, bin binaries, l layout, acct *account, locale string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin.initdb,
		"-D", l.data,
		"-U", "postgres",
		"--auth=trust",
		"-E", "UTF8",
		"--locale="+locale,
		// Skipping the final fsync of the new cluster saves seconds;
		// the files reach the disk with the server's first checkpoint.
		"--no-sync",
		"--no-instructions",
	)
	// initdb (like postgres) resolves paths against, and may need to
	// return to, its working directory; ours may be one the server's
	// user cannot enter (/root).
	cmd.Dir = l.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: acct.credential()}
	// On SIGTERM initdb removes the half-made data directory; on the
	// default SIGKILL it would leave it, and the next Start would fail.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd.CombinedOutput()
}

// startServer starts postgres on an initialised data directory and waits
// until it accepts connections.
func startServer(ctx context.Context, bin binaries, l layout, acct *account, ephemeral bool, logf func(string, ...any)) (*Cluster, error) {
	c := &Cluster{dir: l.dir, logf: logf, exited: make(chan struct{})}
	args := []string{"-D", l.data}
	if len(l.socketPath()) <= maxSocketPath {
		c.host, c.port = l.run, socketPort
		args = append(args, "-c", "unix_socket_directories="+l.run, "-c", "listen_addresses=")
	} else {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		c.host, c.port = "127.0.0.1", port
		logf("localpg: socket path %s is too long for a Unix socket; listening on %s:%d", l.socketPath(), c.host, c.port)
		// No Unix socket at all: postgres treats a socket it cannot
		// create as fatal.
		args = append(args, "-c", "unix_socket_directories=", "-c", "listen_addresses="+c.host)
	}
	args = append(args, "-p", strconv.Itoa(c.port))
	if ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}

	logFile, err := openLog(l.log, acct)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin.postgres, args...) // not CommandContext: the server outlives ctx
	cmd.Dir = l.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = serverSysProcAttr(acct.credential())

	// Start from a fresh goroutine. The kernel sends the parent-death
	// signal when the OS *thread* that forked the child exits, not the
	// process (go.dev/issue/27505), and Go ends a thread only when a
	// goroutine locked to it (runtime.LockOSThread) returns. Were our
	// caller such a goroutine, the server would shut down as soon as it
	// returned; a new goroutine never runs on a locked thread.
	started := make(chan error, 1)
	go func() { started <- cmd.Start() }()
	err = <-started
	logFile.Close() // the child has its own copy
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin.postgres, err)
	}
	c.proc, c.pid = cmd.Process, cmd.Process.Pid
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	logf("localpg: started PostgreSQL %d (pid %d) on %s", bin.major, c.pid, l.data)

	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop(context.Background()) // never leave a half-started server behind
		return nil, fmt.Errorf("%w; last lines of %s:\n%s", err, l.log, logTail(l.log))
	}
	return c, nil
}

var errStartTimeout = fmt.Errorf("PostgreSQL did not accept connections within %s", startTimeout)

// waitReady polls the server we started until it answers a query, it exits,
// or the start timeout or ctx expires.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, startTimeout, errStartTimeout)
	defer cancel()
	for {
		err := ping(ctx, c.URL("postgres"))
		if err == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("PostgreSQL exited during startup (%v)", c.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ping connects and runs SELECT 1: a server accepting connections can still
// refuse to run queries (while starting up or shutting down).
func ping(ctx context.Context, connURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// freePort asks the kernel for a free TCP port on 127.0.0.1. Another
// program could take it before postgres binds it; Start then fails with
// postgres's "could not bind" in the error, which is rare enough for a
// development fallback.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free TCP port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// URL returns a connection URL for database dbname, e.g.
// postgres://postgres@/app?host=/abs/dir/run&port=5432&sslmode=disable
// (a Unix socket) or postgres://postgres@127.0.0.1:54321/app?sslmode=disable.
func (c *Cluster) URL(dbname string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + dbname}
	if filepath.IsAbs(c.host) {
		// A slash is legal in a query and keeps the path readable;
		// everything else that could confuse a parser is escaped.
		host := strings.ReplaceAll(url.QueryEscape(c.host), "%2F", "/")
		u.RawQuery = "host=" + host + "&port=" + strconv.Itoa(c.port) + "&sslmode=disable"
	} else {
		u.Host = net.JoinHostPort(c.host, strconv.Itoa(c.port))
		u.RawQuery = "sslmode=disable"
	}
	return u.String()
}

// Where describes the server's location in a phrase for a one-line message,
// e.g. "private development database in /abs/dir (socket /abs/dir/run)".
func (c *Cluster) Where() string {
	at := "socket " + c.host
	if !filepath.IsAbs(c.host) {
		at = "TCP " + net.JoinHostPort(c.host, strconv.Itoa(c.port))
	}
	if c.proc == nil {
		at += fmt.Sprintf(", already running as pid %d", c.pid)
	}
	return fmt.Sprintf("private development database in %s (%s)", c.dir, at)
}

// EnsureDatabase creates database name unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// CREATE DATABASE takes no parameters, hence the quoted identifier.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil // another process created it since our check
	}
	if err != nil {
		return fmt.Errorf("creating database %q: %w", name, err)
	}
	return nil
}

// Stop stops the server if Start started it, and does nothing for a server
// that was already running. It asks for a fast shutdown (open transactions
// are rolled back, clients disconnected) and, if that does not finish in
// time or ctx ends first, escalates to an immediate shutdown and finally to
// killing the server's process group. Stop is safe to call more than once,
// also concurrently; later calls return the first call's result.
func (c *Cluster) Stop(ctx context.Context) error {
	if c.proc == nil {
		return nil
	}
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	if !c.stopped {
		c.stopErr = c.stop(ctx)
		c.stopped = true
	}
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return fmt.Errorf("PostgreSQL (pid %d) had already exited: %v", c.pid, c.waitErr)
		}
		return nil
	default:
	}
	// Errors are ignored: the only likely one is that the process has
	// just exited, which the wait below notices.
	_ = c.proc.Signal(syscall.SIGINT)
	if c.waitExit(ctx, fastShutdownTimeout) {
		return nil
	}
	reason := fmt.Sprintf("no fast shutdown within %s", fastShutdownTimeout)
	if ctx.Err() != nil {
		reason = context.Cause(ctx).Error()
	}
	c.logf("localpg: PostgreSQL (pid %d) is still running (%s); sending SIGQUIT (immediate shutdown)", c.pid, reason)
	_ = c.proc.Signal(syscall.SIGQUIT)
	if c.waitExit(context.Background(), immediateShutdownTimeout) {
		return fmt.Errorf("PostgreSQL (pid %d) stopped by immediate shutdown (%s)", c.pid, reason)
	}
	// The server leads its own process group (Setpgid), which its
	// backends inherit: kill them all.
	c.logf("localpg: killing PostgreSQL (pid %d) and its processes", c.pid)
	_ = syscall.Kill(-c.pid, syscall.SIGKILL)
	<-c.exited
	return fmt.Errorf("PostgreSQL (pid %d) killed: it ignored fast and immediate shutdown (%s)", c.pid, reason)
}

// waitExit reports whether the server exits within d (or before ctx ends).
func (c *Cluster) waitExit(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.exited:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	// Both may have happened at once; exiting wins.
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
