package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/jobs"
	"github.com/recouvra/recouvra/internal/localpg"
	"github.com/recouvra/recouvra/internal/postgres"
)

// Migrate brings the whole schema up to date: the application's migrations,
// then the job queue's tables. Every command that migrates calls it, so a
// database the schema check calls current always has both.
func Migrate(ctx context.Context, m *postgres.Migrator, db *postgres.DB) (int, error) {
	n, err := m.Up(ctx)
	if err != nil {
		return n, err
	}
	return n, jobs.Migrate(ctx, db.Pool)
}

// localDatabaseName is the database created in the private cluster.
const localDatabaseName = "recouvra"

// Database is an open connection pool and, when no URL was configured, the
// private development cluster behind it.
type Database struct {
	*postgres.DB
	cluster *localpg.Cluster
}

// OpenDatabase connects to cfg.DatabaseURL or, when it is empty, starts (or
// reuses) a private cluster under DataDir/postgres and says so on notice.
func OpenDatabase(ctx context.Context, cfg config.Config, logger *slog.Logger, notice io.Writer) (*Database, error) {
	url := cfg.DatabaseURL
	var cluster *localpg.Cluster
	if url == "" {
		var err error
		cluster, err = localpg.Start(ctx, localpg.Options{
			Dir:  filepath.Join(cfg.DataDir, "postgres"),
			Logf: func(format string, args ...any) { logger.Debug(fmt.Sprintf(format, args...)) },
		})
		if err != nil {
			return nil, fmt.Errorf("private development database: %w", err)
		}
		if err := cluster.EnsureDatabase(ctx, localDatabaseName); err != nil {
			_ = cluster.Stop(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("private development database: %w", err)
		}
		fmt.Fprintf(notice, "Using the %s — set RECOUVRA_DATABASE_URL to use another.\n", cluster.Where())
		url = cluster.URL(localDatabaseName)
	}
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: cfg.DBMaxConns, Logger: logger})
	if err != nil {
		if cluster != nil {
			_ = cluster.Stop(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	return &Database{DB: db, cluster: cluster}, nil
}

// Close closes the pool, then stops the private cluster if this process
// started it.
func (d *Database) Close(ctx context.Context) error {
	d.DB.Close()
	if d.cluster != nil {
		return d.cluster.Stop(ctx)
	}
	return nil
}
