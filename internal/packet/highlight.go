package packet

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// segment is a run of a title's text; Marked runs are covered by at least
// one reason's span, Notes are the texts of those reasons.
type segment struct {
	Text   string
	Marked bool
	Notes  string
}

// highlight cuts a title into runs by the reasons' rune spans (Start
// inclusive, End exclusive). Spans that are -1, empty, reversed or outside
// the title are ignored; overlapping spans are merged, and a run's notes
// name every reason covering it.
func highlight(title string, reasons []domain.Reason) []segment {
	runes := []rune(title)
	cover := make([][]int, len(runes)) // reason indices covering each rune
	for i, r := range reasons {
		if r.Start < 0 || r.End <= r.Start || r.End > len(runes) {
			continue
		}
		for j := r.Start; j < r.End; j++ {
			cover[j] = append(cover[j], i)
		}
	}
	var out []segment
	start := 0
	for j := 1; j <= len(runes); j++ {
		if j < len(runes) && sameInts(cover[j], cover[start]) {
			continue
		}
		seg := segment{Text: string(runes[start:j]), Marked: len(cover[start]) > 0}
		if seg.Marked {
			notes := make([]string, len(cover[start]))
			for k, i := range cover[start] {
				notes[k] = reasons[i].Text
			}
			seg.Notes = strings.Join(notes, "；")
		}
		out = append(out, seg)
		start = j
	}
	return out
}

// spanText is the part of the title a reason points at, or "".
func spanText(title string, r domain.Reason) string {
	runes := []rune(title)
	if r.Start < 0 || r.End <= r.Start || r.End > len(runes) {
		return ""
	}
	return string(runes[r.Start:r.End])
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
