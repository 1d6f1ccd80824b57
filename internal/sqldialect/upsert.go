package sqldialect

import "strings"

// notColumns are the words of an upsert's SET and WHERE expressions that
// are not column names.
var notColumns = map[string]bool{
	"case": true, "when": true, "then": true, "else": true, "end": true, "and": true, "or": true,
	"not": true, "is": true, "null": true, "true": true, "false": true, "distinct": true, "from": true,
	"in": true, "between": true, "like": true, "escape": true, "cast": true, "as": true,
	"collate": true, "exists": true, "where": true, "excluded": true,
}

// qualifyUpsert qualifies the bare column names of an INSERT's ON CONFLICT
// … DO UPDATE SET expressions and WHERE with the target table. SQLite
// reads a bare name there as the target row's column; PostgreSQL finds it
// in both the target and excluded and calls it ambiguous. The names being
// set stay bare, as PostgreSQL requires.
func (r *rewriter) qualifyUpsert() {
	target := r.upsertTarget()
	if target == "" {
		return
	}
	for p := 0; p+2 < len(r.sig); p++ {
		if r.word(p) == "do" && r.word(p+1) == "update" && r.word(p+2) == "set" {
			r.qualifyFrom(p+3, target)
			return
		}
	}
}

// upsertTarget is the name (or alias) of the table an INSERT writes, ""
// when the statement is not an INSERT.
func (r *rewriter) upsertTarget() string {
	if r.word(0) != "insert" || r.word(1) != "into" {
		return ""
	}
	name := r.tok(2)
	if name.kind != kWord && name.kind != kQuoted {
		return ""
	}
	if r.word(3) == "as" && r.tok(4).kind == kWord {
		return r.tok(4).text
	}
	return name.text
}

func (r *rewriter) qualifyFrom(start int, target string) {
	depth := 0
	for k := start; k < len(r.sig); k++ {
		t := r.tok(k)
		switch t.kind {
		case kOpen:
			if w := r.word(k + 1); w == "select" || w == "with" || w == "values" {
				if m, ok := r.match[k]; ok {
					k = m // a subquery has its own names
					continue
				}
			}
			depth++
		case kClose:
			if depth == 0 {
				return
			}
			depth--
		case kPunct:
			if t.text == ";" {
				return
			}
		case kWord:
			w := strings.ToLower(t.text)
			if depth == 0 && w == "returning" {
				return
			}
			prev, next := r.tok(k-1), r.tok(k+1)
			switch {
			case notColumns[w], w == "rowid" || w == "_rowid_":
			case prev.kind == kPunct && prev.text == ".", next.kind == kPunct && next.text == ".":
			case next.kind == kOpen:
			case r.word(k-1) == "as" || r.word(k-1) == "collate":
			case depth == 0 && (k == start || prev.kind == kComma) && next.kind == kOp && next.text == "=":
				// the column being set
			default:
				name := t.text
				if reservedInPostgres[w] {
					name = quoteIdent(w)
				}
				r.set(k, target+"."+name)
			}
		}
	}
}
