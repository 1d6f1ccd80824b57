package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	storeURL := "sqlite:" + filepath.Join(t.TempDir(), "sub", "dir", "m.db")
	if onPostgres() {
		storeURL = newStoreURL(t)
	}
	for i := range 2 {
		db, err := OpenURL(ctx, storeURL, Options{})
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		var n, v int
		if err := db.sql.QueryRow("SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		if n != SchemaVersion() || v != SchemaVersion() {
			t.Errorf("Open #%d: %d migrations recorded up to %d, want %d", i, n, v, SchemaVersion())
		}
		if err := db.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if db.Dialect() == dialectSQLite {
			var mode string
			if err := db.sql.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal_mode = %q, %v; want wal", mode, err)
			}
			var fk int
			if err := db.sql.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	storeURL := newStoreURL(t)
	db, err := OpenURL(ctx, storeURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A later markwatch would have recorded a version this binary lacks.
	future := SchemaVersion() + 1
	if _, err := db.wr.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 0)", future); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	_, err = OpenURL(ctx, storeURL, Options{})
	if err == nil {
		t.Fatal("Open accepted a database with a newer schema")
	}
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("code = %q, want %q (%v)", domain.ErrorCode(err), domain.ECONFLICT, err)
	}
	where := strings.TrimPrefix(storeURL, "sqlite:")
	if !strings.Contains(err.Error(), "newer than this markwatch knows") || !strings.Contains(err.Error(), where) {
		t.Errorf("error %q should name %s and say the schema is newer", err, where)
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	for _, path := range []string{"", "/tmp/a?b.db", "/tmp/a#b.db"} {
		if _, err := Open(context.Background(), path, Options{}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Open(%q) = %v, want an EINVALID error", path, err)
		}
	}
}

func TestMigrationsAreNumberedWithoutGaps(t *testing.T) {
	ms, err := loadMigrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].name != "0001_init.sql" {
		t.Fatalf("migrations = %v, want 0001_init.sql first", ms)
	}
	// The dialects' steps keep in step: one schema_migrations row means
	// the same step on both (docs/DISTRIBUTED.md).
	pg, err := loadMigrations(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(ms) {
		t.Fatalf("%d PostgreSQL migrations, %d SQLite ones", len(pg), len(ms))
	}
	for i := range ms {
		if pg[i].name != ms[i].name {
			t.Errorf("migration %d: PostgreSQL's is %s, SQLite's %s", i+1, pg[i].name, ms[i].name)
		}
	}
}
