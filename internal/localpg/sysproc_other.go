//go:build unix && !linux

package localpg

import "syscall"

// serverSysProcAttr returns the process attributes for the postgres server;
// see the Linux version. Other systems have no parent-death signal, so there
// a server can outlive a process that dies without calling Stop (the next
// Start then reuses it).
func serverSysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Setpgid:    true,
	}
}
