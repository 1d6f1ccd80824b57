package store

import (
	"fmt"
	"os"
	"testing"

	"github.com/markwatch/markwatch/internal/pgtest"
)

// TestMain runs the package's tests on the store MARKWATCH_TEST_STORE
// names (teststore_test.go), under one PostgreSQL cluster started on the
// first test that needs it.
func TestMain(m *testing.M) {
	if v := os.Getenv(testStoreEnv); v != "" && v != dialectSQLite && v != dialectPostgres {
		fmt.Fprintf(os.Stderr, "%s=%q: want %q, %q or empty (SQLite)\n", testStoreEnv, v, dialectSQLite, dialectPostgres)
		os.Exit(2)
	}
	pgtest.Main(m)
}
