package cli

import (
	"context"
	"fmt"

	"github.com/recouvra/recouvra/internal/server"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, logger, err := loadConfig(env)
	if err != nil {
		return err
	}
	srv, err := server.Start(ctx, cfg, server.Options{Logger: logger, Version: env.Version, Notice: env.Stdout, CatchMail: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Recouvra %s is serving on %s — API docs: %s/api/docs\n", env.Version, srv.URL(), srv.URL())
	logger.Info("serving", "addr", srv.Addr().String(), "version", env.Version)
	if empty, err := srv.Service().NeedsFirstAdmin(ctx); err == nil && empty {
		fmt.Fprintln(env.Stdout, "No account exists yet. Create the first admin with:\n"+
			"  RECOUVRA_PASSWORD='…' recouvra user create --email you@example.fr --role admin --name 'Your Name'")
	}
	// Wait returns after SIGINT/SIGTERM (ctx) once in-flight requests are done
	// and the private database has stopped.
	if err := srv.Wait(ctx); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Recouvra stopped.")
	return nil
}
