package registry

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// maxProblems caps how many problems one error lists: past that, the file is
// probably not a registry at all and more lines would only bury the first.
const maxProblems = yamlcheck.MaxProblems

// Problem is one thing wrong with a registry file, located precisely enough
// for an operator to fix it without searching.
type Problem struct {
	File  string // as given to Parse or Load
	Line  int    // 1-based; 0 when the problem is about the whole file
	Mark  string // `mark "lulu"` or `mark #3` when the id is unusable; "" outside marks
	Field string // dotted path inside the mark or the file, e.g. "origin.places"; may be ""
	Msg   string // what is wrong and what to do about it
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Mark != "" {
		b.WriteString(": ")
		b.WriteString(p.Mark)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, ": field %q", p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// Error lists every problem found in one registry file, one per line, with
// "... and N more problems" past the cap. It unwraps to a *domain.Error with
// code EINVALID so the CLI and the HTTP layer treat it as the operator's to
// fix, and to the underlying I/O error when there is one.
type Error = yamlcheck.Error[Problem]

// problems collects Problems for one file.
type problems struct {
	file string
	list yamlcheck.List[Problem]
}

func (ps *problems) add(line int, mark, field, format string, args ...any) {
	ps.list.Add(Problem{File: ps.file, Line: line, Mark: mark, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error { return ps.list.Err() }
