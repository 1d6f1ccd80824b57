package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrationLock is the advisory lock key under which PostgreSQL migrations
// run, so processes starting together apply each step once. ('mwst')
const migrationLock = 0x6d777374

// migratePostgres is migrate on PostgreSQL: the same steps and
// schema_migrations table, applied on one connection holding
// migrationLock, each step in a transaction of its own.
func (db *DB) migratePostgres(ctx context.Context, ms []migration) (err error) {
	conn, err := db.wr.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrating: taking a connection: %w", err)
	}
	defer func() {
		// Closing the connection returns it to the pool; the session lock
		// goes with an explicit unlock (or with the session, if that fails).
		if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), pgVerbatim+"SELECT pg_advisory_unlock($1)", migrationLock); uerr != nil && err == nil {
			err = fmt.Errorf("migrating: releasing the migration lock: %w", uerr)
		}
		_ = conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, pgVerbatim+"SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("migrating: taking the migration lock: %w", err)
	}
	const create = pgVerbatim + `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		name       TEXT   COLLATE "C" NOT NULL,
		applied_at BIGINT NOT NULL)`
	if _, err := conn.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	known := ms[len(ms)-1].version
	var current sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if int(current.Int64) > known {
		return newerSchemaError(int(current.Int64), known)
	}
	for _, m := range ms {
		if m.version <= int(current.Int64) {
			continue
		}
		if err := db.applyPostgres(ctx, conn, m); err != nil {
			return fmt.Errorf("applying migration %s: %w", m.name, err)
		}
	}
	return nil
}

func (db *DB) applyPostgres(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// No arguments: pgx sends the file by the simple protocol, which
	// takes several statements.
	if _, err := tx.ExecContext(ctx, pgVerbatim+m.sql); err != nil {
		return fmt.Errorf("executing: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, toMillis(db.stamp())); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}
