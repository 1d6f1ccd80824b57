package index

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// normalizer folds a title for the title_norm field and for queries, so a
// traditional or full-width spelling finds the simplified one. Meilisearch
// itself folds only about half of traditional→simplified pairs (個/个, 電/电
// are missed). The matcher package owns the full normalisation used to judge
// look-alikes; this one only has to make search forgiving.
type normalizer struct {
	t2s *opencc.OpenCC
}

func newNormalizer() (*normalizer, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("loading traditional-to-simplified dictionary: %w", err)
	}
	return &normalizer{t2s: cc}, nil
}

// Normalize applies NFKC (full-width letters and digits to ASCII; opencc does
// not fold them), lower case, traditional→simplified, and collapses runs of
// spaces. A conversion error leaves the NFKC form: a less forgiving search is
// better than a lost document.
func (n *normalizer) Normalize(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	if t, err := n.t2s.Convert(s); err == nil {
		s = t
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
