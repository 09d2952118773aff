package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockDir takes an exclusive flock on path, waiting (while ctx allows) for
// another process that holds it. Two processes starting on the same
// directory at once (two `make run`s) would otherwise both run initdb, or
// both start a postgres; with the lock the second one finds the first one's
// server running and reuses it.
//
// flock rather than the postmaster.pid that postgres maintains itself: that
// file only exists once a server is starting, so it cannot guard initdb, and
// its check-then-start is racy. The lock belongs to the open file, and Go
// opens files close-on-exec, so the postgres child does not inherit it and
// the lock is released when we call unlock or when our process dies.
func lockDir(ctx context.Context, path string, logf func(string, ...any)) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	logged := false
	for {
		// Non-blocking attempts in a loop, because a blocking flock
		// cannot be abandoned when ctx is cancelled.
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if !logged {
			logf("localpg: waiting for another process to finish starting PostgreSQL (lock %s)", path)
			logged = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for lock %s: %w", path, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
