package evaluate

import (
	"github.com/markwatch/markwatch/internal/domain"
)

// Matcher is what Run needs from the matcher.
type Matcher interface {
	Match(domain.Listing) []domain.Match
}

// Run matches every case and scores the outputs.
func Run(m Matcher, cases []Case) (Report, map[string][]domain.Match) {
	out := make(map[string][]domain.Match, len(cases))
	for _, c := range cases {
		out[c.ID] = m.Match(c.Listing)
	}
	return Score(cases, out), out
}
