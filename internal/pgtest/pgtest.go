// Package pgtest gives tests real PostgreSQL databases with no set-up by
// hand: one throwaway cluster per `go test` process (from the machine's
// server binaries, via localpg), one template database migrated once, and a
// fresh database per test cloned from that template in milliseconds.
//
// Each test package that uses it has:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// When PostgreSQL is not installed the tests fail with the install hint;
// they never skip.
package pgtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/jobs"
	"github.com/recouvra/recouvra/internal/localpg"
	"github.com/recouvra/recouvra/internal/postgres"
)

const templateName = "recouvra_template"

// harness is the process-wide cluster. It is a package variable on purpose:
// "one cluster per test process" is exactly what it models.
var harness struct {
	once    sync.Once
	cluster *localpg.Cluster
	dir     string
	err     error
	seq     atomic.Int64
}

// Main runs the package's tests and stops the cluster afterwards.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with clean-up of its own: it returns the exit
// code instead of exiting.
func Run(m *testing.M) int {
	code := m.Run()
	if harness.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := harness.cluster.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop cluster:", err)
		}
		cancel()
		_ = os.RemoveAll(harness.dir)
	}
	return code
}

// start boots the cluster and the migrated template, once per process.
func start() error {
	harness.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		dir, err := os.MkdirTemp("", "recouvra-pgtest-")
		if err != nil {
			harness.err = err
			return
		}
		harness.dir = dir
		c, err := localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true})
		if err != nil {
			harness.err = err
			return
		}
		harness.cluster = c
		harness.err = buildTemplate(ctx, c)
	})
	return harness.err
}

func buildTemplate(ctx context.Context, c *localpg.Cluster) error {
	if err := c.EnsureDatabase(ctx, templateName); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, c.URL(templateName), postgres.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close() // no connection may stay on a template while it is cloned
	m, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		return err
	}
	if _, err := m.Up(ctx); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return jobs.Migrate(ctx, db.Pool)
}

// URL creates a fresh, migrated database for t and returns its URL. The
// database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	if err := start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), harness.seq.Add(1))
	ctx := context.Background()
	if err := admin(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := admin(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return harness.cluster.URL(name)
}

// DB opens a fresh, migrated database for t; it is closed and dropped when
// the test ends.
func DB(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), URL(t), postgres.Options{MaxConns: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(db.Close) // registered after the drop, so it runs before it
	return db
}

// admin runs one statement on the maintenance database.
func admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, harness.cluster.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
