package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// The write probe passes on a working store and fails, as unavailable and
// saying why, on a store that can no longer write: its file overwritten by
// garbage, replaced, removed, or the database read-only. (Ping, which
// /readyz used alone, passes in most of them.)
func TestCheckWritable(t *testing.T) {
	sqliteOnly(t, "spoils the database file, its header and its connection modes")
	cases := []struct {
		name  string
		spoil func(t *testing.T, db *DB, path string)
		want  string
	}{
		{"working", func(*testing.T, *DB, string) {}, ""},
		{"overwritten by garbage", func(t *testing.T, db *DB, path string) {
			checkpoint(t, db)
			overwrite(t, path, []byte(strings.Repeat("河北老字号 衡水老白干 ", 400)))
		}, "not this store's database"},
		{"replaced by another file", func(t *testing.T, db *DB, path string) {
			junk := path + ".new"
			if err := os.WriteFile(junk, []byte("临城核桃 — 这不是数据库"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(junk, path); err != nil {
				t.Fatal(err)
			}
		}, "not this store's database"},
		{"removed", func(t *testing.T, db *DB, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "not this store's database"},
		{"read-only", func(t *testing.T, db *DB, path string) {
			// Root ignores file modes, so the connection itself is made
			// read-only, as a read-only mount or file would make it.
			if _, err := db.wr.Exec("PRAGMA query_only = ON"); err != nil {
				t.Fatal(err)
			}
		}, "readonly"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "markwatch.db")
			db, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.StartRun(ctx, "demo"); err != nil {
				t.Fatal(err)
			}
			c.spoil(t, db, path)
			if err := db.Ping(ctx); err != nil {
				t.Logf("Ping fails too: %v", err)
			}
			err = db.CheckWritable(ctx)
			if c.want == "" {
				if err != nil {
					t.Fatalf("CheckWritable on a working store: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckWritable passed on a store %s", c.name)
			}
			if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), c.want) {
				t.Errorf("CheckWritable = %v (code %q), want unavailable saying %q", err, domain.ErrorCode(err), c.want)
			}
		})
	}
}

// The probe leaves no trace: the store's contents and schema version are
// as before, however often it runs.
func TestCheckWritableChangesNothing(t *testing.T) {
	sqliteOnly(t, "the probe rewrites SQLite's header user_version")
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "markwatch.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var before, after, uv int
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&before); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.sql.QueryRow("PRAGMA user_version").Scan(&uv); err != nil || uv != 0 {
			t.Errorf("user_version %d after probes, want 0 (%v)", uv, err)
		}
	}()
	for range 3 {
		if err := db.CheckWritable(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&after); err != nil || after != before {
		t.Errorf("schema version %d after probes, was %d (%v)", after, before, err)
	}
	if runs, err := db.ListRuns(ctx, "", 10); err != nil || len(runs) != 0 {
		t.Errorf("runs after probes = %v, %v; want none", runs, err)
	}
}

func checkpoint(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.wr.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
}

// overwrite writes junk over the file in place, as a failing disk or a
// stray process would, keeping its inode and the store's descriptors.
func overwrite(t *testing.T, path string, junk []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(junk, 0); err != nil {
		t.Fatal(err)
	}
}
