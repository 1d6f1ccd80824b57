package sqldialect

import (
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// column is what the two schemas must agree on about a column.
type column struct {
	name    string
	class   string // integer, real, text, blob
	notNull bool
	dflt    string // the default as written, "" for none
}

func (c column) String() string {
	return fmt.Sprintf("%s %s notnull=%v default=%q", c.name, c.class, c.notNull, c.dflt)
}

// schema is one database's tables, keys, indexes, foreign keys and triggers,
// each as comparable text.
type schema struct {
	columns  map[string][]column
	pk       map[string]string   // table → "a,b"
	uniques  map[string][]string // table → sorted "cols [WHERE]" of unique constraints and unique indexes
	indexes  map[string][]string // table → sorted "name(cols) unique partial" of indexes created by name
	fks      map[string][]string // table → sorted "cols → table(cols) ON DELETE action"
	triggers map[string][]string // table → sorted trigger names
}

// TestPostgresSchemaMatchesSQLite applies both migration sets and compares
// them table by table: column names and order exactly, and their type
// class, nullability and defaults, keys, unique constraints, named indexes
// (partial or not), foreign keys with their ON DELETE, and triggers (every
// SQLite trigger exists in PostgreSQL; PostgreSQL adds TRUNCATE guards).
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	lite := sqliteSchema(t, migratedSQLite(t))
	pg := postgresSchema(t, migratedPostgres(t))

	var tables []string
	for name := range lite.columns {
		tables = append(tables, name)
	}
	sort.Strings(tables)
	if len(tables) < 25 {
		t.Fatalf("SQLite schema has %d tables: %v; the migrations did not apply", len(tables), tables)
	}
	for name := range pg.columns {
		if _, ok := lite.columns[name]; !ok {
			t.Errorf("table %s is in PostgreSQL only", name)
		}
	}
	for _, table := range tables {
		if _, ok := pg.columns[table]; !ok {
			t.Errorf("table %s is missing in PostgreSQL", table)
			continue
		}
		compare(t, table, "columns", lite.columns[table], pg.columns[table])
		compare(t, table, "primary key", lite.pk[table], pg.pk[table])
		compare(t, table, "unique", lite.uniques[table], pg.uniques[table])
		compare(t, table, "indexes", lite.indexes[table], pg.indexes[table])
		compare(t, table, "foreign keys", lite.fks[table], pg.fks[table])
		for _, trig := range lite.triggers[table] {
			if !contains(pg.triggers[table], trig) {
				t.Errorf("%s: trigger %s is missing in PostgreSQL (has %v)", table, trig, pg.triggers[table])
			}
		}
	}
}

func compare[T any](t *testing.T, table, what string, lite, pg T) {
	t.Helper()
	if l, p := fmt.Sprint(lite), fmt.Sprint(pg); l != p {
		t.Errorf("%s: %s differ\n  sqlite:     %s\n  postgresql: %s", table, what, l, p)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newSchema() schema {
	return schema{
		columns: map[string][]column{}, pk: map[string]string{}, uniques: map[string][]string{},
		indexes: map[string][]string{}, fks: map[string][]string{}, triggers: map[string][]string{},
	}
}

func sqliteSchema(t *testing.T, db *sql.DB) schema {
	t.Helper()
	s := newSchema()
	tables := queryStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	for _, table := range tables {
		rows, err := db.Query("SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid", table)
		if err != nil {
			t.Fatal(err)
		}
		pk := map[int]string{}
		for rows.Next() {
			var c column
			var typ string
			var pkPos int
			if err := rows.Scan(&c.name, &typ, &c.notNull, &c.dflt, &pkPos); err != nil {
				t.Fatal(err)
			}
			c.class = map[string]string{"INTEGER": "integer", "REAL": "real", "TEXT": "text", "BLOB": "blob"}[strings.ToUpper(typ)]
			if pkPos > 0 {
				c.notNull = true // SQLite lets a non-integer key hold NULL; the store never writes one
				pk[pkPos] = c.name
			}
			s.columns[table] = append(s.columns[table], c)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		var pkCols []string
		for i := 1; i <= len(pk); i++ {
			pkCols = append(pkCols, pk[i])
		}
		s.pk[table] = strings.Join(pkCols, ",")

		rows, err = db.Query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		type index struct {
			name, origin    string
			unique, partial bool
		}
		var idx []index
		for rows.Next() {
			var i index
			if err := rows.Scan(&i.name, &i.unique, &i.origin, &i.partial); err != nil {
				t.Fatal(err)
			}
			idx = append(idx, i)
		}
		rows.Close()
		for _, i := range idx {
			cols := strings.Join(queryStrings(t, db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", i.name), ",")
			if i.origin == "pk" {
				continue
			}
			if i.unique {
				s.uniques[table] = append(s.uniques[table], indexKey(cols, i.partial))
			}
			if i.origin == "c" {
				s.indexes[table] = append(s.indexes[table], fmt.Sprintf("%s(%s) unique=%v partial=%v", i.name, cols, i.unique, i.partial))
			}
		}

		rows, err = db.Query("SELECT id, seq, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq", table)
		if err != nil {
			t.Fatal(err)
		}
		fks := map[int]*[4]string{}
		for rows.Next() {
			var id, seq int
			var to sql.NullString
			var ref, from, onDelete string
			if err := rows.Scan(&id, &seq, &ref, &from, &to, &onDelete); err != nil {
				t.Fatal(err)
			}
			fk := fks[id]
			if fk == nil {
				fk = &[4]string{ref, "", "", onDelete}
				fks[id] = fk
			}
			fk[1] = joinComma(fk[1], from)
			fk[2] = joinComma(fk[2], to.String) // empty: the referenced table's key
		}
		rows.Close()
		for _, fk := range fks {
			s.fks[table] = append(s.fks[table], fkKey(fk[1], fk[0], fk[2], fk[3]))
		}
		s.triggers[table] = queryStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", table)
		sortAll(s, table)
	}
	// A foreign key naming no columns references the key: spell it out as
	// PostgreSQL's catalog does.
	for table, list := range s.fks {
		for i, fk := range list {
			list[i] = regexp.MustCompile(`→ (\w+)\(\)`).ReplaceAllStringFunc(fk, func(m string) string {
				ref := strings.TrimSuffix(strings.TrimPrefix(m, "→ "), "()")
				return "→ " + ref + "(" + s.pk[ref] + ")"
			})
		}
		sort.Strings(s.fks[table])
	}
	return s
}

func joinComma(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

func indexKey(cols string, partial bool) string {
	return fmt.Sprintf("(%s) partial=%v", cols, partial)
}

func fkKey(from, ref, to, onDelete string) string {
	return fmt.Sprintf("%s → %s(%s) ON DELETE %s", from, ref, to, onDelete)
}

func sortAll(s schema, table string) {
	sort.Strings(s.uniques[table])
	sort.Strings(s.indexes[table])
	sort.Strings(s.fks[table])
	sort.Strings(s.triggers[table])
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pgClasses maps PostgreSQL's types to SQLite's affinities as the
// representation rules of docs/DISTRIBUTED.md do.
var pgClasses = map[string]string{
	"bigint": "integer", "integer": "integer", "smallint": "integer",
	"double precision": "real", "text": "text", "bytea": "blob",
}

// pgDefault is a PostgreSQL default as SQLite spells it: '[]'::text is '[]'.
func pgDefault(d string) string {
	return regexp.MustCompile(`::[a-z ]+$`).ReplaceAllString(d, "")
}

func postgresSchema(t *testing.T, conn *pgx.Conn) schema {
	t.Helper()
	ctx := testContext(t)
	s := newSchema()
	rows, err := conn.Query(ctx, `
		SELECT c.relname, a.attname, format_type(a.atttypid, NULL), a.attnotnull,
		       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
		WHERE c.relkind = 'r'
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, typ string
		var c column
		if err := rows.Scan(&table, &c.name, &typ, &c.notNull, &c.dflt); err != nil {
			t.Fatal(err)
		}
		c.class = pgClasses[typ]
		c.dflt = pgDefault(c.dflt)
		s.columns[table] = append(s.columns[table], c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	// Indexes: the key, unique constraints and unique indexes, and the
	// indexes created by name (those that back no constraint).
	rows, err = conn.Query(ctx, `
		SELECT t.relname, i.relname, x.indisprimary, x.indisunique, x.indpred IS NOT NULL,
		       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid),
		       (SELECT string_agg(a.attname, ',' ORDER BY k.n)
		        FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
		        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
		FROM pg_index x
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, name, cols string
		var primary, unique, partial, constraint bool
		if err := rows.Scan(&table, &name, &primary, &unique, &partial, &constraint, &cols); err != nil {
			t.Fatal(err)
		}
		switch {
		case primary:
			s.pk[table] = cols
		case unique:
			s.uniques[table] = append(s.uniques[table], indexKey(cols, partial))
		}
		if !constraint {
			s.indexes[table] = append(s.indexes[table], fmt.Sprintf("%s(%s) unique=%v partial=%v", name, cols, unique, partial))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	rows, err = conn.Query(ctx, `
		SELECT t.relname, r.relname,
		       (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
		        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
		       (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
		        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
		       c.confdeltype
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		WHERE c.contype = 'f'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, ref, from, to, del string
		if err := rows.Scan(&table, &ref, &from, &to, &del); err != nil {
			t.Fatal(err)
		}
		action := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}[del]
		s.fks[table] = append(s.fks[table], fkKey(from, ref, to, action))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	rows, err = conn.Query(ctx, `
		SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
		WHERE NOT g.tgisinternal`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, name string
		if err := rows.Scan(&table, &name); err != nil {
			t.Fatal(err)
		}
		s.triggers[table] = append(s.triggers[table], name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for table := range s.columns {
		sortAll(s, table)
	}
	return s
}
