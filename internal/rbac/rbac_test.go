package rbac_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/rbac"
)

func TestShippedPolicy(t *testing.T) {
	p, err := rbac.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		role, resource, action string
		want                   bool
	}{
		{"admin", "users", "write", true},
		{"agent", "users", "write", false},
		{"agent", "users", "read", false},
		{"creditor", "creditors", "read", true},
		{"creditor", "creditors", "write", false},
		{"lawyer", "api_keys", "read", false},
		{"creditor", "session", "logout", true},
		{"stranger", "session", "read", false},
		{"agent", "case_stage", "formal_notice", true},
		{"agent", "case_stage", "injunction", false},
		{"lawyer", "case_stage", "injunction", true},
		{"creditor", "case_event", "message", true},
		{"creditor", "case_event", "note", false},
		{"agent", "case_event", "note", true},
		{"lawyer", "cases", "create", false},
		// The accountant keeps the client account and nothing else.
		{"accountant", "remittance_runs", "write", true},
		{"accountant", "invoices", "write", true},
		{"accountant", "bank", "import", true},
		{"accountant", "payments", "write", true},
		{"accountant", "cases", "read", true},
		{"accountant", "cases", "transition", false},
		{"accountant", "case_stage", "closed", false},
		{"accountant", "cases", "log", false},
		{"accountant", "queue", "work", false},
		{"accountant", "audit", "read", false},
		{"accountant", "users", "write", false},
		{"accountant", "creditors", "write", false},
		{"accountant", "strategies", "write", false},
		{"accountant", "case_document", "injunction_packet", false},
	}
	for _, c := range cases {
		if got := p.Allowed(c.role, c.resource, c.action); got != c.want {
			t.Errorf("%s %s:%s = %v, want %v", c.role, c.resource, c.action, got, c.want)
		}
	}
	if !p.Covers("audit", "read") || p.Covers("audit", "write") {
		t.Error("Covers must tell mentioned from unmentioned resource:action pairs")
	}
}
