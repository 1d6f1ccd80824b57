package yamlcheck

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// MaxProblems caps how many problems one error lists: past that, the input is
// probably not the expected file at all, and more lines would only bury the
// first ones, which matter most.
const MaxProblems = 20

// Error lists every problem found in one input, one per line, each formatted
// by the reader's own Problem type. It unwraps to a *domain.Error with code
// EINVALID, so the CLI and the HTTP layer treat it as the operator's to fix,
// and to the underlying I/O error when there is one.
type Error[P fmt.Stringer] struct {
	Problems []P
	// Omitted counts problems found beyond MaxProblems.
	Omitted int
	cause   error
}

// ReadError is the error for input that could not be read at all: one
// problem saying so, unwrapping to cause as well as to EINVALID.
func ReadError[P fmt.Stringer](p P, cause error) *Error[P] {
	return &Error[P]{Problems: []P{p}, cause: cause}
}

func (e *Error[P]) Error() string {
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
func (e *Error[P]) Unwrap() []error {
	errs := []error{&domain.Error{Code: domain.EINVALID, Message: e.Error()}}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// List gathers problems during one pass over an input, keeping the first
// MaxProblems and counting the rest. The zero value is ready to use.
type List[P fmt.Stringer] struct {
	problems []P
	omitted  int
}

// Add records p, or only counts it once the list is full.
func (l *List[P]) Add(p P) {
	if len(l.problems) >= MaxProblems {
		l.omitted++
		return
	}
	l.problems = append(l.problems, p)
}

// Err is nil when nothing was added, else an *Error with every problem.
func (l *List[P]) Err() error {
	if len(l.problems) == 0 {
		return nil // not a nil *Error, which would be a non-nil error
	}
	return &Error[P]{Problems: l.problems, Omitted: l.omitted}
}
