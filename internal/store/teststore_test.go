package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/pgtest"
)

// The store's tests are one suite for both dialects: with
// MARKWATCH_TEST_STORE=postgres every store they open is a fresh database
// of the package's shared PostgreSQL cluster, else a SQLite file in the
// test's temp dir. Tests about SQLite itself (its files, pragmas, locks)
// call sqliteOnly.
const testStoreEnv = "MARKWATCH_TEST_STORE"

func onPostgres() bool { return os.Getenv(testStoreEnv) == dialectPostgres }

// sqliteOnly skips t on PostgreSQL, saying why the test is SQLite's alone.
func sqliteOnly(t testing.TB, why string) {
	t.Helper()
	if onPostgres() {
		t.Skip("SQLite only: " + why)
	}
}

// newStoreURL is the store.url of an empty store for t, dropped (or
// removed) when t ends.
func newStoreURL(t testing.TB) string {
	t.Helper()
	if onPostgres() {
		return pgtest.Shared(t).NewDatabase(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "markwatch.db")
}

// openURL opens the store at storeURL for t, closed when t ends.
func openURL(t testing.TB, storeURL string, opts Options) *DB {
	t.Helper()
	db, err := OpenURL(context.Background(), storeURL, opts)
	if err != nil {
		t.Fatalf("OpenURL: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openStore opens an empty store for t.
func openStore(t testing.TB, opts Options) *DB {
	t.Helper()
	return openURL(t, newStoreURL(t), opts)
}
