package localpg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinariesNotFound(t *testing.T) {
	root := filepath.Join(t.TempDir(), "nonexistent")
	_, err := findBinaries(context.Background(), "", []string{root})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	want := "PostgreSQL server binaries (initdb, postgres) not found on PATH or in " + root +
		"/*/bin: install them with `apt-get install postgresql` (Debian/Ubuntu)"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

// fakeInstall creates dir with initdb and postgres scripts; postgres reports
// the given version.
func fakeInstall(t *testing.T, dir, version string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{
		"initdb":   "#!/bin/sh\nexit 1\n",
		"postgres": "#!/bin/sh\necho 'postgres (PostgreSQL) " + version + "'\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func dirs(bs []binaries) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.dir)
	}
	return out
}

func TestFindBinariesOrder(t *testing.T) {
	tmp := t.TempDir()
	onPath := filepath.Join(tmp, "bin")
	fakeInstall(t, onPath, "16.2")
	root := filepath.Join(tmp, "lib")
	for _, v := range []string{"15", "17", "9.6"} {
		fakeInstall(t, filepath.Join(root, v, "bin"), v+".1")
	}
	// Only initdb: not an installation.
	if err := os.MkdirAll(filepath.Join(root, "18", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "18", "bin", "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	// "" and "." are PATH entries for the current directory, never used.
	found, err := findBinaries(context.Background(), "::.:"+onPath+":"+filepath.Join(tmp, "missing"), []string{root})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{onPath, filepath.Join(root, "17", "bin"), filepath.Join(root, "15", "bin")}
	if got := dirs(found); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("found %v, want %v (PATH first, then newest; 9.6 too old)", got, want)
	}
	if found[0].major != 16 || found[1].major != 17 {
		t.Errorf("majors = %d, %d; want 16, 17", found[0].major, found[1].major)
	}

	// An existing cluster needs its own major version, not the newest.
	b, err := pick(found, 15, "/data")
	if err != nil || b.major != 15 {
		t.Errorf("pick(15) = %v, %v; want the 15 installation", b.dir, err)
	}
	if _, err := pick(found, 14, "/data"); err == nil || !strings.Contains(err.Error(), "created by PostgreSQL 14") {
		t.Errorf("pick(14) error = %v", err)
	}
}

func TestFindBinariesTooOld(t *testing.T) {
	tmp := t.TempDir()
	fakeInstall(t, filepath.Join(tmp, "bin"), "14.11")
	_, err := findBinaries(context.Background(), filepath.Join(tmp, "bin"), nil)
	if err == nil || errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), "PostgreSQL 15 or newer is required") || !strings.Contains(err.Error(), "version 14") {
		t.Fatalf("err = %v, want a too-old error", err)
	}
}

func TestParseMajor(t *testing.T) {
	for in, want := range map[string]int{
		"postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n": 15,
		"postgres (PostgreSQL) 17.2":                             17,
		"postgres (PostgreSQL) 18beta1":                          18,
	} {
		if got, err := parseMajor(in); err != nil || got != want {
			t.Errorf("parseMajor(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseMajor("bash: postgres: command not found"); err == nil {
		t.Error("parseMajor of garbage succeeded")
	}
}
