package store

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// scopeConds turns a domain.Scope into SQL conditions on the given mark and
// location columns, so a scoped read filters in the database and a page of
// results is a page of what the principal may see (never a filtered page,
// whose totals would hint at hidden rows).
func scopeConds(s domain.Scope, markCol, locCol string) ([]string, []any) {
	var where []string
	var args []any
	if s.Restricted {
		if len(s.MarkIDs) == 0 {
			// A restricted scope with no marks sees nothing; "1 = 0" is
			// valid SQL where an empty IN () list is not (and, unlike "0",
			// a condition in PostgreSQL too).
			return []string{"1 = 0"}, nil
		}
		where = append(where, markCol+" IN ("+placeholders(len(s.MarkIDs))+")")
		for _, m := range s.MarkIDs {
			args = append(args, m)
		}
	}
	if locCol != "" {
		if c, a := jurisdictionCond(s.Jurisdiction, locCol); c != "" {
			where = append(where, c)
			args = append(args, a...)
		}
	}
	return where, args
}

// jurisdictionCond is domain.LocationWithin in SQL: the jurisdiction's words
// are the location's first words. Both sides are normalised the way
// strings.Fields would split them (for the whitespace marketplaces use:
// ASCII, no-break and ideographic spaces), then the location must equal the
// jurisdiction or start with it followed by a space. LIKE needs its
// wildcards escaped, and folds ASCII case, which LocationWithin does not:
// the substr test pins the case.
func jurisdictionCond(jurisdiction, locCol string) (string, []any) {
	j := strings.Join(strings.Fields(jurisdiction), " ")
	if j == "" {
		return "", nil
	}
	loc := normalisedSpaces(locCol)
	prefix := j + " "
	cond := "(" + loc + " = ? OR (" + loc + ` LIKE ? ESCAPE '\' AND substr(` + loc + ", 1, ?) = ?))"
	return cond, []any{j, escapeLike(j) + " %", len([]rune(prefix)), prefix}
}

// normalisedSpaces is a SQL expression for col with every whitespace
// character mapped to a space, runs collapsed and the ends trimmed. Four
// halving passes collapse runs of up to 16 spaces, more than any
// marketplace pads a location with.
func normalisedSpaces(col string) string {
	e := col
	for _, c := range []string{"char(9)", "char(10)", "char(11)", "char(12)", "char(13)", "char(160)", "char(12288)"} {
		e = "replace(" + e + ", " + c + ", ' ')"
	}
	for range 4 {
		e = "replace(" + e + ", '  ', ' ')"
	}
	return "trim(" + e + ")"
}

// escapeLike escapes LIKE's wildcards and the escape character itself, for
// use with ESCAPE '\'.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
