package index_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
)

// parseScopeFilter reads back an expression of the shape scopeFilter must
// produce, `mark_id IN ["…", …]` and/or `location_prefixes = "…"`, with
// Meilisearch's string syntax (a backslash escapes the next character). Any
// other token — an OR, a second condition, text after the end — is an error,
// so a value that escaped its quotes fails the parse.
func parseScopeFilter(expr string) (marks []string, restricted bool, jur string, err error) {
	rest := expr
	if after, ok := strings.CutPrefix(rest, "mark_id IN ["); ok {
		restricted, rest = true, after
		for {
			var v string
			if v, rest, err = parseQuoted(rest); err != nil {
				return nil, false, "", err
			}
			marks = append(marks, v)
			if after, ok := strings.CutPrefix(rest, ", "); ok {
				rest = after
				continue
			}
			if after, ok := strings.CutPrefix(rest, "]"); ok {
				rest = after
				break
			}
			return nil, false, "", errors.New("expected , or ] at " + rest)
		}
		if rest == "" {
			return marks, restricted, "", nil
		}
		after, ok := strings.CutPrefix(rest, " AND ")
		if !ok {
			return nil, false, "", errors.New("expected AND at " + rest)
		}
		rest = after
	}
	after, ok := strings.CutPrefix(rest, "location_prefixes = ")
	if !ok {
		return nil, false, "", errors.New("expected location_prefixes at " + rest)
	}
	if jur, rest, err = parseQuoted(after); err != nil {
		return nil, false, "", err
	}
	if rest != "" {
		return nil, false, "", errors.New("trailing text " + rest)
	}
	return marks, restricted, jur, nil
}

func parseQuoted(s string) (val, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", errors.New("expected a quoted string at " + s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("dangling backslash")
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errors.New("unterminated string")
}

func TestScopeFilterHostileValuesStayValues(t *testing.T) {
	hostile := []string{
		`liugehetao`,
		`a"b`,
		`a\`,
		`\"`,
		`\\" OR mark_id EXISTS OR "`,
		`" OR mark_id EXISTS`,
		`x" OR mark_id != "y`,
		`] OR mark_id EXISTS OR mark_id IN [`,
		`", "hengshui-laobaigan`,
		"",
		"liugehetao", // duplicates collapse
	}
	tests := []struct {
		name  string
		scope domain.Scope
		marks []string
		jur   string
	}{
		{"hostile marks", domain.Scope{Restricted: true, MarkIDs: hostile}, hostile, ""},
		{"hostile jurisdiction", domain.Scope{Jurisdiction: `  河北"  OR alert = true OR location = "x\ `}, nil, `河北" OR alert = true OR location = "x\`},
		{"both", domain.Scope{Restricted: true, MarkIDs: []string{`a" OR "1`}, Jurisdiction: "河北\t石家庄"}, []string{`a" OR "1`}, "河北 石家庄"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expr := index.ScopeFilter(tc.scope)
			marks, restricted, jur, err := parseScopeFilter(expr)
			if err != nil {
				t.Fatalf("ScopeFilter = %s: not a single IN list and equality: %v", expr, err)
			}
			want := slices.Compact(slices.Sorted(slices.Values(tc.marks)))
			if restricted != tc.scope.Restricted || !slices.Equal(marks, want) || jur != tc.jur {
				t.Errorf("ScopeFilter = %s\nparsed marks %q (restricted %v), jurisdiction %q\nwant marks %q, jurisdiction %q",
					expr, marks, restricted, jur, want, tc.jur)
			}
		})
	}
}
