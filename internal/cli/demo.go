package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/server"
)

func runDemo(ctx context.Context, env Env, args []string) error {
	fs := newFlags("demo", env)
	bulk := fs.Int("cases", 0, "also load this many generated cases with COPY (for benchmarks), e.g. 1000000")
	realistic := fs.Int("realistic", 300, "cases with simulated histories to create when the demo agency is new")
	seed := fs.Uint64("seed", 2026, "random seed: the same seed gives the same agency")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *bulk < 0 || *realistic < 0 {
		return usageError{"--cases and --realistic must not be negative"}
	}
	sess, err := openSession(ctx, env, env.Stdout)
	if err != nil {
		return err
	}
	defer sess.db.Close(context.WithoutCancel(ctx))
	if _, err := server.Migrate(ctx, sess.migrator, sess.db.DB); err != nil {
		return err
	}
	db := sess.db
	clock := demo.NewClock(time.Now().UTC())
	svc, err := server.NewService(db.DB, sess.cfg, nil, clock.Now)
	if err != nil {
		return err
	}
	if err := server.SeedRates(ctx, svc, nil); err != nil {
		return err
	}
	s := &demo.Seeder{Svc: svc, Clock: clock, Out: env.Stdout, Rand: rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15)),
		AgencyName: sess.cfg.Agency.Name}
	res, err := s.Agency(ctx)
	if err != nil {
		return err
	}
	if res.Created && *realistic > 0 {
		fmt.Fprintf(env.Stdout, "Creating the demo agency: %d cases with their histories…\n", *realistic)
		if err := s.Cases(ctx, res.Creditors, *realistic); err != nil {
			return err
		}
		// Remittances are paid from the agency's client account, and their
		// statements and invoices print its identity: without them
		// configured (agency_name, agency_address, agency_siren,
		// agency_iban) there are none to make.
		if sess.cfg.Agency.Name == "" || len(sess.cfg.Agency.Address) == 0 || sess.cfg.Agency.SIREN == "" || sess.cfg.Agency.IBAN == "" {
			fmt.Fprintln(env.Stdout, "No remittances: the agency's name, address, SIREN or client account are not configured (RECOUVRA_AGENCY_NAME, RECOUVRA_AGENCY_ADDRESS, RECOUVRA_AGENCY_SIREN, RECOUVRA_AGENCY_IBAN).")
		} else if err := s.Remittances(ctx, res.Creditors); err != nil {
			return err
		}
	} else if !res.Created {
		fmt.Fprintln(env.Stdout, "The demo agency is already loaded.")
	}
	if *bulk > 0 {
		fmt.Fprintf(env.Stdout, "Loading %d generated cases…\n", *bulk)
		if err := s.Bulk(ctx, db.DB, *bulk); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "\nDemo logins (password for all: %s):\n", demo.Password)
	for _, l := range res.Logins {
		fmt.Fprintf(env.Stdout, "  %-8s %-38s %s\n", l.Role, l.Email, l.Name)
	}
	return nil
}
