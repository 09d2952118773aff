// Package rbac decides what a role may do, with casbin, from the model and
// policy in configs/. It knows roles, resources and actions — not which
// creditor's data a caller may see, which the data layer decides.
package rbac

import (
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/recouvra/recouvra/configs"
)

// Policy answers "may this role do this action on this resource?".
type Policy struct {
	e *casbin.Enforcer
	// decisions memoizes Allowed: the policy never changes after New, and
	// the keys are bounded (roles × the spec's resource:action pairs), so a
	// request's check is a map read instead of casbin's matcher evaluation.
	decisions sync.Map // role "\x00" resource "\x00" action → bool
}

// Load reads the embedded model and policy.
func Load() (*Policy, error) { return New(configs.RBACModel, configs.RBACPolicy) }

// New builds a policy from a casbin model and CSV policy text.
func New(modelText, policyCSV string) (*Policy, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac model: %w", err)
	}
	// The string adapter does not skip comments or blank lines.
	var lines []string
	for _, l := range strings.Split(policyCSV, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(strings.Join(lines, "\n")))
	if err != nil {
		return nil, fmt.Errorf("rbac policy: %w", err)
	}
	return &Policy{e: e}, nil
}

// Allowed reports whether role may perform action on resource.
func (p *Policy) Allowed(role, resource, action string) bool {
	key := role + "\x00" + resource + "\x00" + action
	if ok, hit := p.decisions.Load(key); hit {
		return ok.(bool)
	}
	ok, err := p.e.Enforce(role, resource, action)
	allowed := err == nil && ok
	if err == nil {
		p.decisions.Store(key, allowed)
	}
	return allowed
}

// Covers reports whether any role may perform action on resource: a
// resource:action that no line mentions is almost surely a forgotten policy.
func (p *Policy) Covers(resource, action string) bool {
	for _, a := range []string{action, "*"} {
		if rules, err := p.e.GetFilteredPolicy(1, resource, a); err == nil && len(rules) > 0 {
			return true
		}
	}
	return false
}
