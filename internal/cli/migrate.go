package cli

import (
	"context"
	"fmt"

	"github.com/recouvra/recouvra/internal/server"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usageError{"say up, down or status"}
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("migrate "+sub, env)
	to := fs.Int64("to", -1, "with down: roll back every migration above this version (0 = all)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch sub {
	case "up", "status":
		if *to != -1 {
			return usageError{"--to goes with down only"}
		}
	case "down":
	default:
		return usageError{fmt.Sprintf("unknown action %q: say up, down or status", sub)}
	}

	sess, err := openSession(ctx, env, env.Stdout)
	if err != nil {
		return err
	}
	defer sess.db.Close(context.WithoutCancel(ctx))
	m := sess.migrator
	switch sub {
	case "up":
		n, err := server.Migrate(ctx, m, sess.db.DB)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d migration(s) applied.\n", n)
	case "down":
		n, err := m.Down(ctx, *to)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d migration(s) rolled back.\n", n)
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(env.Stdout, "%05d  %-8s %s\n", s.Version, state, s.Name)
		}
	}
	return nil
}
