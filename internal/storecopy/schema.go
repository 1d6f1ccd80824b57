package storecopy

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/markwatch/markwatch/internal/domain"
)

// migrationsTable is compared, not copied: the target's rows were written
// by its own migrations.
const migrationsTable = "schema_migrations"

// column is a copied column: its name and how the target stores it.
type column struct {
	name string
	kind kind
}

// table is a copied table as both sides have it.
type table struct {
	name    string
	columns []column // in the source's order
	key     []int    // indexes into columns of the primary key, in key order; every column when there is none
	refs    []string // tables its foreign keys name (source's PRAGMA foreign_key_list)
}

func (t table) columnNames() []string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return names
}

// selectSQL reads the table's columns in primary-key order, text keys in
// byte order and NULLs first, which the source and the target (postgres
// true) both give in the same way: SQLite's BINARY is PostgreSQL's "C", and
// SQLite sorts NULLs first where PostgreSQL sorts them last.
func (t table) selectSQL(postgres bool) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range t.columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c.name))
	}
	b.WriteString(" FROM " + quote(t.name) + " ORDER BY ")
	for i, k := range t.key {
		if i > 0 {
			b.WriteString(", ")
		}
		c := t.columns[k]
		b.WriteString(quote(c.name))
		switch {
		case postgres && c.kind == kindText:
			b.WriteString(` COLLATE "C" NULLS FIRST`)
		case postgres:
			b.WriteString(" NULLS FIRST")
		case c.kind == kindText:
			b.WriteString(" COLLATE BINARY")
		}
	}
	return b.String()
}

// isRowidAlias says whether col is the table's whole key and an integer,
// which in SQLite makes it the rowid AUTOINCREMENT counts.
func (t table) isRowidAlias(col string) bool {
	return len(t.key) == 1 && t.columns[t.key[0]].name == col && t.columns[t.key[0]].kind == kindInt
}

// describeKey names a row by its key values, for errors.
func (t table) describeKey(vals []any) string {
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		v := "?"
		if k < len(vals) {
			v = describeValue(vals[k])
			if vals[k] == nil {
				v = "NULL"
			}
		}
		parts[i] = t.columns[k].name + "=" + v
	}
	return strings.Join(parts, ", ")
}

// compareKeys orders two rows by their keys as selectSQL's ORDER BY
// does: NULL first, numbers by value, text and blobs bytewise.
func (t table) compareKeys(a, b []any) int {
	for _, k := range t.key {
		if c := compareValues(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	}
	// One column holds one kind on both sides; order kinds apart anyway.
	return cmp.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b))
}

// quote is an identifier as both SQLite and PostgreSQL read it.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// sourceTable is a table as SQLite describes it.
type sourceTable struct {
	columns []string
	key     []string
	refs    []string
}

// readSource lists the source's tables from sqlite_master (not SQLite's
// own sqlite_* tables, nor schema_migrations), their columns, primary keys
// and the tables their foreign keys reference.
func readSource(ctx context.Context, tx *sql.Tx) (map[string]sourceTable, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ? ORDER BY name`, migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("listing the source's tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("listing the source's tables: %w", err)
		}
		names = append(names, n)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("listing the source's tables: %w", err)
	}
	tables := make(map[string]sourceTable, len(names))
	for _, n := range names {
		t, err := readSourceTable(ctx, tx, n)
		if err != nil {
			return nil, fmt.Errorf("reading the source's table %s: %w", n, err)
		}
		tables[n] = t
	}
	return tables, nil
}

func readSourceTable(ctx context.Context, tx *sql.Tx, name string) (sourceTable, error) {
	var t sourceTable
	rows, err := tx.QueryContext(ctx, "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", name)
	if err != nil {
		return t, fmt.Errorf("reading columns: %w", err)
	}
	keyAt := map[int]string{}
	for rows.Next() {
		var col string
		var pk int
		if err := rows.Scan(&col, &pk); err != nil {
			_ = rows.Close()
			return t, fmt.Errorf("reading columns: %w", err)
		}
		t.columns = append(t.columns, col)
		if pk > 0 {
			keyAt[pk] = col
		}
	}
	if err := closeRows(rows); err != nil {
		return t, fmt.Errorf("reading columns: %w", err)
	}
	for i := 1; i <= len(keyAt); i++ {
		t.key = append(t.key, keyAt[i])
	}
	rows, err = tx.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1`, name)
	if err != nil {
		return t, fmt.Errorf("reading foreign keys: %w", err)
	}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			_ = rows.Close()
			return t, fmt.Errorf("reading foreign keys: %w", err)
		}
		t.refs = append(t.refs, ref)
	}
	if err := closeRows(rows); err != nil {
		return t, fmt.Errorf("reading foreign keys: %w", err)
	}
	return t, nil
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// readTarget lists the target's tables in its current schema and their
// columns' type names.
func readTarget(ctx context.Context, tx pgx.Tx) (map[string]map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, a.attname, format_type(a.atttypid, NULL)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		  AND a.attnum > 0 AND NOT a.attisdropped`)
	if err != nil {
		return nil, fmt.Errorf("listing the target's tables: %w", err)
	}
	defer rows.Close()
	tables := map[string]map[string]string{}
	for rows.Next() {
		var tbl, col, typ string
		if err := rows.Scan(&tbl, &col, &typ); err != nil {
			return nil, fmt.Errorf("listing the target's tables: %w", err)
		}
		if tables[tbl] == nil {
			tables[tbl] = map[string]string{}
		}
		tables[tbl][col] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the target's tables: %w", err)
	}
	return tables, nil
}

// plan matches the source's tables to the target's by name, and their
// columns by name, and orders them so every table comes after the tables
// its foreign keys reference. A source table or a column on one side only
// is refused, naming it: copying would lose it or leave it unfilled. A
// table only the target has (one only PostgreSQL needs) is not copied.
func plan(ctx context.Context, src *sql.Tx, dst pgx.Tx) ([]table, error) {
	source, err := readSource(ctx, src)
	if err != nil {
		return nil, err
	}
	target, err := readTarget(ctx, dst)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]table, len(source))
	for name, st := range source {
		tt, ok := target[name]
		if !ok {
			return nil, domain.Errorf(domain.ECONFLICT, "planning the copy: table %s exists in the source only; the target was not made by the same markwatch version", name)
		}
		t, err := matchColumns(name, st, tt)
		if err != nil {
			return nil, err
		}
		byName[name] = t
	}
	return foreignKeyOrder(byName)
}

func matchColumns(name string, st sourceTable, tt map[string]string) (table, error) {
	t := table{name: name, refs: st.refs}
	index := map[string]int{}
	for _, c := range st.columns {
		typ, ok := tt[c]
		if !ok {
			return t, domain.Errorf(domain.ECONFLICT, "planning the copy: column %s.%s exists in the source only", name, c)
		}
		k, ok := kindOf(typ)
		if !ok {
			return t, domain.Errorf(domain.ECONFLICT, "planning the copy: column %s.%s is %s in the target, a type markwatch does not store", name, c, typ)
		}
		index[c] = len(t.columns)
		t.columns = append(t.columns, column{name: c, kind: k})
	}
	extra := make([]string, 0)
	for c := range tt {
		if _, ok := index[c]; !ok {
			extra = append(extra, c)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return t, domain.Errorf(domain.ECONFLICT, "planning the copy: column %s.%s exists in the target only", name, extra[0])
	}
	for _, k := range st.key {
		t.key = append(t.key, index[k])
	}
	if len(t.key) == 0 {
		for i := range t.columns {
			t.key = append(t.key, i)
		}
	}
	return t, nil
}

// foreignKeyOrder sorts tables topologically by their foreign keys, ties
// by name so the order is the same every run. A reference to the table
// itself is no constraint on the order (rows are copied in key order, and
// PostgreSQL checks a COPY's foreign keys when the statement ends); a
// cycle through other tables is refused, since no order fills it.
func foreignKeyOrder(tables map[string]table) ([]table, error) {
	waiting := map[string]int{}        // references not yet copied
	referrers := map[string][]string{} // table → tables referencing it
	for name, t := range tables {
		for _, ref := range t.refs {
			if ref == name {
				continue
			}
			if _, ok := tables[ref]; !ok {
				continue // a dangling reference SQLite allows; nothing to wait for
			}
			waiting[name]++
			referrers[ref] = append(referrers[ref], name)
		}
	}
	var ready, order []string
	for name := range tables {
		if waiting[name] == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		slices.Sort(ready)
		next := ready[0]
		ready = ready[1:]
		order = append(order, next)
		for _, r := range referrers[next] {
			if waiting[r]--; waiting[r] == 0 {
				ready = append(ready, r)
			}
		}
	}
	if len(order) < len(tables) {
		var cycle []string
		for name := range tables {
			if waiting[name] > 0 {
				cycle = append(cycle, name)
			}
		}
		slices.Sort(cycle)
		return nil, domain.Errorf(domain.ECONFLICT, "planning the copy: the foreign keys of %s form a cycle, which no table order can copy", strings.Join(cycle, ", "))
	}
	out := make([]table, len(order))
	for i, name := range order {
		out[i] = tables[name]
	}
	return out, nil
}
