package recouvra

import (
	"testing"

	"github.com/google/uuid"
)

// TestAccountantIsStaff: the accountant belongs to no creditor, sees every
// creditor's data (never a creditor's scope, never nothing) and has no
// notifications.
func TestAccountantIsStaff(t *testing.T) {
	if !RoleAccountant.Valid() || Role("comptable").Valid() {
		t.Fatal("accountant is the API value; comptable is only its French label")
	}
	p := Principal{Kind: PrincipalUser, UserID: uuid.Must(uuid.NewV7()), Role: RoleAccountant}
	if s := p.Scope(); s.CreditorID != nil || s.Denied() {
		t.Fatalf("the accountant's scope %+v, want every creditor", s)
	}
	if _, ok := NotificationsFor(p); ok {
		t.Fatal("the accountant has notifications")
	}
	a := uuid.Must(uuid.NewV7())
	for _, u := range []User{
		{Email: "compta@agence.fr", Name: "Nathalie Petit", Role: RoleAccountant, CreditorID: &a},
		{Email: "compta@agence.fr", Name: "Nathalie Petit", Role: RoleAccountant, CreditorID: nil},
	} {
		err := u.Validate()
		if (u.CreditorID != nil) != (err != nil) {
			t.Errorf("accountant with creditor %v: %v", u.CreditorID, err)
		}
	}
}
