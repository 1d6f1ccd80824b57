package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/yamlcheck"
)

// Load builds the configuration: Default, then the embedded
// config/markwatch.yaml, then the file at path ("" for none), then MARKWATCH_*
// variables from getenv (nil for none; pass os.LookupEnv in main). The result
// is validated. Every problem found is reported in one *Error (code
// EINVALID) naming the file and line, or the variable, and the field.
func Load(path string, getenv func(string) (string, bool)) (Config, error) {
	c := Default()
	c.origins = make(map[string]string)
	ps := &problems{}

	embedded, err := fs.ReadFile(defaults.FS, defaults.DaemonConfig)
	if err != nil {
		// The file is compiled in; failing here means a broken build.
		return Config{}, fmt.Errorf("reading the embedded %s%s: %w", defaults.DisplayPrefix, defaults.DaemonConfig, err)
	}
	(&decoder{file: defaults.DisplayPrefix + defaults.DaemonConfig, ps: ps, origins: c.origins}).overlay(&c, embedded)

	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			msg := err.Error()
			var pe *fs.PathError
			if errors.As(err, &pe) {
				msg = pe.Err.Error() // the path is already in front
			}
			return Config{}, yamlcheck.ReadError(Problem{Where: path, Msg: "reading the configuration: " + msg}, err)
		}
		(&decoder{file: path, ps: ps, origins: c.origins}).overlay(&c, data)
	}

	applyEnv(ps, &c, getenv)
	// Values that failed to parse would only cause confusing follow-on
	// problems in validation.
	if err := ps.err(); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Origin says where the value of a field (dotted path, e.g. "http.listen")
// came from: "file:line", an environment variable, or "" for a default or a
// value set in code. Useful in messages about values that are valid but do
// not work (a port already in use).
func (c Config) Origin(path string) string { return c.origins[path] }
