package main_test

// End-to-end tests of the real binary: the private development database,
// migrations, serving, and a clean stop on SIGTERM.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/pgtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "recouvra-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "recouvra")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := pgtest.Run(m) // the crash test's database is on the test cluster
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanEnv is the test process's environment without any RECOUVRA_ setting,
// plus the given ones.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RECOUVRA_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	return runIn(t, env, "", args...)
}

// runIn runs the binary with stdin as its standard input.
func runIn(t *testing.T, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Dir = t.TempDir() // no configs/recouvra.yaml here
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestUsageAndBadConfiguration(t *testing.T) {
	out, code := run(t, cleanEnv(), "frobnicate")
	if code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) || !strings.Contains(out, "serve") {
		t.Fatalf("exit %d: %s", code, out)
	}
	out, code = run(t, cleanEnv(), "version")
	if code != 0 || !strings.HasPrefix(out, "recouvra ") {
		t.Fatalf("exit %d: %s", code, out)
	}
	out, code = run(t, cleanEnv("RECOUVRA_HTTP_ADDR=nonsense"), "serve")
	if code != 1 || !strings.Contains(out, "RECOUVRA_HTTP_ADDR") {
		t.Fatalf("exit %d: %s", code, out)
	}
	out, code = run(t, cleanEnv("RECOUVRA_DATABSE_URL=x"), "migrate", "status")
	if code != 1 || !strings.Contains(out, "unknown variable RECOUVRA_DATABSE_URL") {
		t.Fatalf("exit %d: %s", code, out)
	}
	out, code = run(t, cleanEnv(), "migrate", "sideways")
	if code != 2 || !strings.Contains(out, "sideways") {
		t.Fatalf("exit %d: %s", code, out)
	}
	// An unreachable database is a clear error, not a hang.
	out, code = run(t, cleanEnv("RECOUVRA_DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=2"), "migrate", "up")
	if code != 1 || !strings.Contains(out, "database unreachable") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

// TestPrivateDatabaseLifecycle is `make run` twice and `migrate` on the
// private cluster: ready, stopped by SIGTERM with no stray postgres, data
// reused on the second start.
func TestPrivateDatabaseLifecycle(t *testing.T) {
	dataDir := t.TempDir()
	env := cleanEnv("RECOUVRA_DATA_DIR="+dataDir, "RECOUVRA_HTTP_ADDR=127.0.0.1:0")

	first := serve(t, env)
	if !strings.Contains(first.banner, "private development database") {
		t.Fatalf("no notice about the private database: %s", first.banner)
	}
	first.stop(t)
	assertNoPostgresFor(t, dataDir)

	// The first admin, created on the command line, signs in on the next start.
	out, code := runIn(t, env, "", "user", "create", "--email", "Admin@Agence.test", "--role", "admin", "--name", "Première Admin")
	if code != 1 || !strings.Contains(out, "no password") {
		t.Fatalf("no password: exit %d: %s", code, out)
	}
	withPassword := append(env[:len(env):len(env)], "RECOUVRA_PASSWORD=un mot de passe solide")
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "Admin@Agence.test", "--role", "admin", "--name", "Première Admin")
	if code != 0 || !strings.Contains(out, "Created admin Admin@Agence.test") {
		t.Fatalf("create admin: exit %d: %s", code, out)
	}
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "admin@agence.TEST", "--role", "agent")
	if code != 1 || !strings.Contains(out, "--email: Un compte existe déjà") {
		t.Fatalf("duplicate: exit %d: %s", code, out)
	}
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "x@agence.test", "--role", "chief")
	if code != 1 || !strings.Contains(out, "--role") {
		t.Fatalf("bad role: exit %d: %s", code, out)
	}
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "x@agence.test", "--role", "creditor")
	if code != 1 || !strings.Contains(out, "--creditor-id") {
		t.Fatalf("creditor without creditor: exit %d: %s", code, out)
	}
	out, code = runIn(t, env, "trop court\n", "user", "create", "--email", "x@agence.test", "--role", "agent")
	if code != 1 || !strings.Contains(out, "12 caractères") {
		t.Fatalf("short password on stdin: exit %d: %s", code, out)
	}
	out, code = runIn(t, env, "un mot de passe lu sur stdin\n", "user", "create", "--email", "agent@agence.test", "--role", "agent")
	if code != 0 {
		t.Fatalf("password on stdin: exit %d: %s", code, out)
	}
	// An avocat's bar (CPC 416), one printable line.
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "avocat@agence.test", "--role", "lawyer", "--name", "Anne Durand", "--bar", " Barreau de Lyon ")
	if code != 0 || !strings.Contains(out, "(Anne Durand, Barreau de Lyon)") {
		t.Fatalf("lawyer with a bar: exit %d: %s", code, out)
	}
	out, code = runIn(t, withPassword, "", "user", "create", "--email", "avocat2@agence.test", "--role", "lawyer", "--bar", "Barreau\tde Lyon")
	if code != 1 || !strings.Contains(out, "--bar") {
		t.Fatalf("bar with a tab: exit %d: %s", code, out)
	}

	// The demo agency loads once and prints its logins every time.
	out, code = run(t, env, "demo", "--realistic", "15")
	if code != 0 || !strings.Contains(out, "15 cases with their histories") || !strings.Contains(out, "juriste@recouvra.demo") {
		t.Fatalf("demo: exit %d: %s", code, out)
	}
	out, code = run(t, env, "demo")
	if code != 0 || !strings.Contains(out, "already loaded") || !strings.Contains(out, "Recouvra-demo-2026") {
		t.Fatalf("demo again: exit %d: %s", code, out)
	}

	second := serve(t, env)
	for _, login := range []string{`{"email":"admin@agence.test","password":"un mot de passe solide"}`, `{"email":"agent@agence.test","password":"un mot de passe lu sur stdin"}`,
		`{"email":"compta@menuiserie-dupont.demo","password":"Recouvra-demo-2026"}`} {
		resp, err := http.Post(second.base+"/api/v1/auth/login", "application/json", strings.NewReader(login))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("sign-in of a CLI-created user %s: %d", login, resp.StatusCode)
		}
	}
	second.stop(t)
	assertNoPostgresFor(t, dataDir)

	out, code = run(t, env, "migrate", "down", "--to", "0")
	if code != 0 || !strings.Contains(out, "rolled back") {
		t.Fatalf("down: exit %d: %s", code, out)
	}
	out, code = run(t, env, "migrate", "status")
	if code != 0 || !regexp.MustCompile(`00001\s+pending`).MatchString(out) {
		t.Fatalf("status: exit %d: %s", code, out)
	}
	out, code = run(t, env, "migrate", "up")
	if code != 0 || !strings.Contains(out, "migration(s) applied") {
		t.Fatalf("up: exit %d: %s", code, out)
	}
	assertNoPostgresFor(t, dataDir)
}

type served struct {
	base   string
	cmd    *exec.Cmd
	banner string
	out    *bytes.Buffer
}

func serve(t *testing.T, env []string) *served {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(env, "RECOUVRA_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := bufio.NewScanner(stdout)
	var banner strings.Builder
	urlRE := regexp.MustCompile(`serving on (http://\S+)`)
	deadline := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	var base string
	for base == "" && lines.Scan() {
		banner.WriteString(lines.Text() + "\n")
		if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("server did not start:\n%s\n%s", banner.String(), stderr.String())
	}
	rest := &bytes.Buffer{}
	go io.Copy(rest, stdout)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/readyz not 200 within 60 s:\n%s", stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return &served{base: base, cmd: cmd, banner: banner.String(), out: rest}
}

func (s *served) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}
}

// assertNoPostgresFor fails if a postgres process still serves dataDir.
func assertNoPostgresFor(t *testing.T, dataDir string) {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if bytes.Contains(cmdline, []byte("postgres")) && bytes.Contains(cmdline, []byte(dataDir)) {
			t.Fatalf("stray postgres process %s: %s", e.Name(), bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
}
