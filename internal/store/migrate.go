package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

//go:embed migrations/*.sql migrations_postgres/*.sql
var migrationFS embed.FS

// migrationDirs hold each dialect's migrations, numbered the same.
var migrationDirs = map[string]string{dialectSQLite: "migrations", dialectPostgres: "migrations_postgres"}

// migration is one embedded schema step, named NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded files in version order and checks that
// versions are 1..n without gaps, so a missing file fails the build's tests
// rather than a user's upgrade.
func loadMigrations(dialect string) ([]migration, error) {
	dir := migrationDirs[dialect]
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("reading embedded migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		prefix, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("reading embedded migrations: %s is not named NNNN_what.sql", name)
		}
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("reading embedded migrations: %s: version %q: %w", name, prefix, err)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("reading embedded migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("reading embedded migrations: expected version %d, found %s", i+1, m.name)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest schema version this binary knows.
func SchemaVersion() int {
	ms, err := loadMigrations(dialectSQLite)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies pending migrations, each in its own immediate transaction
// that re-reads the current version, so two processes starting together on
// one file apply each step once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(db.dialect)
	if err != nil {
		return err
	}
	if db.dialect == dialectPostgres {
		return db.migratePostgres(ctx, ms)
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`
	if _, err := db.wr.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	known := ms[len(ms)-1].version
	// Checked up front too so the refusal reads as what it is rather than as
	// a failed migration step.
	var current sql.NullInt64
	if err := db.wr.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if int(current.Int64) > known {
		return newerSchemaError(int(current.Int64), known)
	}
	for _, m := range ms {
		err := db.inTx(ctx, "applying migration "+m.name, func(tx *sql.Tx) error {
			current, err := currentVersion(ctx, tx)
			if err != nil {
				return err
			}
			if current > known {
				return newerSchemaError(current, known)
			}
			if current >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("executing: %w", err)
			}
			_, err = tx.ExecContext(ctx,
				"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, toMillis(db.stamp()))
			if err != nil {
				return fmt.Errorf("recording: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func currentVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return int(v.Int64), nil
}

func newerSchemaError(current, known int) error {
	return domain.Errorf(domain.ECONFLICT,
		"database schema version %d is newer than this markwatch knows (%d); upgrade markwatch or point it at another database",
		current, known)
}
