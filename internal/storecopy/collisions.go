package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/markwatch/markwatch/internal/domain"
)

// uniqueFolded is a target column that is unique by itself under a
// nondeterministic collation (users.name under nocase), which may take two
// values SQLite keeps apart for one: SQLite's NOCASE folds ASCII letters
// only, ICU's level 2 also É/é and full-width Ａ/A.
type uniqueFolded struct {
	table, column, collation string // collation quoted, schema-qualified
}

func findUniqueFolded(ctx context.Context, tx pgx.Tx) ([]uniqueFolded, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT c.relname, a.attname, quote_ident(n.nspname) || '.' || quote_ident(co.collname)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		JOIN pg_collation co ON co.oid = a.attcollation
		JOIN pg_namespace n ON n.oid = co.collnamespace
		WHERE c.relnamespace = current_schema()::regnamespace AND i.indisunique AND i.indnkeyatts = 1
		  AND NOT co.collisdeterministic
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("finding the target's case-insensitive unique columns: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (uniqueFolded, error) {
		var u uniqueFolded
		return u, r.Scan(&u.table, &u.column, &u.collation)
	})
}

// checkCollisions refuses a source holding, in such a column, values the
// target's collation calls equal, naming them: the copy would fail on the
// unique index, and which account is meant is for a person to decide. The
// source's values are grouped by PostgreSQL itself under the column's own
// collation, so the check cannot disagree with the index.
func checkCollisions(ctx context.Context, src *sql.Tx, dst pgx.Tx, tables []table) error {
	cols, err := findUniqueFolded(ctx, dst)
	if err != nil {
		return err
	}
	copied := map[string]table{}
	for _, t := range tables {
		copied[t.name] = t
	}
	var clashes []string
	for _, u := range cols {
		t, ok := copied[u.table]
		if !ok {
			continue
		}
		values, err := sourceTexts(ctx, src, t, u.column)
		if err != nil {
			return err
		}
		groups, err := foldedGroups(ctx, dst, values, u.collation)
		if err != nil {
			return fmt.Errorf("comparing the source's %s.%s under %s: %w", u.table, u.column, u.collation, err)
		}
		for _, g := range groups {
			quoted := make([]string, len(g))
			for i, v := range g {
				quoted[i] = strconv.Quote(v)
			}
			clashes = append(clashes, fmt.Sprintf("%s.%s %s", u.table, u.column, strings.Join(quoted, " and ")))
		}
	}
	if len(clashes) > 0 {
		return domain.Errorf(domain.ECONFLICT,
			"the source holds values PostgreSQL takes for one (case and accents are one under its collation, SQLite folds ASCII only): %s; rename all but one in the source, then migrate",
			strings.Join(clashes, "; "))
	}
	return nil
}

// sourceTexts are the non-NULL values of t.col in key order (for ids,
// the order they were made in, which the refusal names them in).
func sourceTexts(ctx context.Context, src *sql.Tx, t table, col string) ([]string, error) {
	table := t.name
	keys := make([]string, len(t.key))
	for i, k := range t.key {
		keys[i] = quote(t.columns[k].name)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s", quote(col), quote(table), quote(col), strings.Join(keys, ", "))
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reading the source's %s.%s: %w", table, col, err)
	}
	var values []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("reading the source's %s.%s: %w", table, col, err)
		}
		s, err := coerce(v, kindText)
		if err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("reading the source's %s.%s: %w", table, col, err)
		}
		values = append(values, s.(string))
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("reading the source's %s.%s: %w", table, col, err)
	}
	return values, nil
}

// foldedGroups are the values collation takes for one, two or more per
// group, each group in the order given.
func foldedGroups(ctx context.Context, tx pgx.Tx, values []string, collation string) ([][]string, error) {
	q := fmt.Sprintf(`SELECT array_agg(v ORDER BY o) FROM unnest($1::text[]) WITH ORDINALITY AS u(v, o)
		GROUP BY v COLLATE %s HAVING count(*) > 1 ORDER BY min(o)`, collation)
	rows, err := tx.Query(ctx, q, values)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]string])
}
