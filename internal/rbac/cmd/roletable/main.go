// Command roletable writes the role table of README.md from the shipped
// policy (configs/rbac_policy.csv), between the markers in
// internal/rbac/table.go. Run it with `go generate ./internal/rbac`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/rbac"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to update")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "roletable:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	if lines := rbac.UnshownPolicyLines(configs.RBACPolicy); len(lines) > 0 {
		return fmt.Errorf("policy lines shown by no row of the table (add them in internal/rbac/table.go): %q", lines)
	}
	p, err := rbac.Load()
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := rbac.ReplaceTable(string(old), rbac.RoleTable(p))
	if err != nil {
		return err
	}
	if out == string(old) {
		return nil
	}
	return os.WriteFile(path, []byte(out), 0o644)
}
