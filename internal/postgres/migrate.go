package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/recouvra/recouvra/migrations"
)

// Migrator applies the embedded SQL migrations with goose. An advisory lock
// keeps two processes (two instances starting at once) from migrating
// together; each file runs in its own transaction.
type Migrator struct {
	p *goose.Provider
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// NewMigrator prepares goose over db with the embedded migrations.
func NewMigrator(db *sql.DB, logger *slog.Logger) (*Migrator, error) {
	return newMigrator(db, migrations.FS, logger)
}

func newMigrator(db *sql.DB, fsys fs.FS, logger *slog.Logger) (*Migrator, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithSessionLocker(locker)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger), goose.WithVerbose(true))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{p: p}, nil
}

// Up applies every pending migration and returns how many ran.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	return len(res), nil
}

// Down rolls back the latest migration, or every migration above version
// `to` when to >= 0.
func (m *Migrator) Down(ctx context.Context, to int64) (int, error) {
	if to < 0 {
		if _, err := m.p.Down(ctx); err != nil {
			return 0, fmt.Errorf("migrate down: %w", err)
		}
		return 1, nil
	}
	res, err := m.p.DownTo(ctx, to)
	if err != nil {
		return len(res), fmt.Errorf("migrate down to %d: %w", to, err)
	}
	return len(res), nil
}

// Status lists every known migration.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// Current reports whether the schema has no pending migration.
func (m *Migrator) Current(ctx context.Context) (bool, error) {
	pending, err := m.p.HasPending(ctx)
	return !pending, err
}
