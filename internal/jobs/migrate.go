package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// pacingSchema is this package's own table, created after River's. Times
// are the database's: every process reads the same clock.
const pacingSchema = `CREATE TABLE IF NOT EXISTS markwatch_host_pacing (
	host    text COLLATE "C" PRIMARY KEY,
	next_at timestamptz NOT NULL
)`

// Migrate brings River's tables and the host pacing table up to date. It
// is idempotent, and processes starting together take turns: River's
// migrator does not lock, so Migrate holds an advisory lock around it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrating the job queue: taking a connection: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, 0)", migrateLockClass); err != nil {
		destroy(conn) // it may hold the lock
		return fmt.Errorf("migrating the job queue: waiting for other migrations: %w", err)
	}
	err = migrate(ctx, pool, conn)
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, 0)", migrateLockClass); uerr != nil {
		destroy(conn) // the lock goes with the session
	} else {
		conn.Release()
	}
	return err
}

func migrate(ctx context.Context, pool *pgxpool.Pool, conn *pgxpool.Conn) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("migrating the job queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating River's tables: %w", err)
	}
	if _, err := conn.Exec(ctx, pacingSchema); err != nil {
		return fmt.Errorf("creating markwatch_host_pacing: %w", err)
	}
	return nil
}
