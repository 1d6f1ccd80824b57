package sqldialect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// verdict is what became of one statement.
type verdict struct {
	site
	refused  *UnsupportedError // the dialect's refusal
	pgErr    *pgconn.PgError   // PostgreSQL's, when it would not prepare the translation
	pgSQL    string
	warnings []string // prepared, but something will differ when it runs
}

// TestCensus translates every statement of internal/store and prepares it
// on a database migrated with migrations_postgres, to size what is left of
// issue 13: it logs how many statements are translated and prepared, how
// many the dialect refuses (by construct) and how many PostgreSQL rejects
// (by SQLSTATE and message), and lists the latter two with file:line. Run
// with -v to read it.
//
// It fails only on what is the dialect's to fix: a prepared statement
// whose parameter count is not SQLite's (placeholder numbering), a syntax
// error in the translation of a complete statement (the dialect must
// translate or refuse what PostgreSQL cannot parse), or text it cannot lex.
func TestCensus(t *testing.T) {
	sites := storeStatements(t, "../store")
	conn := migratedPostgres(t)
	ctx := testContext(t)

	var all []verdict
	declared := 0
	for _, s := range sites {
		v := verdict{site: s}
		if isPostgresText(s.sql) {
			// A PostgreSQL text the store declared: it must prepare as
			// written (unless part of it is only known at run time).
			declared++
			if _, err := conn.Prepare(ctx, "", s.sql); err != nil && !s.dynamic {
				t.Errorf("%s: the declared PostgreSQL text does not prepare: %v\n%s", s.pos, err, s.sql)
			}
			continue
		}
		out, err := Postgres(s.sql)
		switch {
		case errors.As(err, &v.refused):
		case err != nil:
			t.Errorf("%s: %v\n%s", s.pos, err, s.sql)
			continue
		default:
			v.pgSQL = out
			sd, err := conn.Prepare(ctx, "", out)
			if err != nil {
				if !errors.As(err, &v.pgErr) {
					t.Fatalf("%s: preparing: %v", s.pos, err)
				}
				// "(VALUES)" is a row list the store fills in at run time
				// (valuerows.go): what PostgreSQL sees has rows.
				if v.pgErr.Code == "42601" && !s.dynamic && !strings.Contains(s.sql, "(VALUES)") {
					t.Errorf("%s: PostgreSQL cannot parse the translation: %s\nsqlite: %s\npostgresql: %s", s.pos, v.pgErr.Message, s.sql, out)
				}
				break
			}
			if want := scanText(s.sql, false).highest; len(sd.ParamOIDs) != want {
				t.Errorf("%s: PostgreSQL sees %d parameters, SQLite %d\nsqlite: %s\npostgresql: %s", s.pos, len(sd.ParamOIDs), want, s.sql, out)
			}
			v.warnings = typeWarnings(sd)
		}
		all = append(all, v)
	}
	if len(all) < 100 {
		t.Errorf("only %d statements found in internal/store; the extraction is broken", len(all))
	}
	t.Logf("%d PostgreSQL texts declared by the store, prepared as written", declared)
	logCensus(t, all, false)
	logCensus(t, all, true)
	_ = conn.Close(context.Background())
}

// isPostgresText says whether q is PostgreSQL already: after the store's
// verbatim marker (pgdriver.go), or with $n placeholders, which SQLite's
// texts in the store never use.
func isPostgresText(q string) bool {
	if strings.HasPrefix(strings.TrimSpace(q), "/* postgresql */") {
		return true
	}
	var ue *UnsupportedError
	_, err := Postgres(q)
	return errors.As(err, &ue) && strings.HasPrefix(ue.Construct, "named parameter $")
}

// typeWarnings flags what SQLite and PostgreSQL hand back differently from
// a statement that prepares: SQLite has no booleans (a comparison is 0 or
// 1, which the store scans into integers), and PostgreSQL's sum of bigints
// is numeric.
func typeWarnings(sd *pgconn.StatementDescription) []string {
	var w []string
	for _, f := range sd.Fields {
		switch f.DataTypeOID {
		case pgtype.BoolOID:
			w = append(w, fmt.Sprintf("column %s is boolean (SQLite: 0/1)", f.Name))
		case pgtype.NumericOID:
			w = append(w, fmt.Sprintf("column %s is numeric", f.Name))
		}
	}
	for i, oid := range sd.ParamOIDs {
		if oid == pgtype.BoolOID {
			w = append(w, fmt.Sprintf("parameter $%d is boolean", i+1))
		}
	}
	return w
}

func logCensus(t *testing.T, all []verdict, tests bool) {
	var b strings.Builder
	where := "store code"
	if tests {
		where = "store tests"
	}
	var n, ok, dyn, refused, rejected, warned int
	byConstruct := map[string][]string{}
	byError := map[string][]string{}
	for _, v := range all {
		if v.test != tests {
			continue
		}
		n++
		tag := v.pos
		if v.dynamic {
			dyn++
			tag += " (dynamic)"
		}
		switch {
		case v.refused != nil:
			refused++
			byConstruct[v.refused.Construct] = append(byConstruct[v.refused.Construct], tag)
		case v.pgErr != nil:
			rejected++
			key := v.pgErr.Code + " " + v.pgErr.Message
			byError[key] = append(byError[key], tag)
		default:
			ok++
			if len(v.warnings) > 0 {
				warned++
				key := "prepared, but " + strings.Join(v.warnings, "; ")
				byError[key] = append(byError[key], tag)
			}
		}
	}
	fmt.Fprintf(&b, "census of %s: %d statements (%d with dynamic parts left out): %d translated and prepared (%d of them with type differences), %d refused by the dialect, %d translated but rejected by PostgreSQL\n",
		where, n, dyn, ok, warned, refused, rejected)
	writeGroups(&b, "refused by the dialect", byConstruct)
	writeGroups(&b, "PostgreSQL's verdicts", byError)
	t.Log(b.String())
}

func writeGroups(b *strings.Builder, title string, groups map[string][]string) {
	if len(groups) == 0 {
		return
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(groups[keys[i]]) != len(groups[keys[j]]) {
			return len(groups[keys[i]]) > len(groups[keys[j]])
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(b, "  %s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(b, "    %3d  %s\n         %s\n", len(groups[k]), k, strings.Join(groups[k], " "))
	}
}
