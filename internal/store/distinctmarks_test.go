package store

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// distinctMarks keeps each mark's best match in first-seen order, whether
// it scans (a few matches) or keeps a map (many).
func TestDistinctMarks(t *testing.T) {
	m := func(id string, score float64) domain.Match { return domain.Match{MarkID: id, Score: score} }
	many := func(n int) (in, want []domain.Match) {
		for i := range n {
			in = append(in, m(fmt.Sprintf("mark-%d", i), 0.5))
		}
		want = append(want, in...)
		in = append(in, m("mark-0", 0.9), m("mark-3", 0.4))
		want[0] = m("mark-0", 0.9)
		return in, want
	}
	manyIn, manyWant := many(distinctMarksScan + 4)
	for _, c := range []struct {
		name     string
		in, want []domain.Match
	}{
		{"none", nil, []domain.Match{}},
		{"one", []domain.Match{m("liugehetao", 0.8)}, []domain.Match{m("liugehetao", 0.8)}},
		{"a mark twice keeps the better", []domain.Match{m("liugehetao", 0.6), m("hengshui-laobaigan", 0.7), m("liugehetao", 0.9)},
			[]domain.Match{m("liugehetao", 0.9), m("hengshui-laobaigan", 0.7)}},
		{"a worse repeat is dropped", []domain.Match{m("qianxi-chestnut", 0.9), m("qianxi-chestnut", 0.3)},
			[]domain.Match{m("qianxi-chestnut", 0.9)}},
		{"past the scan, a map", manyIn, manyWant},
	} {
		if got := distinctMarks(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
