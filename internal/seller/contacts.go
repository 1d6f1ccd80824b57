package seller

import (
	"cmp"
	"slices"

	"github.com/markwatch/markwatch/internal/domain"
)

// Contacts finds the ways to reach a seller in page text (a listing card,
// a detail page, a shop's 联系我们): phone numbers, WeChat ids, QQ numbers
// and addresses, each normalised (digits only, ids lower-cased, addresses
// without spaces) so that equal values mean the same seller. A mobile
// number written after 微信 is both a phone and a WeChat id, as sellers
// mean it. Each contact appears once, in the order the text first shows it.
func Contacts(text string) []domain.Contact {
	t := foldAll(text)
	lt := make([]rune, len(t))
	for i, r := range t {
		lt[i] = lowerASCII(r)
	}
	var fs []found
	add := func(start int, kind domain.ContactKind, value string) {
		fs = append(fs, found{start: start, c: domain.Contact{Kind: kind, Value: value}})
	}
	findPhones(t, func(start, _ int, v string) { add(start, domain.ContactPhone, v) })
	findWeChat(t, lt, add)
	findQQ(lt, add)
	findAddresses(t, lt, add)
	slices.SortStableFunc(fs, func(a, b found) int { return cmp.Compare(a.start, b.start) })
	out := make([]domain.Contact, 0, len(fs))
	seen := make(map[domain.Contact]bool, len(fs))
	for _, f := range fs {
		if !seen[f.c] {
			seen[f.c] = true
			out = append(out, f.c)
		}
	}
	return out
}

// found is a contact and the rune offset where its value starts, for
// ordering.
type found struct {
	start int
	c     domain.Contact
}

// hasAt reports whether lt holds word at i.
func hasAt(lt []rune, i int, word []rune) bool {
	if i+len(word) > len(lt) {
		return false
	}
	for k, r := range word {
		if lt[i+k] != r {
			return false
		}
	}
	return true
}

// keyword is a word that introduces a contact. Latin keywords must stand
// apart from the latin text before them ("vx" is not the end of "devx").
type keyword struct {
	word  []rune
	latin bool
}

func keywords(words ...string) []keyword {
	out := make([]keyword, len(words))
	for i, w := range words {
		rs := []rune(w)
		out[i] = keyword{word: rs, latin: isASCIILetter(rs[0])}
	}
	return out
}

// keywordAt returns the length of the keyword of ks at lt[i], or 0.
func keywordAt(lt []rune, i int, ks []keyword) (int, bool) {
	for _, k := range ks {
		if !hasAt(lt, i, k.word) {
			continue
		}
		if k.latin && i > 0 && isASCIILetter(lt[i-1]) {
			continue
		}
		return len(k.word), k.latin
	}
	return 0, false
}

// isLabelSep reports whether r may sit between a label and its value:
// "微信：abc", "QQ 12345".
func isLabelSep(r rune) bool {
	return r == ':' || r == ' ' || r == '\t' || r == '\u00a0'
}

// afterLabel skips an optional 号/号码 and up to three separators after a
// label ending at i; it returns where the value starts and how many
// separators it skipped.
func afterLabel(lt []rune, i int) (int, int) {
	if hasAt(lt, i, []rune("号码")) {
		i += 2
	} else if hasAt(lt, i, []rune("号")) {
		i++
	}
	n := 0
	for n < 3 && i < len(lt) && isLabelSep(lt[i]) {
		i++
		n++
	}
	return i, n
}
