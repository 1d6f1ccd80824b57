package pgtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// maxIdentifier is PostgreSQL's limit on a name, in bytes (NAMEDATALEN-1).
const maxIdentifier = 63

// NewDatabase creates an empty database for tb and returns its URL; the
// database is dropped when tb ends, connections the test left open with it.
// Tests sharing a cluster do not see each other's tables.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := databaseName(c.databases.Add(1), tb.Name())
	if err := c.admin(fmt.Sprintf("CREATE DATABASE %s", pgx.Identifier{name}.Sanitize())); err != nil {
		tb.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// FORCE: a connection the test forgot to close must not fail the drop.
		if err := c.admin(fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", pgx.Identifier{name}.Sanitize())); err != nil {
			tb.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return c.databaseURL(name)
}

// admin runs one statement on the postgres database. CREATE and DROP
// DATABASE cannot run in a transaction, so each gets a connection of its
// own, which also lets parallel tests create databases at once.
func (c *Cluster) admin(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", c.URL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("running %q: %w", sql, err)
	}
	return nil
}

// databaseName is t<n>_<test name> folded to lower-case ASCII letters,
// digits and underscores (a subtest named in Chinese becomes underscores;
// n keeps it unique), cut to PostgreSQL's limit.
func databaseName(n int64, testName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t%d_", n)
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= maxIdentifier {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
