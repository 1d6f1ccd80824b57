package app

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the target's database/sql face

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
	"github.com/markwatch/markwatch/internal/storecopy"
)

const migrateStoreUsage = `usage:
  markwatch migrate-store --from sqlite:PATH [--to postgres://user:password@host:5432/dbname]

Copies an installation's SQLite store into an empty PostgreSQL database,
keeping ids, table by table in foreign-key order in one transaction, and
verifies every table by row count and a SHA-256 over its rows. Stop the
daemon first. The target is migrated to this version's schema; one that
already holds data is refused, and so is a source written by another version.
Without --to the target is $MARKWATCH_STORE_URL, which keeps the password out
of the process list; it is never printed either way.`

// runMigrateStore is markwatch migrate-store (docs/DISTRIBUTED.md).
func runMigrateStore(ctx context.Context, env Env, args []string) error {
	fs := newFlags("migrate-store", env)
	from := fs.String("from", "", "the SQLite store to copy: sqlite:PATH")
	to := fs.String("to", "", "the PostgreSQL database to copy into: postgres://… (default $MARKWATCH_STORE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" && env.Getenv != nil {
		*to, _ = env.Getenv("MARKWATCH_STORE_URL")
	}
	if fs.NArg() > 0 || *from == "" || *to == "" {
		return usagef("%s", migrateStoreUsage)
	}
	src, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || src == "" {
		return usagef("--from %q: want sqlite:PATH\n%s", *from, migrateStoreUsage)
	}
	if !(config.Store{URL: *to}).Postgres() {
		return usagef("--to: want postgres://user:password@host:5432/dbname\n%s", migrateStoreUsage)
	}
	if _, err := os.Stat(src); err != nil {
		return domain.Errorf(domain.ENOTFOUND, "migrate-store: the source store %s: %v", src, err)
	}
	// Open with the store first: it migrates the target to this version's
	// schema (and refuses one written by a newer version).
	target, err := store.OpenURL(ctx, *to, store.Options{})
	if err != nil {
		return fmt.Errorf("migrate-store: opening the target: %w", err)
	}
	if err := target.Close(); err != nil {
		return fmt.Errorf("migrate-store: closing the target after migrating it: %w", err)
	}
	srcDB, err := sql.Open("sqlite", "file:"+src+"?mode=ro")
	if err != nil {
		return fmt.Errorf("migrate-store: opening %s: %w", src, err)
	}
	defer srcDB.Close()
	dstDB, err := sql.Open("pgx", *to)
	if err != nil {
		return fmt.Errorf("migrate-store: opening the target: %w", err)
	}
	defer dstDB.Close()

	start := time.Now()
	fmt.Fprintf(env.Stdout, "%-24s %10s  %s\n", "TABLE", "ROWS", "SHA-256 (same on both sides)")
	rep, err := storecopy.Copy(ctx, srcDB, dstDB, func(t storecopy.Table) {
		fmt.Fprintf(env.Stdout, "%-24s %10d  %s\n", t.Name, t.Rows, t.SHA256)
	})
	if err != nil {
		return fmt.Errorf("migrate-store: nothing was kept in the target: %w", err)
	}
	var rows int64
	for _, t := range rep.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(env.Stdout, "copied and verified %d tables, %d rows in %s; point store.url (MARKWATCH_STORE_URL) at the target\n",
		len(rep.Tables), rows, time.Since(start).Round(time.Millisecond))
	return nil
}
