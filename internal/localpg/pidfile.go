package localpg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pidFile is what we use of the postmaster.pid file a running server keeps
// in its data directory. Its layout is fixed by PostgreSQL (see
// LOCK_FILE_LINE_* in src/include/utils/pidfile.h): one value per line.
type pidFile struct {
	pid        int
	port       int
	socketDir  string // first unix_socket_directories entry; "" if none
	listenAddr string // first listen_addresses entry; "" if none
}

func readPIDFile(path string) (pidFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	// Lines 1-4 are written before the server does anything else; the
	// socket and address lines are added as the listeners come up.
	if len(lines) < 4 {
		return pidFile{}, fmt.Errorf("%s: too short", path)
	}
	var pf pidFile
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil || pf.pid <= 0 {
		return pidFile{}, fmt.Errorf("%s: bad pid %q", path, lines[0])
	}
	if pf.port, err = strconv.Atoi(strings.TrimSpace(lines[3])); err != nil {
		return pidFile{}, fmt.Errorf("%s: bad port %q", path, lines[3])
	}
	if len(lines) > 4 {
		pf.socketDir = strings.TrimSpace(lines[4])
	}
	if len(lines) > 5 {
		pf.listenAddr = strings.TrimSpace(lines[5])
	}
	return pf, nil
}

// processExists reports whether a process with this pid exists, including
// one we may not signal (EPERM: another user's, e.g. postgres's when we are
// not root).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// looksLikePostgres reports whether pid is (probably) a postgres server
// rather than an unrelated process that was given a stale postmaster.pid's
// pid, which is common after a container restart: pids are small and reused
// in the same order. Where /proc is unavailable it answers yes and leaves
// the judgement to postgres itself.
func looksLikePostgres(pid int) bool {
	comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return true
	}
	name := strings.TrimSpace(string(comm))
	return name == "postgres" || name == "postmaster"
}
