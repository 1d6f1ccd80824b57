package registry

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxProblems caps how many problems one error lists: past that, the file is
// probably not a registry at all and more lines would only bury the first.
const maxProblems = 20

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

// Error lists every problem found in one registry file. It unwraps to a
// *domain.Error with code EINVALID so the CLI and the HTTP layer treat it as
// the operator's to fix, and to the underlying I/O error when there is one.
type Error struct {
	Problems []Problem
	// Omitted counts problems found beyond maxProblems.
	Omitted int
	cause   error
}

func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more problems", e.Omitted))
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the error code and, for read failures, the cause.
func (e *Error) Unwrap() []error {
	errs := []error{&domain.Error{Code: domain.EINVALID, Message: e.Error()}}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// problems collects Problems for one file.
type problems struct {
	file    string
	list    []Problem
	omitted int
}

func (ps *problems) add(line int, mark, field, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Mark: mark, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list, Omitted: ps.omitted}
}
