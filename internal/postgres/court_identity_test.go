package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCourtIdentityRoundTrips: the creditor's identity for court filings
// (CPC 57, 1407) and a user's bar (CPC 416) are written and read back as
// entered, an unset date of birth staying unset (NULL), through insert,
// update and the creditor's own scope (row security, 00003).
func TestCourtIdentityRoundTrips(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	store := postgres.NewStore(db)
	now := time.Now().UTC().Truncate(time.Microsecond)

	c := recouvra.Creditor{ID: uuid.Must(uuid.NewV7()), LegalName: "Henri Blanc", CreatedAt: now, UpdatedAt: now,
		CreditorDetails: recouvra.CreditorDetails{
			Address: recouvra.Address{Line1: "3 place Bellecour", PostalCode: "69002", City: "Lyon", Country: "FR"},
			Mandate: recouvra.Mandate{NoticeDeadlineDays: 8, LegalStatus: recouvra.StatusIndividual},
			Identity: recouvra.Identity{Profession: "retraité", Nationality: "française",
				BornOn: recouvra.MustDate("1951-04-12"), BornIn: "Villeurbanne (69)"},
		}}
	if err := store.InsertCreditor(ctx, &c); err != nil {
		t.Fatal(err)
	}
	read := func(scope recouvra.Scope) recouvra.Creditor {
		t.Helper()
		var got recouvra.Creditor
		if err := store.Scoped(ctx, scope, func(r app.Repo) error {
			var err error
			got, err = r.CreditorByID(ctx, scope, c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	own := recouvra.Principal{Role: recouvra.RoleCreditor, CreditorID: &c.ID}.Scope()
	for _, scope := range []recouvra.Scope{recouvra.AllCreditors, own} {
		if got := read(scope); got.Identity != c.Identity {
			t.Fatalf("inserted %+v, read %+v", c.Identity, got.Identity)
		}
	}

	// A company now: the person's fields cleared, the date back to NULL.
	c.Mandate.LegalStatus = recouvra.StatusBusiness
	c.Identity = recouvra.Identity{LegalForm: "SAS", Registry: "RCS Lyon", RepresentativeName: "Jeanne Dupont", RepresentativeTitle: "présidente"}
	if err := store.UpdateCreditor(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if got := read(recouvra.AllCreditors); got.Identity != c.Identity || !got.Identity.BornOn.IsZero() {
		t.Fatalf("updated to %+v, read %+v", c.Identity, got.Identity)
	}
	var bornOnIsNull bool
	if err := db.Pool.QueryRow(ctx, "SELECT born_on IS NULL FROM creditors WHERE id = $1", c.ID).Scan(&bornOnIsNull); err != nil || !bornOnIsNull {
		t.Fatalf("born_on IS NULL = %v, %v", bornOnIsNull, err)
	}

	u := recouvra.User{ID: uuid.Must(uuid.NewV7()), Email: "avocat@cabinet.test", Name: "Maître Durand", Role: recouvra.RoleLawyer,
		Active: true, Bar: "Barreau de Lyon", CreatedAt: now, UpdatedAt: now}
	if err := store.InsertUser(ctx, &u, "x"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.UserByID(ctx, u.ID); err != nil || got.Bar != "Barreau de Lyon" {
		t.Fatalf("inserted bar %q, read %q (%v)", u.Bar, got.Bar, err)
	}
	u.Bar = ""
	if err := store.UpdateUser(ctx, &u, nil); err != nil {
		t.Fatal(err)
	}
	if got, _, err := store.UserByEmail(ctx, u.Email); err != nil || got.Bar != "" {
		t.Fatalf("cleared bar, read %q (%v)", got.Bar, err)
	}
	u.Bar = "Barreau de Paris"
	if err := store.UpdateUser(ctx, &u, nil); err != nil {
		t.Fatal(err)
	}
	if list, err := store.ListUsers(ctx, nil, 10); err != nil || len(list) != 1 || list[0].Bar != "Barreau de Paris" {
		t.Fatalf("listed %+v (%v)", list, err)
	}
}
