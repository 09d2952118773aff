package localpg

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// account is the OS user that initdb and postgres run as when it differs
// from ours. Both programs refuse to run as root (a server bug or SQL
// injection would otherwise own the machine), so when we are root, typically
// in a container, they run as the "postgres" system user instead. A nil
// *account means "run as the current user"; its methods accept that.
type account struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32 // supplementary groups, as a login as this user would get
}

// serverAccount returns the account to run the server as: nil unless we are
// root, the "postgres" user if we are.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, but PostgreSQL refuses to run as root and there is no \"postgres\" system user to run it as (%w): create one (installing the postgresql package does) or run as a non-root user", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user postgres has non-numeric uid %q", u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user postgres has non-numeric gid %q", u.Gid)
	}
	a := &account{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	gids, _ := u.GroupIds() // best effort: without them only the primary group applies
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			a.groups = append(a.groups, uint32(n))
		}
	}
	return a, nil
}

// credential is what exec needs to switch to the account in the child. An
// explicit (possibly empty) group list matters: leaving it out would let the
// server keep root's supplementary groups.
func (a *account) credential() *syscall.Credential {
	if a == nil {
		return nil
	}
	groups := a.groups
	if groups == nil {
		groups = []uint32{}
	}
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: groups}
}

// chown gives path to the account; a no-op when running as ourselves.
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	return os.Lchown(path, int(a.uid), int(a.gid))
}

// chownTree gives a whole tree to the account if its root is not already
// the account's. That repairs a data directory created by a different user
// (say, copied in by root); postgres refuses to open one it does not own.
func (a *account) chownTree(root string, logf func(string, ...any)) error {
	if a == nil {
		return nil
	}
	fi, err := os.Lstat(root)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == a.uid {
		return nil
	}
	logf("localpg: giving %s to user %s", root, a.name)
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return a.chown(path)
	})
}

// canTraverse reports whether the account may search (x) a directory with
// the given owner, group and mode, following the kernel's rule that only the
// first matching class (owner, then group, then other) counts.
func (a *account) canTraverse(uid, gid uint32, mode fs.FileMode) bool {
	switch {
	case uid == a.uid:
		return mode&0o100 != 0
	case gid == a.gid || slices.Contains(a.groups, gid):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// ensureTraversable makes sure the account can reach dir: the server
// chdirs into its data directory and creates its socket below dir, so every
// ancestor needs the x bit for it. The usual offender is a 0700 temporary
// directory made by root (os.MkdirTemp, t.TempDir). Adding o+x to such a
// directory we own lets others open files below it by name only if they
// already know the name and those files allow it; it does not let them list
// it. Directories owned by someone else are not ours to change, so those
// produce an error that says what to fix.
func (a *account) ensureTraversable(dir string, logf func(string, ...any)) error {
	if a == nil {
		return nil
	}
	euid := uint32(os.Geteuid())
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil // not a Unix file system view; nothing we can check
		}
		if !a.canTraverse(st.Uid, st.Gid, fi.Mode()) {
			if st.Uid != euid {
				return fmt.Errorf("user %s cannot enter %s (mode %v, owner uid %d), which PostgreSQL needs to reach %s: allow it (e.g. chmod o+x %s) or choose another directory",
					a.name, p, fi.Mode().Perm(), st.Uid, dir, p)
			}
			logf("localpg: chmod o+x %s so that user %s can reach %s", p, a.name, dir)
			// Keep setgid/sticky bits: Chmod sets all of them at once.
			keep := fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
			if err := os.Chmod(p, fi.Mode()&keep|0o001); err != nil {
				return err
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
