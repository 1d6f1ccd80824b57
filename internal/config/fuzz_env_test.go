package config

import (
	"errors"
	"maps"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzEnv: whatever a MARKWATCH_* variable holds, Load either takes it or
// refuses it naming the variable; a string setting comes through exactly,
// and Validate never panics on what was taken.
func FuzzEnv(f *testing.F) {
	names := envNames()
	f.Add(uint8(0), "./数据")
	f.Add(uint8(3), "127.0.0.1:99999")
	f.Add(uint8(7), "十秒")
	f.Add(uint8(9), "-1m")
	f.Add(uint8(11), "1e400")
	f.Add(uint8(13), "\x00\xff")
	// Load's steps after the embedded file, which is parsed once here: a
	// YAML parse per input would leave little time for the values.
	base, err := Load("", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pick uint8, value string) {
		name := names[int(pick)%len(names)]
		c := base
		c.origins = maps.Clone(base.origins)
		ps := &problems{}
		applyEnv(ps, &c, func(k string) (string, bool) { return value, k == name })
		err := ps.err()
		if err == nil {
			err = c.Validate()
		}
		if err != nil {
			// A refusal of the variable's own field names the variable; it
			// may also be another field's, one the value made required
			// (notify.smtp.from once notify.smtp.host is set).
			var ce *Error
			if !errors.As(err, &ce) || domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("%s=%q: %v is not a configuration error", name, value, err)
			}
			for _, p := range ce.Problems {
				if p.Field == pathOf(name) && p.Where != name {
					t.Fatalf("%s=%q refused without naming the variable: %v", name, value, p)
				}
			}
			return
		}
		if got := c.Origin(pathOf(name)); got != name {
			t.Fatalf("%s taken, but its field's origin is %q", name, got)
		}
	})
}

// pathOf is the dotted field path of a variable envNames lists.
func pathOf(env string) string {
	for _, p := range scalarPaths() {
		if envName(p) == env {
			return p
		}
	}
	return ""
}
