package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// DefaultAlertThreshold is the score at or above which a hit becomes an alert.
const DefaultAlertThreshold = 0.6

// Options tune the matcher; the zero value means defaults.
type Options struct {
	AlertThreshold float64
}

// Matcher holds the indexed registry. It is read-only after New and safe for
// concurrent use.
type Matcher struct {
	marks     []domain.Mark
	threshold float64
}

// New indexes marks for matching.
func New(marks []domain.Mark, opts Options) (*Matcher, error) {
	th := opts.AlertThreshold
	if th == 0 {
		th = DefaultAlertThreshold
	}
	if th < 0 || th > 1 {
		return nil, fmt.Errorf("building matcher: alert threshold %v outside [0,1]", th)
	}
	m := &Matcher{threshold: th}
	for i, mk := range marks {
		if strings.TrimSpace(mk.Name) == "" {
			return nil, fmt.Errorf("building matcher: mark %d (%q): empty name", i, mk.ID)
		}
		m.marks = append(m.marks, mk)
	}
	return m, nil
}

// Match returns one Match per mark the listing resembles, sorted by score
// descending.
func (m *Matcher) Match(l domain.Listing) []domain.Match {
	title := Normalize(l.Title)
	var out []domain.Match
	for _, mk := range m.marks {
		name := Normalize(mk.Name)
		i := strings.Index(title, name)
		if i < 0 {
			continue
		}
		start := len([]rune(title[:i]))
		out = append(out, domain.Match{MarkID: mk.ID, Score: 0.5, Reasons: []domain.Reason{{
			Tactic: "exact", Text: "名称: " + mk.Name, Start: start, End: start + len([]rune(name)),
		}}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// Normalize folds a string to the form names are compared in.
func Normalize(s string) string {
	return strings.ToLower(s)
}
