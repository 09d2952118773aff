//go:build unix

package server

import (
	"log/slog"
	"sync"
	"syscall"
)

var fileLimitOnce sync.Once

// raiseFileLimit lifts the process's open-file limit (RLIMIT_NOFILE) to its
// hard limit, once per process, and logs the limit: every live stream is
// a socket. Go raises the soft limit by itself on most systems; this says
// so, and does it where it did not. The hard limit is the system's (ulimit
// -Hn, systemd LimitNOFILE=).
func raiseFileLimit(logger *slog.Logger) {
	fileLimitOnce.Do(func() {
		if logger == nil {
			return
		}
		var l syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			logger.Warn("open-file limit unknown", "error", err)
			return
		}
		before := l.Cur
		if l.Cur < l.Max {
			l.Cur = l.Max
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
				logger.Warn("open-file limit not raised", "soft", before, "hard", l.Max, "error", err)
				return
			}
		}
		logger.Info("open-file limit", "soft", l.Cur, "hard", l.Max, "was", before)
	})
}
