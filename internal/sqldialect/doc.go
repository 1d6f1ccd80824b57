// Package sqldialect carries the store's statements, written once for
// SQLite, to PostgreSQL (docs/DISTRIBUTED.md, "One store package, two
// dialects"). Postgres rewrites what has the same meaning under other
// spelling and refuses, naming it, what has none; a refused statement gets
// a PostgreSQL text declared beside its SQLite one.
//
// The rewrite is lexical: it knows SQLite's tokens (literals, quoted
// names, comments and placeholders are never looked inside) and a few
// shapes around them, not the grammar. That is enough because the input is
// the store's own SQL, which its tests run on SQLite; what PostgreSQL still
// refuses shows when the statement is prepared (see the census test).
package sqldialect
