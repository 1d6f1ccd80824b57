package config

// redactedText replaces a secret wherever it would be shown.
const redactedText = "[redacted]"

// Secret is a configuration value that must never reach a log or an API
// response. Every way of printing or serialising it shows "[redacted]" (or
// "" when unset, so an operator can still see whether it is configured);
// only Value returns the secret itself.
type Secret string

// Value returns the secret for the code that needs it (an HTTP client).
func (s Secret) Value() string { return string(s) }

// IsSet reports whether a secret was configured.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redactedText
}

// String masks the secret for fmt's %v and %s.
func (s Secret) String() string { return s.mask() }

// GoString masks the secret for fmt's %#v.
func (s Secret) GoString() string { return `"` + s.mask() + `"` }

// MarshalText masks the secret for encoding/json, zap.Any and YAML.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.mask()), nil }
