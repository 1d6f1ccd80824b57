package storecopy

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"testing"
)

// decodeRow reads n values back from an encoding, failing on anything
// left over or missing: that the encoding can be read back is what makes
// it injective (distinct rows, distinct bytes).
func decodeRow(b []byte, n int) ([]any, bool) {
	var vals []any
	for range n {
		if len(b) == 0 {
			return nil, false
		}
		tag := b[0]
		b = b[1:]
		if tag == tagNull {
			vals = append(vals, nil)
			continue
		}
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return nil, false
		}
		p := b[k : k+int(l)]
		b = b[k+int(l):]
		switch tag {
		case tagInt:
			i, err := strconv.ParseInt(string(p), 10, 64)
			if err != nil {
				return nil, false
			}
			vals = append(vals, i)
		case tagFloat:
			f, err := strconv.ParseFloat(string(p), 64)
			if err != nil {
				return nil, false
			}
			vals = append(vals, f)
		case tagText:
			vals = append(vals, string(p))
		case tagBlob:
			vals = append(vals, bytes.Clone(p))
		default:
			return nil, false
		}
	}
	return vals, len(b) == 0
}

// sameValue is value equality as the encoding means it: types differ,
// floats by their bits (so -0 is not 0), except that every NaN is one
// value (both databases have one NaN).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return false
}

func sameRow(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

// rowFrom makes a row from fuzz bytes: each value a kind byte then, for
// the kinds with payloads, a length byte and that many bytes (an integer
// and a float from up to 8 of them).
func rowFrom(b []byte) []any {
	var row []any
	for len(b) > 0 {
		k := b[0] % 5
		b = b[1:]
		if k == 0 {
			row = append(row, nil)
			continue
		}
		n := 0
		if len(b) > 0 {
			n = min(int(b[0]), len(b)-1)
			b = b[1:]
		}
		p := b[:n]
		b = b[n:]
		var word [8]byte
		copy(word[:], p)
		switch k {
		case 1:
			row = append(row, int64(binary.LittleEndian.Uint64(word[:])))
		case 2:
			row = append(row, math.Float64frombits(binary.LittleEndian.Uint64(word[:])))
		case 3:
			row = append(row, string(p))
		case 4:
			row = append(row, bytes.Clone(p))
		}
	}
	return row
}

func TestEncodingTellsValuesApart(t *testing.T) {
	tests := []struct {
		name string
		a, b []any
	}{
		{"NULL and empty text", []any{nil}, []any{""}},
		{"NULL and zero", []any{nil}, []any{int64(0)}},
		{"empty text and empty blob", []any{""}, []any{[]byte{}}},
		{"integer and its text", []any{int64(7)}, []any{"7"}},
		{"integer and float", []any{int64(1)}, []any{1.0}},
		{"zero and negative zero", []any{0.0}, []any{math.Copysign(0, -1)}},
		{"neighbouring floats", []any{59.9}, []any{math.Nextafter(59.9, 60)}},
		{"a value split differently", []any{"六个", "核桃"}, []any{"六个核", "桃"}},
		{"look-alike titles", []any{"六个核桃"}, []any{"陆个核桃"}},
		{"swapped columns", []any{"a", int64(1)}, []any{int64(1), "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ea, err := appendRow(nil, tt.a)
			if err != nil {
				t.Fatal(err)
			}
			eb, err := appendRow(nil, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(ea, eb) {
				t.Errorf("%v and %v encode alike: %q", tt.a, tt.b, ea)
			}
		})
	}
	if _, err := appendValue(nil, true); err == nil {
		t.Error("a bool was encoded; the copy stores 0/1 integers")
	}
}

// Reordered rows change a table's hash, though the same rows are there.
func TestTableHashSeesOrder(t *testing.T) {
	sum := func(rows ...[]any) Table {
		h := newTableHash("listings", []string{"id", "title"})
		for _, r := range rows {
			if _, err := h.add(r); err != nil {
				t.Fatal(err)
			}
		}
		return h.sum("listings")
	}
	a, b := []any{int64(1), "六个核桃"}, []any{int64(2), "陆个核桃"}
	if sum(a, b) == sum(b, a) {
		t.Error("swapping two rows keeps the hash")
	}
	if sum(a, b) == sum(a) {
		t.Error("dropping a row keeps the hash")
	}
	if x, y := sum(a, b), sum(a, b); x != y || x.Rows != 2 {
		t.Errorf("the same rows hash as %v and %v", x, y)
	}
}

func FuzzEncoding(f *testing.F) {
	f.Add([]byte{0, 3, 0}, []byte{3, 0})                         // NULL, '' against ''
	f.Add([]byte{1, 1, 7}, []byte{3, 1, '7'})                    // 7 against '7'
	f.Add([]byte{3, 2, 'a', 'b'}, []byte{3, 1, 'a', 3, 1, 'b'})  // 'ab' against 'a', 'b'
	f.Add([]byte{2, 8, 0, 0, 0, 0, 0, 0, 0, 0x80}, []byte{2, 0}) // -0 against 0
	f.Add([]byte("\x03\x0c六个核桃"), []byte("\x03\x0c陆个核桃"))        // look-alikes
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, b := rowFrom(x), rowFrom(y)
		ea, err := appendRow(nil, a)
		if err != nil {
			t.Fatal(err)
		}
		eb, err := appendRow(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		back, ok := decodeRow(ea, len(a))
		if !ok || !sameRow(back, a) {
			t.Fatalf("%v encodes as %q, which reads back as %v", a, ea, back)
		}
		if bytes.Equal(ea, eb) != sameRow(a, b) {
			t.Fatalf("rows %v and %v: encodings equal %v, rows equal %v", a, b, bytes.Equal(ea, eb), sameRow(a, b))
		}
	})
}
