package config

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxProblems caps one error's list: a file with more is likely not a
// markwatch config at all, and the first problems matter most.
const maxProblems = 20

// Problem is one thing wrong with the configuration.
type Problem struct {
	// Where is "file:line", "file", an environment variable name, or ""
	// for a value set in code.
	Where string
	Field string // dotted path, e.g. "http.listen"; "" for the whole file
	Msg   string // what is wrong and how to fix it
}

func (p Problem) String() string {
	var parts []string
	if p.Where != "" {
		parts = append(parts, p.Where)
	}
	if p.Field != "" {
		parts = append(parts, fmt.Sprintf("field %q", p.Field))
	}
	parts = append(parts, p.Msg)
	return strings.Join(parts, ": ")
}

// Error lists every problem found in the configuration. It unwraps to a
// *domain.Error with code EINVALID (and to an I/O cause when there is one).
type Error struct {
	Problems []Problem
	Omitted  int // problems found beyond maxProblems
	cause    error
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

type problems struct {
	list    []Problem
	omitted int
}

func (ps *problems) add(where, field, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, Problem{Where: where, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list, Omitted: ps.omitted}
}
