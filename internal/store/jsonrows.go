package store

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonRows builds one statement parameter holding many rows, a JSON array
// of arrays that the statement reads with json_each: one bound value and
// one statement per batch instead of one statement per row (issue 12).
//
// A row holding a value JSON cannot carry exactly is dropped whole: a
// string that is not UTF-8 (a JSON encoder would replace the bytes, and a
// comparison could then match a row that differs) or holds NUL (SQLite's
// text stops there), or a float that is not finite. Its listing then
// takes the slow path, which binds its values one by one.
type jsonRows struct {
	b      []byte
	rows   int
	start  int // where the current row begins in b
	fields int // fields of the current row so far
	bad    bool
}

func newJSONRows(sizeHint int) *jsonRows {
	j := &jsonRows{b: make([]byte, 1, max(sizeHint, 1))}
	j.b[0] = '['
	return j
}

// begin starts a row.
func (j *jsonRows) begin() {
	j.start, j.fields, j.bad = len(j.b), 0, false
	if j.rows > 0 {
		j.b = append(j.b, ',')
	}
	j.b = append(j.b, '[')
}

// end closes the row and reports whether it was kept; a dropped row
// leaves nothing behind.
func (j *jsonRows) end() bool {
	if j.bad {
		j.b = j.b[:j.start]
		return false
	}
	j.b = append(j.b, ']')
	j.rows++
	return true
}

func (j *jsonRows) sep() {
	if j.fields > 0 {
		j.b = append(j.b, ',')
	}
	j.fields++
}

func (j *jsonRows) int(n int64) {
	j.sep()
	j.b = strconv.AppendInt(j.b, n, 10)
}

// id writes a nullable id: 0 is null, as nullID binds it.
func (j *jsonRows) id(n int64) {
	if n == 0 {
		j.sep()
		j.b = append(j.b, "null"...)
		return
	}
	j.int(n)
}

func (j *jsonRows) bool(v bool) {
	if v {
		j.int(1)
		return
	}
	j.int(0)
}

// float writes the shortest decimal that parses back to f; SQLite's
// text-to-float conversion is correctly rounded, so the value compared in
// SQL is f itself (TestJSONRowsCarryValuesExactly).
func (j *jsonRows) float(f float64) {
	j.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		j.bad = true
		return
	}
	j.b = strconv.AppendFloat(j.b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

func (j *jsonRows) str(s string) {
	j.sep()
	j.b = append(j.b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				j.bad = true
				return
			}
			j.b = append(j.b, s[i:i+size]...)
			i += size
			continue
		}
		switch {
		case c == 0:
			j.bad = true
			return
		case c == '"' || c == '\\':
			j.b = append(j.b, '\\', c)
		case c < 0x20:
			j.b = append(j.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			j.b = append(j.b, c)
		}
		i++
	}
	j.b = append(j.b, '"')
}

// text is the parameter: the array of the rows kept.
func (j *jsonRows) text() string {
	return string(append(j.b, ']'))
}
