package sqldialect

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzPostgres: Postgres never panics, and a statement it translates keeps
// its placeholders: as many as SQLite counts, numbered so the highest is
// SQLite's parameter count, none left as ?. The placeholders are counted
// by scanText, written apart from the lexer it checks.
func FuzzPostgres(f *testing.F) {
	for _, s := range storeStatements(f, "../store") {
		f.Add(s.sql)
	}
	for _, s := range []string{
		"SELECT ?3, ?, ?1, ? FROM t WHERE a IS ? AND b LIKE ?",
		"SELECT '?''?', \"?\"\"\", `?`, [?], x'3f' -- ?\n/* ? */ ?",
		"SELECT a?b, 1?2, ?abc, ??",
		"SELECT max(a, ?), min(?), max(min(?, ?)) FROM t",
		"UPDATE t SET a = ? WHERE b!=-? AND c IS NOT ? AND d LIKE '%' || ? ESCAPE '\\'",
		"SELECT '衡水老白干 67度', ? FROM listings WHERE title LIKE ?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Postgres(in)
		if err != nil {
			return
		}
		want := scanText(in, false)
		got := scanText(out, true)
		if got.stray > 0 {
			t.Fatalf("Postgres(%q) = %q: %d ? left outside literals", in, out, got.stray)
		}
		if got.count != want.count || got.highest != want.highest {
			t.Fatalf("Postgres(%q) = %q: %d placeholders up to $%d, want %d up to %d",
				in, out, got.count, got.highest, want.count, want.highest)
		}
	})
}

type placeholders struct {
	count   int // placeholder tokens
	highest int // the highest parameter number (SQLite: its parameter count)
	stray   int // ? outside literals in PostgreSQL text
}

// scanText counts placeholders outside literals, quoted names and
// comments: SQLite's ? and ?NNN, or PostgreSQL's $NNN when pg.
func scanText(s string, pg bool) placeholders {
	var p placeholders
	closing := map[byte]byte{'\'': '\'', '"': '"', '`': '`', '[': ']'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "--"):
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(s)
			}
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(s)
			}
		case closing[c] != 0 && !(pg && (c == '`' || c == '[')):
			j := strings.IndexByte(s[i+1:], closing[c])
			if j < 0 {
				i = len(s)
			} else {
				i += j + 1 // a doubled quote closes and reopens: the same count
			}
		case !pg && c == '?' || pg && c == '$':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if pg && (j == i+1 || i > 0 && isNameByte(s[i-1])) {
				continue // a $ in a name
			}
			n := p.highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(s[i+1 : j])
			}
			p.count++
			p.highest = max(p.highest, n)
			i = j - 1
		case pg && c == '?':
			p.stray++
		}
	}
	return p
}

func isNameByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
