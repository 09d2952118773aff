package demo_test

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

// TestDemoCreditorsCanBeNamedInCourt: every demo creditor carries the
// identity an injunction request prints (CPC 57, 1407) — the companies
// their legal form, register and representative, the landlord his
// profession, nationality, birth date and place — and the agency's juriste
// is no avocat (no bar: the agency files with a special power, CPC 416);
// the generated creditors of the bulk load are complete as well.
func TestDemoCreditorsCanBeNamedInCourt(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	clock := demo.NewClock(time.Now().UTC())
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	svc, err := server.NewService(db, cfg, &credential.Params{Memory: 64, Time: 1, Threads: 1}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := &demo.Seeder{Svc: svc, Clock: clock, Out: io.Discard, Rand: rand.New(rand.NewPCG(1, 2))}
	res, err := s.Agency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	individuals := 0
	for _, id := range res.Creditors {
		c, err := svc.GetCreditor(ctx, app.System, id)
		if err != nil {
			t.Fatal(err)
		}
		if missing := c.FilingIdentityMissing(); len(missing) > 0 {
			t.Errorf("%s: %+v", c.LegalName, missing)
		}
		if c.Mandate.LegalStatus == recouvra.StatusIndividual {
			individuals++
		} else if c.Identity.Registry == "" || c.Identity.Registry != "RCS "+c.Address.City && c.Address.City != "Lille" {
			t.Errorf("%s in %s registered at %q", c.LegalName, c.Address.City, c.Identity.Registry)
		}
	}
	if individuals != 1 {
		t.Errorf("%d individual creditors, want the landlord", individuals)
	}
	// The generated creditors of `recouvra demo --cases N` too.
	if err := s.Bulk(ctx, db, 10); err != nil {
		t.Fatal(err)
	}
	page, err := svc.ListCreditors(ctx, app.System, app.PageRequest{Limit: 200})
	if err != nil || len(page.Items) < 200 {
		t.Fatalf("%d creditors, %v", len(page.Items), err)
	}
	for _, c := range page.Items {
		if missing := c.FilingIdentityMissing(); len(missing) > 0 {
			t.Errorf("%s: %+v", c.LegalName, missing)
		}
	}
	users, err := svc.ListUsers(ctx, app.System, app.PageRequest{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Items {
		if u.Bar != "" {
			t.Errorf("%s (%s) has bar %q", u.Email, u.Role, u.Bar)
		}
	}
}
