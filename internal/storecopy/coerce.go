package storecopy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// kind is how a target column stores values, from its PostgreSQL type.
type kind int

const (
	kindInt   kind = iota + 1 // smallint, integer, bigint
	kindFloat                 // double precision, real
	kindText                  // text, varchar
	kindBytes                 // bytea
)

// kindOf maps a PostgreSQL type name (format_type without modifiers) to a
// kind; ok is false for a type markwatch's schema does not use, which the
// copy refuses rather than guess at.
func kindOf(pgType string) (kind, bool) {
	switch pgType {
	case "smallint", "integer", "bigint":
		return kindInt, true
	case "double precision", "real":
		return kindFloat, true
	case "text", "character varying":
		return kindText, true
	case "bytea":
		return kindBytes, true
	}
	return 0, false
}

func (k kind) String() string {
	switch k {
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a float"
	case kindText:
		return "text"
	case kindBytes:
		return "bytes"
	}
	return "an unknown kind"
}

// coerce converts a value read from SQLite into what the target column of
// kind k stores, changing representation only: an INTEGER stays an
// integer (a 0/1 boolean too), an integer in a float column becomes that
// float when it is exactly one, a BLOB in a text column (database/sql binds
// []byte as a BLOB) becomes its text. Text must be UTF-8 without NUL
// bytes, which PostgreSQL's text cannot hold. Anything else is an error
// saying what the value is.
func coerce(v any, k kind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kindInt:
		if i, ok := v.(int64); ok {
			return i, nil
		}
	case kindFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			if f := float64(x); f >= -(1<<63) && f < 1<<63 && int64(f) == x {
				return f, nil
			}
			return nil, fmt.Errorf("integer %d has no exact double precision value", x)
		}
	case kindText:
		switch x := v.(type) {
		case string:
			return x, checkText(x)
		case []byte:
			s := string(x)
			return s, checkText(s)
		}
	case kindBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	}
	return nil, fmt.Errorf("%s is not %s", describeValue(v), k)
}

func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("text %q is not valid UTF-8", clip(s))
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("text %q holds a NUL byte, which PostgreSQL text cannot", clip(s))
	}
	return nil
}

// describeValue names a SQLite value in an error.
func describeValue(v any) string {
	switch x := v.(type) {
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("real %v", x)
	case string:
		return fmt.Sprintf("text %q", clip(x))
	case []byte:
		return fmt.Sprintf("a blob of %d bytes", len(x))
	}
	return fmt.Sprintf("a %T", v)
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// normalise maps what pgx returns for the kinds above onto the values
// appendValue encodes (pgx gives int16 and int32 for smallint and
// integer, float32 for real).
func normalise(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, []byte:
		return x, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	}
	return nil, fmt.Errorf("PostgreSQL returned a %T", v)
}
