package localpg

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCanTraverse(t *testing.T) {
	a := &account{name: "pg", uid: 100, gid: 200, groups: []uint32{300}}
	for _, tc := range []struct {
		uid, gid uint32
		mode     fs.FileMode
		want     bool
	}{
		{100, 0, 0o700, true},
		{100, 0, 0o077, false}, // the owner class decides, even if others may
		{0, 200, 0o750, true},
		{0, 300, 0o710, true}, // supplementary group
		{0, 200, 0o705, false},
		{0, 0, 0o701, true},
		{0, 0, 0o770, false},
	} {
		if got := a.canTraverse(tc.uid, tc.gid, tc.mode); got != tc.want {
			t.Errorf("canTraverse(uid %d, gid %d, %v) = %v, want %v", tc.uid, tc.gid, tc.mode, got, tc.want)
		}
	}
}

// TestEnsureTraversable uses an account that matches no real user, so the
// private directory we own must be opened up to "others".
func TestEnsureTraversable(t *testing.T) {
	top := filepath.Join(t.TempDir(), "private")
	dir := filepath.Join(top, "sub", "pg")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(top, 0o700|fs.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	var logged []string
	logf := func(format string, args ...any) { logged = append(logged, format) }
	a := &account{name: "nobody-here", uid: 4242424, gid: 4242424}
	if err := a.ensureTraversable(dir, logf); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(top)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0o701 | fs.ModeSetgid; fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != want {
		t.Errorf("mode of %s = %v, want %v", top, fi.Mode(), want)
	}
	if len(logged) == 0 || !strings.Contains(logged[0], "chmod o+x") {
		t.Errorf("no chmod logged: %q", logged)
	}

	// A nil account (not root) changes nothing.
	if err := (*account)(nil).ensureTraversable(dir, logf); err != nil {
		t.Fatal(err)
	}
}
