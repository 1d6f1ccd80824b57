package store

import (
	"database/sql"
	"fmt"
	"testing"
)

// buildOldDatabase writes at path a SQLite database at schema version, as
// that release left it, and then its rows (data): the starting point of a
// test that upgrades it.
func buildOldDatabase(t *testing.T, path string, version int, data ...string) {
	t.Helper()
	ms, err := loadMigrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	qs := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`}
	for _, m := range ms[:version] {
		qs = append(qs, m.sql, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '%s', 1700000000000)", m.version, m.name))
	}
	for _, q := range append(qs, data...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("building version %d: %v\n%s", version, err, q)
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
}
