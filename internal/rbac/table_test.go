package rbac_test

import (
	"os"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/rbac"
)

// TestREADMERoleTableIsGenerated fails when README.md's role table is not
// what the shipped policy produces: change configs/rbac_policy.csv (or the
// rows in table.go), then `go generate ./internal/rbac`.
func TestREADMERoleTableIsGenerated(t *testing.T) {
	p, err := rbac.Load()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := rbac.ReplaceTable(string(readme), rbac.RoleTable(p))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Fatalf("README.md's role table differs from configs/rbac_policy.csv: run `go generate ./internal/rbac`; it should read:\n%s", rbac.RoleTable(p))
	}
}

// TestRoleTableCoversPolicy fails when a policy line is shown by no row.
func TestRoleTableCoversPolicy(t *testing.T) {
	if lines := rbac.UnshownPolicyLines(configs.RBACPolicy); len(lines) > 0 {
		t.Fatalf("policy lines shown by no row of the README's role table (internal/rbac/table.go): %q", lines)
	}
	if got := rbac.UnshownPolicyLines("# comment\np, agent, secrets, read\np, admin, cases, read\n"); len(got) != 1 || got[0] != "p, agent, secrets, read" {
		t.Fatalf("an unknown permission must be reported, got %q", got)
	}
}

// TestRoleTableFollowsPolicy: the cells come from the policy, not from text:
// taking a line out of the policy changes the table.
func TestRoleTableFollowsPolicy(t *testing.T) {
	full, err := rbac.Load()
	if err != nil {
		t.Fatal(err)
	}
	const line = "p, agent, creditors, read\n"
	if !strings.Contains(configs.RBACPolicy, line) {
		t.Fatalf("the shipped policy no longer has %q; pick another line for this test", line)
	}
	less, err := rbac.New(configs.RBACModel, strings.Replace(configs.RBACPolicy, line, "", 1))
	if err != nil {
		t.Fatal(err)
	}
	row := func(table string) string {
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, "| remittance statements: produce / read |") {
				return l
			}
		}
		t.Fatalf("no remittance row in\n%s", table)
		return ""
	}
	if got := row(rbac.RoleTable(full)); got != "| remittance statements: produce / read | yes / all | no / all | no / all | no / all | no / its own |" {
		t.Errorf("shipped policy: %s", got)
	}
	if got := row(rbac.RoleTable(less)); got != "| remittance statements: produce / read | yes / all | no / no | no / all | no / all | no / its own |" {
		t.Errorf("without agents reading creditors: %s", got)
	}
}
