package recouvra

import (
	"testing"

	"github.com/google/uuid"
)

func TestScopeSeesEvent(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	shared := Event{CreditorID: a, Visibility: Shared}
	internal := Event{CreditorID: a, Visibility: Internal}
	other := Event{CreditorID: b, Visibility: Shared}
	creditor := Principal{Role: RoleCreditor, CreditorID: &a}.Scope()
	orphan := Principal{Role: RoleCreditor}.Scope() // a creditor user without creditor
	for _, c := range []struct {
		name  string
		scope Scope
		e     Event
		want  bool
	}{
		{"staff, shared", AllCreditors, shared, true},
		{"staff, internal", AllCreditors, internal, true},
		{"staff, another creditor's", AllCreditors, other, true},
		{"agent", Principal{Role: RoleAgent}.Scope(), internal, true},
		{"creditor, own shared", creditor, shared, true},
		{"creditor, own internal", creditor, internal, false},
		{"creditor, another creditor's", creditor, other, false},
		{"creditor without creditor", orphan, shared, false},
	} {
		if got := c.scope.Sees(c.e); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
