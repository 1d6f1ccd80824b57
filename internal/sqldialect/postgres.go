package sqldialect

import (
	"strconv"
	"strings"
)

// maxParam is SQLite's highest parameter number (SQLITE_MAX_VARIABLE_NUMBER).
const maxParam = 32766

// Postgres rewrites one statement written for SQLite into PostgreSQL text
// of the same meaning, or refuses it with an *UnsupportedError naming the
// construct that has none. It rewrites:
//
//   - ? and ?NNN placeholders to $n, numbered as SQLite numbers them (a
//     plain ? is one more than the highest number before it), so the same
//     argument list binds the same values;
//   - scalar max(a, b, …) and min(a, b, …) to GREATEST and LEAST (the
//     one-argument aggregates stay; GREATEST skips NULLs where SQLite's max
//     returns NULL, the same for the store's NOT NULL columns);
//   - a IS b and a IS NOT b, b not NULL/TRUE/FALSE, to a IS NOT DISTINCT
//     FROM b and a IS DISTINCT FROM b;
//   - LIKE to ILIKE: SQLite's LIKE ignores ASCII case, and over the
//     schema's COLLATE "C" text so does ILIKE; a pattern without ESCAPE
//     gets an empty ESCAPE, since PostgreSQL's default escape is a
//     backslash and SQLite's is none;
//   - x'…' blobs to '\x…'::bytea, == to =, COLLATE BINARY to COLLATE "C",
//     ifnull to coalesce, instr to strpos, char(n) to chr(n), CAST(… AS
//     INTEGER/REAL/BLOB) to BIGINT/DOUBLE PRECISION/BYTEA (SQLite's
//     INTEGER is 64 bits, its REAL 8 bytes);
//   - quoted identifiers ("…", `…`, […]) to "…" in lower case (SQLite
//     matches names without regard to case, quoted or not; the schema's
//     are lower case), and words PostgreSQL reserves but SQLite does not
//     (fetch, user, …), which can only be names in a SQLite statement, to
//     quoted names.
//
// It never changes what is inside string literals, quoted identifiers or
// comments. Anything else is left as written: PostgreSQL reports what it
// does not take when the statement is prepared.
func Postgres(sqliteSQL string) (string, error) {
	toks, lerr := lex(sqliteSQL)
	if lerr != nil {
		return "", invalid(lerr.pos, lerr.what)
	}
	r := newRewriter(toks)
	if err := r.run(); err != nil {
		return "", err
	}
	return r.String(), nil
}

// rewriter holds one statement's tokens and what replaces each.
type rewriter struct {
	toks   []token
	sig    []int       // indexes into toks of the tokens that are not space or comments
	match  map[int]int // sig position of a ( to that of its )
	commas map[int]int // sig position of a ( to the number of commas directly inside it
	out    []string    // text per token, toks[i].text unless rewritten
	after  []string    // text inserted after toks[i]
	done   []bool      // per sig position: rewritten by the rule of an earlier token
	params int         // highest parameter number so far
	casts  []bool      // open parentheses, innermost last: true for CAST(
	// subqueries counts the names given to unnamed subqueries.
	subqueries int
}

func newRewriter(toks []token) *rewriter {
	r := &rewriter{
		toks:   toks,
		match:  map[int]int{},
		commas: map[int]int{},
		out:    make([]string, len(toks)),
		after:  make([]string, len(toks)),
	}
	for i, t := range toks {
		r.out[i] = t.text
		if t.kind != kSpace && t.kind != kComment {
			r.sig = append(r.sig, i)
		}
	}
	r.done = make([]bool, len(r.sig))
	var open []int
	for p, i := range r.sig {
		switch toks[i].kind {
		case kOpen:
			open = append(open, p)
		case kClose:
			if len(open) > 0 {
				r.match[open[len(open)-1]] = p
				open = open[:len(open)-1]
			}
		case kComma:
			if len(open) > 0 {
				r.commas[open[len(open)-1]]++
			}
		}
	}
	return r
}

// tok is the significant token at sig position p; a kPunct with no text
// past either end.
func (r *rewriter) tok(p int) token {
	if p < 0 || p >= len(r.sig) {
		return token{kind: kPunct, pos: -1}
	}
	return r.toks[r.sig[p]]
}

// word is the lower-cased word at p, "" when p is not a word.
func (r *rewriter) word(p int) string {
	t := r.tok(p)
	if t.kind != kWord {
		return ""
	}
	return strings.ToLower(t.text)
}

// set rewrites the token at p. A later token rewritten this way is left
// alone by its own rules (COLLATE BINARY's "C" is not a reserved word).
func (r *rewriter) set(p int, text string) {
	r.out[r.sig[p]] = text
	r.done[p] = true
}

func unsupported(t token, construct, why string) error {
	return &UnsupportedError{Construct: construct, Offset: t.pos, Why: why}
}

func (r *rewriter) run() error {
	r.qualifyUpsert()
	for p := range r.sig {
		if r.done[p] {
			continue
		}
		t := r.tok(p)
		var err error
		switch t.kind {
		case kParam:
			err = r.param(p, t)
		case kNamedParam:
			err = unsupported(t, "named parameter "+t.text, "the store binds parameters by position; write ?")
		case kHexNumber:
			err = unsupported(t, "hexadecimal literal "+t.text, "PostgreSQL 15 reads 0x… as 0 followed by an alias")
		case kBlob:
			r.set(p, `'\x`+t.text[2:len(t.text)-1]+`'::bytea`)
		case kQuoted, kBacktick, kBracket:
			r.set(p, quoteIdent(unquoteIdent(t)))
		case kOp:
			switch t.text {
			case "->", "->>":
				err = unsupported(t, t.text, "SQLite's JSON operators read JSON held in TEXT; PostgreSQL's need json or jsonb and return other types")
			case "==":
				r.set(p, "=")
			}
		case kOpen:
			r.casts = append(r.casts, r.word(p-1) == "cast")
			r.aliasSubquery(p)
		case kClose:
			if len(r.casts) > 0 {
				r.casts = r.casts[:len(r.casts)-1]
			}
		case kWord:
			err = r.wordRule(p, t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// param numbers a placeholder as SQLite does (bind.c: a bare ? is one more
// than the largest number so far).
func (r *rewriter) param(p int, t token) error {
	n := r.params + 1
	if len(t.text) > 1 {
		v, err := strconv.Atoi(t.text[1:])
		if err != nil || v < 1 || v > maxParam {
			return invalid(t.pos, "parameter "+t.text+" is not ?1 to ?"+strconv.Itoa(maxParam))
		}
		n = v
	}
	if n > maxParam {
		return invalid(t.pos, "more than "+strconv.Itoa(maxParam)+" parameters")
	}
	r.params = max(r.params, n)
	r.set(p, "$"+strconv.Itoa(n))
	return nil
}

// refusedFuncs are SQLite functions without a PostgreSQL function of the
// same meaning, refused when called.
var refusedFuncs = map[string]string{
	"strftime":          "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"date":              "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"time":              "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"datetime":          "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"julianday":         "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"unixepoch":         "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"timediff":          "SQLite's date functions work on text and Julian days; the store's times are integer milliseconds",
	"typeof":            "PostgreSQL's types are the columns', not the values'",
	"iif":               "write CASE WHEN … THEN … ELSE … END",
	"printf":            "PostgreSQL's format() has other verbs",
	"format":            "PostgreSQL's format() has other verbs",
	"group_concat":      "PostgreSQL's string_agg needs the separator and an ORDER BY for a stable order",
	"string_agg":        "SQLite's string_agg and PostgreSQL's differ in argument types",
	"total":             "total() returns 0.0 on no rows where sum() returns NULL; write coalesce(sum(…), 0)",
	"last_insert_rowid": "PostgreSQL has no rowid; use RETURNING id",
	"changes":           "use the driver's RowsAffected",
	"total_changes":     "use the driver's RowsAffected",
	"random":            "SQLite's random() is a 64-bit integer, PostgreSQL's a float in [0, 1)",
	"randomblob":        "no PostgreSQL function of that name",
	"zeroblob":          "no PostgreSQL function of that name",
	"hex":               "PostgreSQL's encode(…, 'hex') takes bytea and gives lower case",
	"unhex":             "PostgreSQL's decode(…, 'hex') differs on bad input",
	"quote":             "PostgreSQL's quote_literal differs",
	"char":              "PostgreSQL's chr takes one code point; write char(a) || char(b)",
	"unicode":           "PostgreSQL's ascii() is the nearest",
	"likelihood":        "a SQLite planner hint",
	"likely":            "a SQLite planner hint",
	"unlikely":          "a SQLite planner hint",
	"soundex":           "no PostgreSQL function of that name without an extension",
	"glob":              "PostgreSQL has no GLOB; write LIKE or a regular expression",
	"regexp":            "SQLite's regexp is an application function",
}

// reservedInPostgres are words PostgreSQL reserves (or reserves as column
// names) that SQLite does not: in a SQLite statement they can only be names,
// so they are quoted. The schema's names are lower case.
var reservedInPostgres = map[string]bool{
	"fetch": true, "array": true, "asymmetric": true, "both": true, "lateral": true, "leading": true,
	"localtime": true, "localtimestamp": true, "only": true, "placing": true, "session_user": true,
	"some": true, "symmetric": true, "trailing": true, "user": true, "variadic": true,
	"current_catalog": true, "current_role": true, "current_schema": true, "current_user": true,
	"analyse": true, "authorization": true, "binary": true, "collation": true, "concurrently": true,
	"freeze": true, "ilike": true, "overlaps": true, "similar": true, "tablesample": true, "verbose": true,
}

func (r *rewriter) wordRule(p int, t token) error {
	w := strings.ToLower(t.text)
	next := r.word(p + 1)
	call := r.tok(p+1).kind == kOpen
	qualified := r.tok(p-1).kind == kPunct && r.tok(p-1).text == "."
	switch {
	case qualified:
		// A name after "table.": only the naming rules apply.
	case w == "pragma":
		return unsupported(t, "PRAGMA", "PostgreSQL has no PRAGMA; settings and catalog queries differ")
	case (w == "insert" || w == "update") && next == "or":
		return unsupported(t, strings.ToUpper(w+" or "+r.word(p+2)),
			"PostgreSQL has no conflict clause; write ON CONFLICT (…) DO NOTHING / DO UPDATE")
	case w == "replace" && next == "into":
		return unsupported(t, "REPLACE INTO", "PostgreSQL has no REPLACE; write ON CONFLICT (…) DO UPDATE")
	case w == "autoincrement":
		return unsupported(t, "AUTOINCREMENT", "PostgreSQL uses identity columns")
	case w == "glob" || w == "regexp" || w == "match":
		return unsupported(t, strings.ToUpper(w), "PostgreSQL has no "+strings.ToUpper(w)+" operator of that meaning")
	case w == "indexed":
		return unsupported(t, "INDEXED BY", "a SQLite planner hint")
	case w == "collate":
		switch next {
		case "nocase", "rtrim":
			return unsupported(t, "COLLATE "+strings.ToUpper(next),
				"PostgreSQL has no such collation for a statement; compare lower() or use a column with the nocase collation")
		case "binary":
			r.set(p+1, `"C"`)
		}
		return nil
	case (w == "max" || w == "min") && call && r.commas[p+1] > 0:
		r.set(p, map[string]string{"max": "GREATEST", "min": "LEAST"}[w])
		return nil
	case w == "ifnull" && call:
		r.set(p, "coalesce")
		return nil
	case w == "instr" && call:
		r.set(p, "strpos")
		return nil
	case w == "char" && call && r.commas[p+1] == 0:
		r.set(p, "chr") // one code point: the store's char(9) … char(12288)
		return nil
	case strings.HasPrefix(w, "json") && call:
		return unsupported(t, w, "SQLite's JSON functions read JSON held in TEXT; PostgreSQL's take json or jsonb and differ (a batch of rows is jsonb_to_recordset or unnest there)")
	case w == "like" && call && r.commas[p+1] > 0:
		return unsupported(t, "like()", "write the LIKE operator")
	case call && refusedFuncs[w] != "":
		return unsupported(t, w+"()", refusedFuncs[w])
	case w == "is":
		return r.is(p, t)
	case w == "like":
		return r.like(p, t)
	case w == "limit":
		if _, _, term := r.span(p + 1); term == "," {
			return unsupported(t, "LIMIT offset, count", "write LIMIT count OFFSET offset")
		}
		return nil
	case w == "as" && len(r.casts) > 0 && r.casts[len(r.casts)-1]:
		switch next {
		case "integer", "int":
			r.set(p+1, "BIGINT")
		case "real", "float":
			r.set(p+1, "DOUBLE PRECISION")
		case "blob":
			r.set(p+1, "BYTEA")
		}
		return nil
	}
	switch w {
	case "rowid", "_rowid_":
		return unsupported(t, "rowid", "PostgreSQL tables have no rowid; name the key column")
	}
	if reservedInPostgres[w] {
		r.set(p, quoteIdent(w))
	}
	return nil
}

// aliasSubquery names a subquery in FROM or JOIN that has no name:
// PostgreSQL 15 requires one, SQLite does not.
func (r *rewriter) aliasSubquery(p int) {
	if w := r.word(p - 1); w != "from" && w != "join" {
		return
	}
	if w := r.word(p + 1); w != "select" && w != "values" && w != "with" {
		return
	}
	m, ok := r.match[p]
	if !ok {
		return
	}
	next := r.tok(m + 1)
	w := strings.ToLower(next.text)
	named := next.kind == kQuoted || next.kind == kWord && (w == "as" || !spanEnds[w] && !clauseWords[w])
	if !named {
		r.subqueries++
		r.after[r.sig[m]] += " AS subquery" + strconv.Itoa(r.subqueries)
	}
}

// clauseWords may follow a FROM item and are not its name.
var clauseWords = map[string]bool{"where": true, "limit": true, "union": true, "natural": true, "window": true, "returning": true, "group": true, "order": true}

// is rewrites SQLite's general IS / IS NOT (IS with any operand) to IS
// [NOT] DISTINCT FROM. IS NULL, IS TRUE and IS FALSE mean the same in both.
func (r *rewriter) is(p int, t token) error {
	q := p + 1
	neg := r.word(q) == "not"
	if neg {
		q++
	}
	switch r.word(q) {
	case "null", "true", "false", "distinct":
		return nil
	}
	// SQLite's IS binds like =, left to right; PostgreSQL's IS DISTINCT
	// FROM binds looser than comparisons, so a comparison after the
	// operand would take the operand as its own left side.
	if _, cmp, _ := r.span(q); cmp {
		return unsupported(t, "IS followed by a comparison", "PostgreSQL's IS DISTINCT FROM binds looser than comparisons; parenthesise the IS")
	}
	if neg {
		r.set(p+1, "DISTINCT FROM")
	} else {
		r.set(p, "IS NOT DISTINCT FROM")
	}
	return nil
}

// like rewrites LIKE to ILIKE and gives it SQLite's escape character (none)
// when the statement names none.
func (r *rewriter) like(p int, t token) error {
	r.set(p, "ILIKE")
	end, cmp, term := r.span(p + 1)
	if cmp {
		return unsupported(t, "LIKE followed by a comparison", "SQLite and PostgreSQL group it differently; parenthesise the LIKE")
	}
	if term == "escape" || end < p+1 {
		return nil
	}
	if end == p+1 {
		if op := r.tok(end); op.kind == kString && !strings.Contains(op.text, `\`) {
			return nil
		}
	}
	r.after[r.sig[end]] += " ESCAPE ''"
	return nil
}

// spanEnds are words that end an operand at its own nesting level.
var spanEnds = map[string]bool{
	"and": true, "or": true, "then": true, "else": true, "end": true, "when": true, "where": true,
	"order": true, "group": true, "having": true, "limit": true, "offset": true, "union": true,
	"except": true, "intersect": true, "returning": true, "on": true, "join": true, "from": true,
	"set": true, "do": true, "escape": true, "select": true, "values": true, "window": true,
	"asc": true, "desc": true, "as": true, "filter": true, "over": true, "using": true,
	"natural": true, "left": true, "inner": true, "cross": true, "full": true, "right": true, "outer": true,
}

// comparisons are what SQLite groups with IS and LIKE (one precedence level).
var comparisons = map[string]bool{
	"=": true, "==": true, "!=": true, "<>": true, "<": true, ">": true, "<=": true, ">=": true,
	"is": true, "like": true, "glob": true, "in": true, "between": true, "isnull": true, "notnull": true,
	"match": true, "regexp": true,
}

// span finds the operand starting at sig position q: it returns its last
// position (q-1 when empty), whether a comparison sits at its top level,
// and what ended it (a word, ",", ")", ";" or "" at the end of the text).
func (r *rewriter) span(q int) (end int, cmp bool, term string) {
	depth := 0
	for k := q; k < len(r.sig); k++ {
		t := r.tok(k)
		switch t.kind {
		case kOpen:
			depth++
		case kClose:
			if depth == 0 {
				return k - 1, cmp, ")"
			}
			depth--
		case kComma:
			if depth == 0 {
				return k - 1, cmp, ","
			}
		case kPunct:
			if t.text == ";" && depth == 0 {
				return k - 1, cmp, ";"
			}
		case kOp:
			if depth == 0 && comparisons[t.text] {
				cmp = true
			}
		case kWord:
			w := strings.ToLower(t.text)
			switch {
			case w == "case":
				depth++
			case w == "end" && depth > 0:
				depth--
			case depth == 0 && spanEnds[w]:
				return k - 1, cmp, w
			case depth == 0 && k > q && comparisons[w]:
				cmp = true
			}
		}
	}
	return len(r.sig) - 1, cmp, ""
}

// unquoteIdent is the name a quoted identifier stands for. SQLite matches
// names without regard to ASCII case, quoted or not, and the schema's are
// lower case, so the name is lower-cased.
func unquoteIdent(t token) string {
	s := t.text[1 : len(t.text)-1]
	switch t.kind {
	case kQuoted:
		s = strings.ReplaceAll(s, `""`, `"`)
	case kBacktick:
		s = strings.ReplaceAll(s, "``", "`")
	}
	return asciiLower(s)
}

func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// String joins the rewritten tokens. Two tokens that SQLite reads apart but
// PostgreSQL would read as one (a placeholder after a name, "a$1"; two
// operators, "!=-1", one operator to PostgreSQL) are spaced.
func (r *rewriter) String() string {
	var b strings.Builder
	for i, s := range r.out {
		for _, part := range []string{s, r.after[i]} {
			if part == "" {
				continue
			}
			if b.Len() > 0 && needsSpace(b.String()[b.Len()-1], part[0]) {
				b.WriteByte(' ')
			}
			b.WriteString(part)
		}
	}
	return b.String()
}

func needsSpace(last, first byte) bool {
	return isIdentByte(last) && isIdentByte(first) || isPgOpByte(last) && isPgOpByte(first)
}

// isPgOpByte: PostgreSQL reads a run of these as one operator.
func isPgOpByte(c byte) bool { return strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0 }
