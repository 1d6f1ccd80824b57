package web

import (
	"slices"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// segment is a run of a title, marked when reasons point at it. The
// template wraps marked runs in <mark title="Note">; keeping the text plain
// here lets html/template escape the untrusted title, which a pre-built
// template.HTML would bypass.
type segment struct {
	Text   string
	Marked bool
	Note   string // the reasons' texts, for the hover
	// Context marks runs that only place the listing among the mark's goods
	// ("商品: 核桃乳"): evidence, but not the look-alike itself, so the
	// console shows them apart.
	Context bool
}

// span is a rune range [start, end) of a title and the reasons behind it.
type span struct {
	start, end int
	notes      []string
	context    bool // every reason behind it is tactic "context"
}

// highlight cuts title into segments, marking the rune ranges the reasons
// point at. Reasons without a span (-1) are left out, ranges are clipped
// to the title, and overlapping ranges become one mark carrying every
// reason's text, so no character is wrapped twice.
func highlight(title string, reasons []domain.Reason) []segment {
	runes := []rune(title)
	spans := spansOf(len(runes), reasons)
	var out []segment
	at := 0
	for _, s := range spans {
		if s.start > at {
			out = append(out, segment{Text: string(runes[at:s.start])})
		}
		out = append(out, segment{Text: string(runes[s.start:s.end]), Marked: true, Note: strings.Join(s.notes, "；"), Context: s.context})
		at = s.end
	}
	if at < len(runes) {
		out = append(out, segment{Text: string(runes[at:])})
	}
	return out
}

// spansOf returns the reasons' ranges within a title of n runes, sorted and
// merged where they overlap. Ranges that only touch stay apart so each keeps
// its own explanation.
func spansOf(n int, reasons []domain.Reason) []span {
	var spans []span
	for _, r := range reasons {
		start, end, ok := clip(r, n)
		if !ok {
			continue
		}
		spans = append(spans, span{start: start, end: end, notes: []string{r.Text}, context: r.Tactic == tacticContext})
	}
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	var merged []span
	for _, s := range spans {
		if last := len(merged) - 1; last >= 0 && s.start < merged[last].end {
			merged[last].end = max(merged[last].end, s.end)
			merged[last].context = merged[last].context && s.context
			if !slices.Contains(merged[last].notes, s.notes[0]) {
				merged[last].notes = append(merged[last].notes, s.notes[0])
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// tacticContext is the matcher's tactic for words that set the goods or the
// seller's situation rather than imitate the name.
const tacticContext = "context"

// clip returns r's range within a title of n runes. A reason about the
// listing rather than a span (-1), or one pointing past the title (stored
// before the title was trimmed, say), marks nothing instead of failing the
// page.
func clip(r domain.Reason, n int) (start, end int, ok bool) {
	if r.Start < 0 || r.End < 0 {
		return 0, 0, false
	}
	start, end = r.Start, min(r.End, n)
	if start >= end {
		return 0, 0, false
	}
	return start, end, true
}

// spanText is the part of title a reason points at, "" if none.
func spanText(title string, r domain.Reason) string {
	runes := []rune(title)
	start, end, ok := clip(r, len(runes))
	if !ok {
		return ""
	}
	return string(runes[start:end])
}
