package sqldialect

import (
	"strings"
)

// kind is what a token is to the rewriter. Only the distinctions the rules
// need are made: everything that is not a literal, a comment, a word, a
// placeholder or a parenthesis is an operator run or one punctuation byte.
type kind int

const (
	kSpace      kind = iota
	kComment         // -- to end of line, or /* … */
	kString          // '…' (SQLite has no backslash escapes, as PostgreSQL with standard_conforming_strings)
	kBlob            // x'…' or X'…'
	kQuoted          // "…", an identifier in both
	kBacktick        // `…`, an identifier in SQLite only
	kBracket         // […], an identifier in SQLite only
	kWord            // identifier or keyword
	kNumber          // decimal literal
	kHexNumber       // 0x…, which PostgreSQL 15 reads as 0 followed by an alias
	kParam           // ? or ?NNN
	kNamedParam      // :name, @name, $name
	kOp              // operator characters, one token per operator
	kOpen            // (
	kClose           // )
	kComma           // ,
	kPunct           // ; . and anything else
)

type token struct {
	kind kind
	text string
	pos  int // byte offset in the input
}

// lexError is a token the lexer could not finish (an unterminated literal).
type lexError struct {
	what string
	pos  int
}

// lex splits sql into tokens following SQLite's tokenizer (tokenize.c) for
// the forms that matter here. Concatenating the tokens' texts gives sql back.
func lex(sql string) ([]token, *lexError) {
	var toks []token
	i := 0
	emit := func(k kind, end int) {
		toks = append(toks, token{kind: k, text: sql[i:end], pos: i})
		i = end
	}
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			j := i + 1
			for j < len(sql) && strings.IndexByte(" \t\n\r\f", sql[j]) >= 0 {
				j++
			}
			emit(kSpace, j)
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				emit(kComment, len(sql))
			} else {
				emit(kComment, i+j) // the newline stays a space
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return nil, &lexError{"unterminated /* comment", i}
			}
			emit(kComment, i+2+j+2)
		case c == '\'':
			j, ok := closeQuote(sql, i, '\'')
			if !ok {
				return nil, &lexError{"unterminated string literal", i}
			}
			emit(kString, j)
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			j, ok := closeQuote(sql, i+1, '\'')
			if !ok {
				return nil, &lexError{"unterminated blob literal", i}
			}
			emit(kBlob, j)
		case c == '"':
			j, ok := closeQuote(sql, i, '"')
			if !ok {
				return nil, &lexError{"unterminated quoted identifier", i}
			}
			emit(kQuoted, j)
		case c == '`':
			j, ok := closeQuote(sql, i, '`')
			if !ok {
				return nil, &lexError{"unterminated quoted identifier", i}
			}
			emit(kBacktick, j)
		case c == '[':
			j := strings.IndexByte(sql[i:], ']')
			if j < 0 {
				return nil, &lexError{"unterminated [identifier]", i}
			}
			emit(kBracket, i+j+1)
		case c == '?':
			j := i + 1
			for j < len(sql) && isDigit(sql[j]) {
				j++
			}
			emit(kParam, j)
		case (c == ':' || c == '@' || c == '$') && i+1 < len(sql) && isIdentByte(sql[i+1]):
			j := i + 1
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			emit(kNamedParam, j)
		case c == '0' && i+2 < len(sql) && (sql[i+1] == 'x' || sql[i+1] == 'X') && isHexDigit(sql[i+2]):
			j := i + 2
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			emit(kHexNumber, j)
		case isDigit(c) || c == '.' && i+1 < len(sql) && isDigit(sql[i+1]):
			emit(kNumber, numberEnd(sql, i))
		case isIdentStart(c):
			j := i + 1
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			emit(kWord, j)
		case c == '(':
			emit(kOpen, i+1)
		case c == ')':
			emit(kClose, i+1)
		case c == ',':
			emit(kComma, i+1)
		default:
			if n := opLen(sql[i:]); n > 0 {
				emit(kOp, i+n)
			} else {
				emit(kPunct, i+1)
			}
		}
	}
	return toks, nil
}

// closeQuote returns the offset after the quote closing the literal that
// opens at sql[open]; a doubled quote is an escaped one.
func closeQuote(sql string, open int, q byte) (int, bool) {
	for j := open + 1; j < len(sql); j++ {
		if sql[j] != q {
			continue
		}
		if j+1 < len(sql) && sql[j+1] == q {
			j++
			continue
		}
		return j + 1, true
	}
	return 0, false
}

func numberEnd(sql string, i int) int {
	j := i
	for j < len(sql) && isDigit(sql[j]) {
		j++
	}
	if j < len(sql) && sql[j] == '.' {
		j++
		for j < len(sql) && isDigit(sql[j]) {
			j++
		}
	}
	if j < len(sql) && (sql[j] == 'e' || sql[j] == 'E') {
		k := j + 1
		if k < len(sql) && (sql[k] == '+' || sql[k] == '-') {
			k++
		}
		if k < len(sql) && isDigit(sql[k]) {
			j = k
			for j < len(sql) && isDigit(sql[j]) {
				j++
			}
		}
	}
	return j
}

// operators are SQLite's multi-byte operators, longest first.
var operators = []string{"->>", "->", "||", "<<", ">>", "<=", ">=", "==", "!=", "<>"}

// opLen is the length of the operator at the start of s, 0 when s does not
// start with one.
func opLen(s string) int {
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			return len(op)
		}
	}
	if strings.IndexByte("=<>+-*/%&|~!", s[0]) >= 0 {
		return 1
	}
	return 0
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isIdentStart: SQLite takes every byte of a multi-byte UTF-8 character as
// an identifier character, as PostgreSQL does.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }
