package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/markwatch/markwatch/internal/domain"
)

// migration is a schema_migrations row without its applied_at, which
// differs by nature: the target's steps ran when it was made.
type migration struct {
	version int64
	name    string
}

// checkMigrations refuses a target whose migrations are not the source's,
// step for step: a different markwatch version made one of them, and its
// tables would not mean the same.
func checkMigrations(ctx context.Context, src *sql.Tx, dst pgx.Tx) error {
	q := "SELECT version, name FROM " + migrationsTable + " ORDER BY version"
	var from []migration
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("reading the source's migrations: %w", err)
	}
	for rows.Next() {
		var m migration
		if err := rows.Scan(&m.version, &m.name); err != nil {
			_ = rows.Close()
			return fmt.Errorf("reading the source's migrations: %w", err)
		}
		from = append(from, m)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("reading the source's migrations: %w", err)
	}
	dstRows, err := dst.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("reading the target's migrations: %w", err)
	}
	to, err := pgx.CollectRows(dstRows, func(r pgx.CollectableRow) (migration, error) {
		var m migration
		return m, r.Scan(&m.version, &m.name)
	})
	if err != nil {
		return fmt.Errorf("reading the target's migrations: %w", err)
	}
	if !equalMigrations(from, to) {
		return domain.Errorf(domain.ECONFLICT,
			"the target's migrations differ from the source's (source: %s; target: %s): run the same markwatch version on both",
			listMigrations(from), listMigrations(to))
	}
	return nil
}

func equalMigrations(a, b []migration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func listMigrations(ms []migration) string {
	if len(ms) == 0 {
		return "none"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = fmt.Sprintf("%d %s", m.version, m.name)
	}
	return strings.Join(names, ", ")
}
