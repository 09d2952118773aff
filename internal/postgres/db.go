// Package postgres is Recouvra's persistence adapter: one pgx pool shared by
// gorm, database/sql users (goose) and direct pgx users (COPY, LISTEN). Only
// this package imports gorm; it maps rows to domain types and driver errors
// to domain errors.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// Row structs turn off gorm's automatic timestamps: the application
// sets created_at and updated_at from its own clock, in the same statement.

// DB bundles the three views of the one connection pool.
type DB struct {
	Pool *pgxpool.Pool // pgx-native work: COPY, LISTEN/NOTIFY, transactions with pgx.Tx
	SQL  *sql.DB       // database/sql view of Pool, for goose and friends
	Gorm *gorm.DB      // the ORM, on SQL
}

// Options tune Open.
type Options struct {
	MaxConns int32
	Logger   *slog.Logger
	// Tracer sees every statement sent (tests count them with it).
	Tracer pgx.QueryTracer
}

// Open connects to url, checks the server answers and is PostgreSQL 15 or
// later, and pins every session to UTC so timestamptz values read back as
// UTC instants.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	if opts.MaxConns > 0 {
		pcfg.MaxConns = opts.MaxConns
	}
	pcfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pcfg.ConnConfig.RuntimeParams["application_name"] = "recouvra"
	if opts.Tracer != nil {
		pcfg.ConnConfig.Tracer = opts.Tracer
	}
	pcfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerUUID(c.TypeMap()) // uuid_codec.go
		return nil
	}

	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var version int
	if err := pool.QueryRow(pingCtx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database unreachable (%s): %w", redact(pcfg), err)
	}
	if version < 150000 {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL 15 or later is required, the server is %d.%d", version/10000, version%10000)
	}

	sqlDB := stdlib.OpenDBFromPool(pool)
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	gdb, err := gorm.Open(gormpg.New(gormpg.Config{Conn: sqlDB}), &gorm.Config{
		Logger: quietLogger{Interface: gormlogger.NewSlogLogger(logger, gormlogger.Config{
			SlowThreshold:             slowQuery,
			LogLevel:                  gormlogger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never log values: they hold personal data
		})},
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true, // commands open their own transactions
		TranslateError:         true,
	})
	if err != nil {
		_ = sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return &DB{Pool: pool, SQL: sqlDB, Gorm: gdb}, nil
}

// slowQuery is the duration past which a statement is logged as slow.
const slowQuery = 250 * time.Millisecond

// quietLogger passes gorm's statement traces on only when they will be
// logged (an error, or a slow statement): gorm's slog logger builds the
// statement's text and formats its duration for every statement before
// deciding, which the hot paths' profile showed for nothing.
// At Info level (gorm's Debug()), every statement passes.
type quietLogger struct {
	gormlogger.Interface
	all bool
}

func (q quietLogger) LogMode(l gormlogger.LogLevel) gormlogger.Interface {
	return quietLogger{Interface: q.Interface.LogMode(l), all: l >= gormlogger.Info}
}

func (q quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if !q.all && (err == nil || errors.Is(err, gorm.ErrRecordNotFound)) && time.Since(begin) <= slowQuery {
		return
	}
	q.Interface.Trace(ctx, begin, fc, err)
}

// Close releases every connection.
func (db *DB) Close() {
	_ = db.SQL.Close()
	db.Pool.Close()
}

// redact describes where a config points without its password.
func redact(c *pgxpool.Config) string {
	cc := c.ConnConfig
	return fmt.Sprintf("host=%s port=%d database=%s user=%s", cc.Host, cc.Port, cc.Database, cc.User)
}
