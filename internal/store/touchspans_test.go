package store

import (
	"reflect"
	"testing"
)

// touchSpans keeps as ranges only runs of at least minSpan consecutive
// ids, whatever order the batch gave them in; every id is in exactly one
// range or the rest.
func TestTouchSpans(t *testing.T) {
	seq := func(from, n int64) []int64 {
		var out []int64
		for i := range n {
			out = append(out, from+i)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		ids   []int64
		spans [][2]int64
		rest  []any
	}{
		{"none", nil, nil, nil},
		{"a page's listings", seq(101, 40), [][2]int64{{101, 140}}, nil},
		{"too short a run", seq(7, minSpan-1), nil, []any{int64(7), int64(8), int64(9), int64(10), int64(11), int64(12), int64(13)}},
		{"just long enough", seq(7, minSpan), [][2]int64{{7, 7 + minSpan - 1}}, nil},
		{"two pages and a stray, shuffled", append(append([]int64{500}, seq(241, 10)...), seq(201, 12)...),
			[][2]int64{{201, 212}, {241, 250}}, []any{int64(500)}},
		{"a gap splits a run", append(seq(1, 9), seq(11, 3)...), [][2]int64{{1, 9}}, []any{int64(11), int64(12), int64(13)}},
	} {
		ids := append([]int64(nil), c.ids...)
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i] // the order must not matter
		}
		spans, rest := touchSpans(ids)
		if !reflect.DeepEqual(spans, c.spans) || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("%s: spans %v rest %v, want %v and %v", c.name, spans, rest, c.spans, c.rest)
		}
	}
}
