// Package archtest holds the architecture's import rules as a test: the
// domain depends on nothing but the standard library, uuid and ident; only
// internal/httpapi speaks HTTP through gin; only internal/postgres speaks
// SQL, apart from the few infrastructure packages listed below with why;
// only internal/mail speaks SMTP.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/recouvra/recouvra"

// pkg is what the rules need of a package: `go list` fields.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string // of its non-test files
}

// exception lets importer (and the packages under it) import what a rule
// forbids, when the import starts with prefix; reason says why.
type exception struct {
	importer, prefix, reason string
}

// rule forbids imports starting with one of forbidden outside its
// exceptions.
type rule struct {
	name       string
	forbidden  []string
	exceptions []exception
}

var rules = []rule{
	{
		name:      "gin only in internal/httpapi",
		forbidden: []string{"github.com/gin-gonic/", "github.com/gin-contrib/"},
		exceptions: []exception{
			{module + "/internal/httpapi", "github.com/", "the HTTP adapter: routes, gate, handlers (oapi: generated from the contract)"},
		},
	},
	{
		name:      "SQL only in internal/postgres",
		forbidden: []string{"gorm.io/", "database/sql", "github.com/jackc/", "github.com/lib/pq"},
		exceptions: []exception{
			{module + "/internal/postgres", "", "the persistence adapter: every query of the application"},
			{module + "/internal/recouvra", "database/sql/driver", "Date implements driver.Valuer and sql.Scanner so that rows hold it as is; the interfaces only, no connection"},
			{module + "/internal/localpg", "github.com/jackc/pgx/", "the private development cluster: waits for it and creates its databases"},
			{module + "/internal/pgtest", "github.com/jackc/pgx/", "test databases: creates and drops them on the cluster"},
			{module + "/internal/jobs", "github.com/jackc/pgx/", "River runs on a pgx pool and enqueues in a pgx.Tx"},
			{module + "/internal/server", "github.com/jackc/pgx/", "wiring: hands the jobs' pgx.Tx enqueue function to the use cases"},
			{module + "/internal/demo", "github.com/jackc/pgx/", "bulk demo data through COPY (pgx CopyFrom), a million rows in seconds"},
		},
	},
	{
		name:      "SMTP only in internal/mail",
		forbidden: []string{"github.com/wneessen/go-mail", "github.com/emersion/"},
		exceptions: []exception{
			{module + "/internal/mail", "", "the e-mail adapter: sends through go-mail, catches mail locally with go-smtp; the use cases see only app.Mailer"},
		},
	},
}

// domainAllowed are the only packages outside the standard library that the
// domain may depend on, directly or not.
var domainAllowed = []string{"github.com/google/uuid", module + "/internal/ident"}

const domain = module + "/internal/recouvra"

// under reports whether path is pkg or a package below it.
func under(path, pkg string) bool {
	return path == pkg || strings.HasPrefix(path, pkg+"/")
}

// violations checks the module's packages, found in pkgs with all their
// dependencies, against the rules.
func violations(pkgs []pkg) []string {
	byPath := map[string]pkg{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, p := range pkgs {
		if !under(p.ImportPath, module) {
			continue
		}
		for _, imp := range p.Imports {
			for _, r := range rules {
				if forbiddenBy(r, p.ImportPath, imp) {
					out = append(out, fmt.Sprintf("%s imports %s (%s)", p.ImportPath, imp, r.name))
				}
			}
		}
	}
	// The domain, transitively: walk its imports.
	seen := map[string]bool{}
	var walk func(path string, via []string)
	walk = func(path string, via []string) {
		if seen[path] || path == "C" { // "C": cgo, not a package
			return
		}
		seen[path] = true
		p, ok := byPath[path]
		if !ok {
			out = append(out, fmt.Sprintf("%s: not listed by go list", path))
			return
		}
		if path != domain && !p.Standard && !slices.Contains(domainAllowed, path) {
			out = append(out, fmt.Sprintf("the domain depends on %s (via %s)", path, strings.Join(via, " → ")))
			return
		}
		for _, imp := range p.Imports {
			walk(imp, append(via[:len(via):len(via)], path))
		}
	}
	if _, ok := byPath[domain]; ok {
		walk(domain, nil)
	} else {
		out = append(out, domain+": not listed by go list")
	}
	slices.Sort(out)
	return out
}

func forbiddenBy(r rule, importer, imp string) bool {
	hit := false
	for _, f := range r.forbidden {
		hit = hit || strings.HasPrefix(imp, f)
	}
	if !hit {
		return false
	}
	for _, e := range r.exceptions {
		if under(importer, e.importer) && strings.HasPrefix(imp, e.prefix) {
			return false
		}
	}
	return true
}

// modulePackages lists the module's packages and all their dependencies.
func modulePackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := modulePackages(t)
	ours := 0
	for _, p := range pkgs {
		if under(p.ImportPath, module) {
			ours++
		}
	}
	if ours < 15 {
		t.Fatalf("go list found %d packages of the module: not the whole module", ours)
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestImportRulesCatch proves the checker fails on each kind of breach, and
// accepts the exceptions it lists.
func TestImportRulesCatch(t *testing.T) {
	std := func(path string) pkg { return pkg{ImportPath: path, Standard: true} }
	lib := func(path string, imports ...string) pkg { return pkg{ImportPath: path, Imports: imports} }
	base := []pkg{
		std("fmt"), std("database/sql"), std("database/sql/driver"),
		lib("github.com/google/uuid", "fmt"), lib(module+"/internal/ident", "fmt"),
		lib("github.com/gin-gonic/gin", "fmt"), lib("gorm.io/gorm", "database/sql"), lib("github.com/jackc/pgx/v5", "fmt"),
		lib("github.com/shopspring/decimal", "fmt"),
		lib(domain, "fmt", "github.com/google/uuid", module+"/internal/ident", "database/sql/driver"),
		lib(module+"/internal/httpapi", "github.com/gin-gonic/gin", domain),
		lib(module+"/internal/httpapi/oapi", "github.com/gin-gonic/gin"),
		lib(module+"/internal/postgres", "gorm.io/gorm", "github.com/jackc/pgx/v5", "database/sql"),
		lib(module+"/internal/jobs", "github.com/jackc/pgx/v5"),
	}
	if v := violations(base); len(v) != 0 {
		t.Fatalf("the allowed layout is refused: %v", v)
	}
	cases := []struct {
		name  string
		extra []pkg
		want  string
	}{
		{"gin in the use cases", []pkg{lib(module+"/internal/app", "github.com/gin-gonic/gin")}, "internal/app imports github.com/gin-gonic/gin"},
		{"gorm in the use cases", []pkg{lib(module+"/internal/app", "gorm.io/gorm")}, "internal/app imports gorm.io/gorm"},
		{"database/sql in the HTTP adapter", []pkg{lib(module+"/internal/httpapi/x", "database/sql")}, "internal/httpapi/x imports database/sql"},
		{"pgx in a command", []pkg{lib(module+"/cmd/recouvra", "github.com/jackc/pgx/v5")}, "cmd/recouvra imports github.com/jackc/pgx/v5"},
		{"gorm in jobs (only pgx is excepted)", []pkg{lib(module+"/internal/jobs/x", "gorm.io/gorm")}, "internal/jobs/x imports gorm.io/gorm"},
		{"database/sql in the domain (only driver is excepted)", []pkg{lib(domain+"/sub", "database/sql")}, "internal/recouvra/sub imports database/sql"},
		{"gin in postgres", []pkg{lib(module+"/internal/postgres/y", "github.com/gin-gonic/gin")}, "internal/postgres/y imports github.com/gin-gonic/gin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := violations(append(slices.Clone(base), c.extra...))
			if len(v) != 1 || !strings.Contains(v[0], c.want) {
				t.Fatalf("want one violation %q, got %v", c.want, v)
			}
		})
	}
	// The domain, directly and through a dependency.
	direct := slices.Clone(base)
	for i := range direct {
		if direct[i].ImportPath == domain {
			direct[i].Imports = append(slices.Clone(direct[i].Imports), "github.com/shopspring/decimal")
		}
	}
	if v := violations(direct); len(v) != 1 || !strings.Contains(v[0], "the domain depends on github.com/shopspring/decimal") {
		t.Fatalf("a direct dependency of the domain: %v", v)
	}
	indirect := slices.Clone(base)
	for i := range indirect {
		if indirect[i].ImportPath == module+"/internal/ident" {
			indirect[i].Imports = []string{"github.com/shopspring/decimal"}
		}
	}
	if v := violations(indirect); len(v) != 1 || !strings.Contains(v[0], "via "+domain+" → "+module+"/internal/ident") {
		t.Fatalf("an indirect dependency of the domain: %v", v)
	}
}
