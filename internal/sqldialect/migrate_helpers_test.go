package sqldialect

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/markwatch/markwatch/internal/pgtest"

	_ "modernc.org/sqlite" // the "sqlite" driver, for the SQLite side of the schema comparison
)

// schemaMigrations is the table the store records versions in, created by
// its Go code (store.migrate) before the first migration, in text both
// dialects take.
const schemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`

// migrationFiles are the .sql files of dir in version order.
func migrationFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("listing migrations in %s: %v (%d files)", dir, err, len(paths))
	}
	sort.Strings(paths)
	return paths
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// migratedPostgres is a connection to a fresh database of the shared
// cluster with ../store/migrations_postgres applied, each file in a
// transaction as the store will apply it.
func migratedPostgres(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := testContext(t)
	conn, err := pgx.Connect(ctx, pgtest.Shared(t).NewDatabase(t))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, schemaMigrations); err != nil {
		t.Fatalf("creating schema_migrations: %v", err)
	}
	for _, p := range migrationFiles(t, "../store/migrations_postgres") {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, string(body))
			return err
		})
		if err != nil {
			t.Fatalf("applying %s: %v", filepath.Base(p), err)
		}
	}
	return conn
}

// migratedSQLite is an in-memory SQLite database with ../store/migrations
// applied, foreign keys on as the store opens it.
func migratedSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: each in-memory connection is its own database
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schemaMigrations); err != nil {
		t.Fatalf("creating schema_migrations: %v", err)
	}
	for _, p := range migrationFiles(t, "../store/migrations") {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("applying %s: %v", filepath.Base(p), err)
		}
	}
	return db
}
