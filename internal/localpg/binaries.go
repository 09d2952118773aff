package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// debianRoot is where the Debian and Ubuntu postgresql-NN packages install the
// server binaries, one directory per major version. They deliberately do not
// put initdb and postgres on PATH (postgresql-common only wraps the client
// tools), so a plain PATH lookup fails on exactly the machines we care about.
const debianRoot = "/usr/lib/postgresql"

// minMajor is the oldest PostgreSQL major version we accept. Older servers
// lack things the application relies on, and initdb --no-instructions.
const minMajor = 15

// ErrNoBinaries is wrapped by the error Start returns when neither PATH nor
// the Debian install location holds the PostgreSQL server binaries, so that
// callers can tell "PostgreSQL is not installed" from other failures.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found")

// binaries is one installation of the PostgreSQL server programs.
type binaries struct {
	dir      string
	initdb   string
	postgres string
	major    int
}

// versionRE extracts the major version from `postgres --version`, e.g.
// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" or "... 18beta1".
var versionRE = regexp.MustCompile(`\(PostgreSQL\)\s+(\d+)`)

// findBinaries returns the usable (version >= minMajor) server installations
// in order of preference: directories of pathList (a $PATH value) in order,
// then roots[i]/*/bin, highest major version first. initdb and postgres must
// live in the same directory: mixing an initdb and a postgres of different
// versions produces a data directory the server refuses to open.
//
// pathList and roots are parameters rather than read from the environment so
// that tests can point them at empty or fake locations.
func findBinaries(ctx context.Context, pathList string, roots []string) ([]binaries, error) {
	var pathDirs, rootDirs []string
	for _, d := range filepath.SplitList(pathList) {
		// An empty or relative PATH entry means "relative to the current
		// directory"; running a server binary from there would be a
		// surprise at best, so only absolute entries count.
		if filepath.IsAbs(d) {
			pathDirs = append(pathDirs, d)
		}
	}
	for _, root := range roots {
		matches, _ := filepath.Glob(filepath.Join(root, "*", "bin"))
		rootDirs = append(rootDirs, matches...)
	}

	seen := make(map[string]bool)
	fromPath, oldPath, err := probe(ctx, pathDirs, seen)
	if err != nil {
		return nil, err
	}
	fromRoots, oldRoots, err := probe(ctx, rootDirs, seen)
	if err != nil {
		return nil, err
	}
	// PATH order is the user's choice and is kept; among the version
	// directories the newest wins.
	sort.SliceStable(fromRoots, func(i, j int) bool { return fromRoots[i].major > fromRoots[j].major })

	if found := append(fromPath, fromRoots...); len(found) > 0 {
		return found, nil
	}
	if tooOld := append(oldPath, oldRoots...); len(tooOld) > 0 {
		return nil, fmt.Errorf("PostgreSQL %d or newer is required, but only found %s: install a newer server, e.g. with `apt-get install postgresql` on a recent Debian/Ubuntu",
			minMajor, describe(tooOld))
	}
	var where []string
	for _, r := range roots {
		where = append(where, filepath.Join(r, "*", "bin"))
	}
	if len(where) == 0 {
		where = []string{"(no other location)"}
	}
	return nil, fmt.Errorf("%w on PATH or in %s: install them with `apt-get install postgresql` (Debian/Ubuntu)",
		ErrNoBinaries, strings.Join(where, " or "))
}

// probe returns the directories among dirs that hold both programs, split
// into usable ones and ones older than minMajor. seen (resolved paths of
// postgres programs already probed) is updated: /usr/local/bin/postgres is
// often a symlink into /usr/lib/postgresql/NN/bin, and one installation
// should not be listed twice.
func probe(ctx context.Context, dirs []string, seen map[string]bool) (usable, tooOld []binaries, err error) {
	for _, dir := range dirs {
		b := binaries{
			dir:      dir,
			initdb:   filepath.Join(dir, "initdb"),
			postgres: filepath.Join(dir, "postgres"),
		}
		if !isExecutable(b.initdb) || !isExecutable(b.postgres) {
			continue
		}
		real, err := filepath.EvalSymlinks(b.postgres)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		// A postgres that cannot even report its version is reported
		// rather than skipped: silently falling back to another
		// installation would hide a broken one the user put first.
		if b.major, err = postgresMajor(ctx, b.postgres); err != nil {
			return nil, nil, err
		}
		if b.major < minMajor {
			tooOld = append(tooOld, b)
		} else {
			usable = append(usable, b)
		}
	}
	return usable, tooOld, nil
}

// pick returns the installation to use for a data directory created by
// PostgreSQL dataMajor (0: no data directory yet, so the preferred one). A
// server only opens data directories of its own major version, so with an
// existing cluster the version must match rather than be the newest.
func pick(found []binaries, dataMajor int, dataDir string) (binaries, error) {
	if dataMajor == 0 {
		return found[0], nil
	}
	for _, b := range found {
		if b.major == dataMajor {
			return b, nil
		}
	}
	return binaries{}, fmt.Errorf("%s was created by PostgreSQL %d, but only %s is installed: install PostgreSQL %d (e.g. `apt-get install postgresql-%d`) or remove %s to start with an empty database",
		dataDir, dataMajor, describe(found), dataMajor, dataMajor, dataDir)
}

func describe(bs []binaries) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, fmt.Sprintf("version %d (%s)", b.major, b.postgres))
	}
	return strings.Join(parts, ", ")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// postgresMajor runs `postgres --version`. That is allowed as root: the
// server only refuses root once it gets past option parsing.
func postgresMajor(ctx context.Context, postgres string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, postgres, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("running %s --version: %w", postgres, err)
	}
	return parseMajor(string(out))
}

func parseMajor(versionOutput string) (int, error) {
	m := versionRE.FindStringSubmatch(versionOutput)
	if m == nil {
		return 0, fmt.Errorf("cannot parse PostgreSQL version from %q", strings.TrimSpace(versionOutput))
	}
	return strconv.Atoi(m[1])
}
