package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

func runUser(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"say: user create --email E --role R [--creditor-id ID] [--name N] [--bar B]"}
	}
	fs := newFlags("user create", env)
	email := fs.String("email", "", "e-mail address (sign-in name)")
	role := fs.String("role", "", "admin, agent, lawyer, accountant or creditor")
	creditorID := fs.String("creditor-id", "", "the creditor a creditor user belongs to")
	name := fs.String("name", "", "display name (default: the e-mail's local part)")
	bar := fs.String("bar", "", `the bar of an avocat, e.g. "Barreau de Lyon" (files without a special power, CPC 416)`)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	in := app.NewUser{Email: *email, Name: *name, Role: recouvra.Role(*role), Bar: *bar}
	if in.Name == "" {
		in.Name, _, _ = strings.Cut(*email, "@")
	}
	if *creditorID != "" {
		id, err := uuid.Parse(*creditorID)
		if err != nil {
			return fmt.Errorf("--creditor-id: %q is not a UUID", *creditorID)
		}
		in.CreditorID = &id
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	in.Password = password

	sess, err := openSession(ctx, env, env.Stderr)
	if err != nil {
		return err
	}
	defer sess.db.Close(context.WithoutCancel(ctx))
	if sess.cfg.MigrateOnStart {
		if _, err := server.Migrate(ctx, sess.migrator, sess.db.DB); err != nil {
			return err
		}
	}
	svc, err := server.NewService(sess.db.DB, sess.cfg, nil, nil)
	if err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, app.System, in, app.Meta{ClientIP: "local", UserAgent: "recouvra user create"})
	if err != nil {
		return describe(err)
	}
	if u.Bar != "" {
		fmt.Fprintf(env.Stdout, "Created %s %s (%s, %s), id %s.\n", u.Role, u.Email, u.Name, u.Bar, u.ID)
		return nil
	}
	fmt.Fprintf(env.Stdout, "Created %s %s (%s), id %s.\n", u.Role, u.Email, u.Name, u.ID)
	return nil
}

// readPassword takes RECOUVRA_PASSWORD, else the first line of standard
// input — never a flag, which would end up in the shell's history.
func readPassword(env Env) (string, error) {
	for _, kv := range env.Environ {
		if v, ok := strings.CutPrefix(kv, "RECOUVRA_PASSWORD="); ok && v != "" {
			return v, nil
		}
	}
	if env.Stdin == nil {
		return "", errors.New("no password: set RECOUVRA_PASSWORD or write it on standard input")
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: set RECOUVRA_PASSWORD or write it on standard input")
	}
	return line, nil
}

// describe spells out a domain error with its field errors for a terminal.
func describe(err error) error {
	var e *recouvra.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		name := "--" + strings.ReplaceAll(f.Field, "_", "-")
		if f.Field == "password" {
			name = "password"
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, f.Message)
	}
	return errors.New(b.String())
}
