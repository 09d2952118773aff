package localpg

import "syscall"

// serverSysProcAttr returns the process attributes for the postgres server.
//
// Setpgid puts the server in its own process group, so that Ctrl-C in a
// terminal reaches only our process, which then stops the server in an
// orderly way after its own shutdown (the server dying first would fail the
// requests still being drained); it also lets Stop kill the server together
// with its backends as a last resort.
//
// Pdeathsig makes the kernel send SIGINT (fast shutdown) to the server when
// we die without calling Stop (crash, SIGKILL, go test timeout), so no stray
// server is left behind. The kernel clears this setting when the credentials
// change; Go sets it after switching to Credential, so it survives that.
func serverSysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGINT,
	}
}
