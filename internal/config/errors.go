package config

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/yamlcheck"
)

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

// Error lists every problem found in the configuration, one per line, with
// "... and N more problems" past the cap. It unwraps to a *domain.Error with
// code EINVALID (and to an I/O cause when there is one).
type Error = yamlcheck.Error[Problem]

// problems collects Problems from every source of configuration: files,
// environment variables and validation.
type problems struct {
	list yamlcheck.List[Problem]
}

func (ps *problems) add(where, field, format string, args ...any) {
	ps.list.Add(Problem{Where: where, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error { return ps.list.Err() }
