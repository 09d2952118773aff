// Package cli is the recouvra command line: it parses arguments, loads the
// configuration and runs one subcommand. main only hands it the process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/server"
)

// Env is the process as the commands see it, so tests can run them in-process.
type Env struct {
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Environ []string
	// ReadFile reads the optional configuration file.
	ReadFile func(string) ([]byte, error)
	Version  string
}

// usageError makes Run print the usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the HTTP server (migrates first unless RECOUVRA_MIGRATE_ON_START=false)", runServe},
		{"migrate", "apply or roll back the schema: migrate up | down [--to N] | status", runMigrate},
		{"user", "create an account: user create --email E --role R [--creditor-id ID] [--name N]; password from RECOUVRA_PASSWORD or stdin", runUser},
		{"demo", "load a demonstration agency (idempotent); --cases N adds N generated cases for benchmarks", runDemo},
		{"version", "print the version", runVersion},
	}
}

// Run executes args (without the program name) and returns the exit code:
// 0 on success, 1 on failure, 2 on a usage error.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		if err == nil {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(env.Stderr, "recouvra %s: %s\n", c.name, ue.msg)
			}
			return 2
		}
		fmt.Fprintf(env.Stderr, "recouvra %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "recouvra: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: recouvra <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Configuration (environment, over the YAML file in RECOUVRA_CONFIG, default "+config.DefaultFile+"):")
	for _, k := range config.Keys() {
		fmt.Fprintf(w, "  %-27s %s\n", k[0], k[1])
	}
}

// loadConfig reads the configuration and builds the JSON logger on stderr.
func loadConfig(env Env) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(env.Environ, env.ReadFile)
	if err != nil {
		return config.Config{}, nil, err
	}
	logger := slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return cfg, logger, nil
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("recouvra "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	return nil
}

func runVersion(_ context.Context, env Env, args []string) error {
	fs := newFlags("version", env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "recouvra %s\n", env.Version)
	return nil
}

// session is what a database command works with.
type session struct {
	cfg      config.Config
	db       *server.Database
	migrator *postgres.Migrator
}

// openSession loads the configuration and opens the database — starting
// or reusing the private cluster when no URL is set, with its notice on
// notice. Close the database when done.
func openSession(ctx context.Context, env Env, notice io.Writer) (*session, error) {
	cfg, logger, err := loadConfig(env)
	if err != nil {
		return nil, err
	}
	db, err := server.OpenDatabase(ctx, cfg, logger, notice)
	if err != nil {
		return nil, err
	}
	m, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		_ = db.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return &session{cfg: cfg, db: db, migrator: m}, nil
}
