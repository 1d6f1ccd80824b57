package index

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	// keyStart memoises, per rune, whether some t2s dictionary key begins
	// with it. Convert changes a string only where a key matches, so a title
	// without such a rune (most titles, already simplified) skips it: Convert
	// cost more than the rest of building a document.
	keyStart sync.Map // rune → bool
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
	if n.convertible(s) {
		if t, err := n.t2s.Convert(s); err == nil {
			s = t
		}
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// convertible reports whether a t2s dictionary key could match somewhere in
// s, that is whether Convert might change it.
func (n *normalizer) convertible(s string) bool {
	for _, r := range s {
		if n.startsKey(r) {
			return true
		}
	}
	return false
}

func (n *normalizer) startsKey(r rune) bool {
	if v, ok := n.keyStart.Load(r); ok {
		return v.(bool)
	}
	var buf [utf8.UTFMax]byte
	prefix := buf[:utf8.EncodeRune(buf[:], r)]
	found := false
	for _, g := range n.t2s.DictChains {
		for _, d := range g.Dicts {
			if _, err := d.Trie.Jump(prefix, 0); err == nil {
				found = true
			}
		}
	}
	n.keyStart.Store(r, found)
	return found
}
