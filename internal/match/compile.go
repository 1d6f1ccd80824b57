package match

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"

	"github.com/markwatch/markwatch/internal/domain"
)

// defaultTables builds the character tables once per process; they are
// derived from embedded data and never modified after construction.
var defaultTables = sync.OnceValue(newTables)

type patKind uint8

const (
	patName  patKind = iota // the registered name
	patForm                 // a registered form (traditional, longer name …)
	patPlace                // a GI's origin place
)

// pattern is one Han string to look for in titles.
type pattern struct {
	mark  int32
	kind  patKind
	gi    bool
	runes []rune
	chars []pchar // facts about each character, same length as runes
	// core is the span of the registered name inside a longer form
	// (长城 in 长城汽车): only there may a character be swapped, and only
	// when the name itself is long enough to survive a swap.
	coreLo, coreHi int
	// wordBreak is where a GI name's place ends and its product begins
	// (迁西|板栗), 0 when unknown: a space there is ordinary spelling.
	wordBreak int
	// genericTail is the length of a generic word ending the name (核桃 in
	// 六个核桃), which a counterfeiter may trade for another word.
	genericTail int
	// tailWord is set when the name ends in a word of a swap-word class
	// (干妈 in 老干妈), which may be traded for another of its class.
	tailWord bool
}

// pchar holds what alignment needs to know about one character of a
// pattern, looked up once when the registry is indexed so that matching a
// title does no hashing: its readings, confusable shapes, its two components
// (沙 → 氵少) and the character it forms with the next one.
type pchar struct {
	syl, toned syllables
	shape      []rune
	shapeSig   uint64        // one bit per shape rune mod 64, to skip most scans
	split      decomposition // 沙 → 氵 少
	splitStd   decomposition // the same with radicals as whole characters (水 少)
	splitAlt   [2][]rune     // characters that look like either component (少 → 小)
	merge      rune
}

// latinKey is a spelling in latin letters that stands for a mark: one of its
// latin forms, or the pinyin of its name, forms or places.
type latinKey struct {
	mark     int32
	kind     patKind
	pinyin   bool   // derived from hanzi, so writing it is a transliteration
	initials bool   // only the first letters of the pinyin (LGHT)
	spelling string // the registered spelling it stands for, for reasons
	plain    string // the spelling as a title writes it unaltered (lower case, no separators)
	folded   string // the folded spelling the key is filed under
	// A mixed key is the pinyin of part of a Han name, written beside the
	// rest of it in hanzi (LIUGE核桃): mixAt characters of pattern pid are
	// in latin, before the Han rest, or after the Han start when hanFirst.
	mixAt    int8
	hanFirst bool
	noNear   bool // not filed under near spellings
	pid      int32
}

// compiled is a mark with its wording pre-normalised.
type compiled struct {
	mark       domain.Mark
	gi         bool
	goods      []string // goods words, or a GI's product words
	goodsPy    []string // the longer goods words in pinyin (jiaonang for 胶囊)
	owner      string   // the owner's name, normalised: its 字号 is no extension
	generic    []string
	exclude    []string
	authorized []string
	sellerLocs []string
	names      []string // normalised name and Han forms
	prices     *priced  // nil when the registry gives no price
}

func (m *Matcher) compile(marks []domain.Mark) error {
	m.marks = make([]compiled, 0, len(marks))
	m.patterns = make([]pattern, 0, len(marks)*2)
	for i, mk := range marks {
		if strings.TrimSpace(mk.ID) == "" {
			return fmt.Errorf("building matcher: mark %d (%q): empty id", i, mk.Name)
		}
		name := m.t.normalize(mk.Name)
		if len([]rune(name)) == 0 {
			return fmt.Errorf("building matcher: mark %q: name %q has no characters to match", mk.ID, mk.Name)
		}
		c := compiled{mark: mk, gi: mk.Kind == domain.KindGI}
		words := mk.Goods
		if c.gi {
			words = mk.Product
		}
		c.goods = m.normAll(words)
		c.owner = strings.ReplaceAll(m.t.normalize(mk.Owner), " ", "")
		for _, g := range c.goods {
			if han := []rune(g); len(han) >= 2 && allHan(han) {
				if py := m.pinyinSpellings(han); len(py) > 0 && len(py[0]) >= 6 {
					c.goodsPy = append(c.goodsPy, py[0])
				}
			}
		}
		c.prices = newPriced(mk.Prices)
		c.generic = m.normAll(mk.Generic)
		c.exclude = m.normAll(mk.Exclude)
		c.authorized = m.normAll(mk.AuthorizedSellers)
		for _, l := range mk.Origin.SellerLocations {
			c.sellerLocs = append(c.sellerLocs, m.t.normLocation(l))
		}
		id := int32(len(m.marks))
		m.addSpelling(id, patName, c.gi, mk.Name, &c)
		for _, f := range mk.Forms {
			m.addSpelling(id, patForm, c.gi, f, &c)
		}
		if c.gi {
			for _, pl := range mk.Origin.Places {
				m.addSpelling(id, patPlace, true, pl, &c)
			}
		}
		m.marks = append(m.marks, c)
	}
	return nil
}

func (m *Matcher) normAll(ws []string) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if n := strings.ReplaceAll(m.t.normalize(w), " ", ""); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// addSpelling registers one spelling of a mark: Han spellings become
// patterns (and their pinyin latin keys), latin spellings latin keys.
func (m *Matcher) addSpelling(id int32, k patKind, gi bool, s string, c *compiled) {
	n := strings.ReplaceAll(m.t.normalize(s), " ", "")
	var han []rune
	latin := true
	for _, r := range n {
		if isHan(r) {
			han = append(han, r)
			latin = false
		} else if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') {
			latin = false
		}
	}
	if latin && len(n) >= 3 {
		key := latinKey{mark: id, kind: k, spelling: s, plain: n}
		// a form of two words (Red Bull, White Rabbit) dressed up with one
		// of them replaced (Double Bull, White Bunny)
		if ws := strings.Fields(m.t.normalize(s)); len(ws) == 2 && len(ws[0]) >= 3 && len(ws[1]) >= 3 && latinWord(ws[0]) && latinWord(ws[1]) {
			for i, w := range ws {
				wk := key
				wk.folded = foldLatin(ws[1-i])
				wk.mixAt = int8(i + 1) // which word is kept
				h := wordKeyHash(i, foldLatin(w))
				m.latinWordBuilding[h] = append(m.latinWordBuilding[h], int32(len(m.latinKeys)))
				m.latinKeys = append(m.latinKeys, wk)
			}
		}
		m.addLatin(foldLatin(n), key)
		if alt := foldLookalike(foldLatin(n)); alt != foldLatin(n) {
			// b and d drawn as each other (Reddull): only a registered latin
			// form is a word whose letters a buyer reads by shape
			h := latinHash(alt)
			key.folded = foldLatin(n)
			m.latinAltBuilding[h] = append(m.latinAltBuilding[h], int32(len(m.latinKeys)))
			m.latinKeys = append(m.latinKeys, key)
		}
		return
	}
	if len(han) != len([]rune(n)) || len(han) < 2 {
		return // mixed spellings (哈弗H6) and single characters are not patterns
	}
	if k != patPlace {
		c.names = append(c.names, string(han))
	}
	p := &pattern{mark: id, kind: k, gi: gi, runes: han, coreHi: len(han)}
	if k == patForm {
		name := []rune(strings.ReplaceAll(m.t.normalize(c.mark.Name), " ", ""))
		if i := strings.Index(string(han), string(name)); i >= 0 {
			p.coreLo = len([]rune(string(han)[:i]))
			p.coreHi = p.coreLo + len(name)
		}
	}
	if gi && k != patPlace {
		for _, pl := range c.mark.Origin.Places {
			if pn := []rune(strings.ReplaceAll(m.t.normalize(pl), " ", "")); len(pn) > 0 && len(pn) < len(han) && strings.HasPrefix(string(han), string(pn)) {
				p.wordBreak = len(pn)
			}
		}
	}
	if k == patName && !gi {
		for _, g := range c.generic {
			if gl := len([]rune(g)); strings.HasSuffix(string(han), g) && len(han)-gl >= 2 {
				p.genericTail = gl
			}
		}
	}
	if n := len(han); n >= 3 && !gi && k != patPlace && m.t.wordClass[[2]rune{han[n-2], han[n-1]}] != 0 {
		p.tailWord = true
	}
	p.chars = make([]pchar, len(han))
	for i, r := range han {
		c := &p.chars[i]
		c.syl = m.t.sylOf(r)
		c.toned = m.t.tonedOf(r)
		c.shape = m.t.shape[r]
		for _, s := range c.shape {
			c.shapeSig |= 1 << (uint32(s) & 63)
		}
		c.split = m.t.ids[r]
		c.splitStd = c.split
		if std, ok := m.t.words.radical[c.split.a]; ok {
			c.splitStd.a = std
		}
		if std, ok := m.t.words.radical[c.split.b]; ok {
			c.splitStd.b = std
		}
		if c.split.a != 0 {
			c.splitAlt = [2][]rune{m.t.shape[c.split.a], m.t.shape[c.split.b]}
		}
		if i+1 < len(han) {
			c.merge = m.t.composed[[2]rune{r, han[i+1]}]
		}
	}
	pid := int32(len(m.patterns))
	m.patterns = append(m.patterns, *p)
	m.indexPattern(pid, p)
	if len(han) >= 3 && k != patPlace {
		for _, in := range m.initialSpellings(han) {
			m.addLatin(in, latinKey{mark: id, kind: k, pinyin: true, initials: true, spelling: string(han)})
		}
	}
	name := string(han)
	for i, py := range m.pinyinSpellings(han) {
		if len(py) >= 4 {
			key := foldLatin(py)
			// near spellings only of the commonest readings: each costs a
			// posting per letter
			m.addLatin(key, latinKey{mark: id, kind: k, pinyin: true, spelling: name, noNear: i >= 2})
		}
	}
	if len(han) >= 3 && k != patPlace {
		// pinyin with one syllable after the first read with another vowel
		// (KANGSHUAIFU for 康师傅): filed with that syllable's final wild
		for _, sy := range firstN(m.pinyinSyllables(han), 2) {
			for i := 1; i < len(sy); i++ {
				h := sylSkeletonHash(sy, i)
				m.latinSylBuilding[h] = append(m.latinSylBuilding[h], int32(len(m.latinKeys)))
				m.latinKeys = append(m.latinKeys, latinKey{mark: id, kind: k, pinyin: true, spelling: name, noNear: true, folded: strings.Join(sy, "")})
			}
		}
	}
	if len(han) >= 3 && k != patPlace {
		// part in pinyin, part in hanzi (LIUGE核桃, 六个HETAO)
		for at := 1; at < len(han); at++ {
			for _, py := range firstN(m.pinyinSpellings(han[:at]), 2) {
				if len(py) >= 3 {
					m.addLatin(foldLatin(py), latinKey{mark: id, kind: k, pinyin: true, spelling: name, mixAt: int8(at), pid: pid})
				}
			}
			for _, py := range firstN(m.pinyinSpellings(han[at:]), 2) {
				if len(py) >= 3 {
					m.addLatin(foldLatin(py), latinKey{mark: id, kind: k, pinyin: true, spelling: name, mixAt: int8(at), hanFirst: true, pid: pid})
				}
			}
		}
	}
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	return true
}

// pinyinSpellings lists the toneless pinyin a name may be written as, one
// per combination of heteronym readings (capped: names are short).
func (m *Matcher) pinyinSpellings(han []rune) []string {
	out := []string{""}
	args := pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	for _, r := range han {
		readings := pinyin.SinglePinyin(r, args)
		if len(readings) == 0 {
			return nil
		}
		if len(readings) > 3 {
			readings = readings[:3]
		}
		var next []string
		for _, o := range out {
			for _, rd := range readings {
				if len(next) < 8 {
					next = append(next, o+strings.ReplaceAll(rd, "ü", "v"))
				}
			}
		}
		out = next
	}
	return out
}

func latinWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// wordKeyHash hashes a word kept at position i of a two-word form.
func wordKeyHash(i int, w string) uint64 {
	return nonZero(latinHash(w) ^ uint64(i+1)*0x9E3779B97F4A7C15)
}

// pinyinSyllables is pinyinSpellings kept as syllables.
func (m *Matcher) pinyinSyllables(han []rune) [][]string {
	out := [][]string{nil}
	args := pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	for _, r := range han {
		readings := pinyin.SinglePinyin(r, args)
		if len(readings) == 0 {
			return nil
		}
		var next [][]string
		for _, o := range out {
			for _, rd := range firstN(readings, 2) {
				if len(next) < 4 {
					next = append(next, append(slices.Clone(o), strings.ReplaceAll(rd, "ü", "v")))
				}
			}
		}
		out = next
	}
	return out
}

// pinyinInitial is the initial of a toneless syllable ("" for none).
func pinyinInitial(s string) string {
	for _, p := range []string{"zh", "ch", "sh"} {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	if s != "" && !strings.ContainsRune("aeiouv", rune(s[0])) {
		return s[:1]
	}
	return ""
}

// sylSkeletonHash hashes syllables with syllable i reduced to its initial
// and a wild final.
func sylSkeletonHash(sy []string, i int) uint64 {
	h := uint64(14695981039346656037)
	add := func(s string) {
		for j := 0; j < len(s); j++ {
			h ^= uint64(s[j])
			h *= 1099511628211
		}
	}
	for j, s := range sy {
		if j == i {
			add(pinyinInitial(s))
			add("*")
			continue
		}
		add(s)
	}
	return nonZero(h)
}

// initialSpellings lists the pinyin initials a name may be abbreviated to
// (六个核桃 → lght), one per combination of heteronym readings.
func (m *Matcher) initialSpellings(han []rune) []string {
	out := []string{""}
	args := pinyin.Args{Style: pinyin.FirstLetter, Heteronym: true}
	for _, r := range han {
		letters := pinyin.SinglePinyin(r, args)
		if len(letters) == 0 {
			return nil
		}
		var next []string
		for _, o := range out {
			for _, l := range letters {
				cand := o + l
				dup := false
				for _, n := range next {
					dup = dup || n == cand
				}
				if !dup && len(next) < 4 {
					next = append(next, cand)
				}
			}
		}
		out = next
	}
	return out
}

// foldLatin maps latin look-alikes onto one spelling: digits used as letters
// and letter pairs drawn as one letter (vv → w, rn → m).
func foldLatin(s string) string {
	hasLetter := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			hasLetter = true
			break
		}
	}
	if !hasLetter {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 'v' && i+1 < len(s) && s[i+1] == 'v':
			c = 'w'
			i++
		case c == 'r' && i+1 < len(s) && s[i+1] == 'n':
			c = 'm'
			i++
		case c == '0':
			c = 'o'
		case c == '1', c == 'i':
			// I, l and 1 are one stroke in most fonts (SPRlTE, RedBuII)
			c = 'l'
		case c == '3':
			c = 'e'
		case c == '5':
			c = 's'
		}
		b = append(b, c)
	}
	return string(b)
}

func (t *tables) normLocation(s string) string {
	for _, w := range t.words.provinceSuffixes {
		s = strings.ReplaceAll(s, w, " ")
	}
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		for _, suf := range t.words.citySuffixes {
			if strings.HasSuffix(f, suf) && len([]rune(f)) > len([]rune(suf))+1 {
				f = strings.TrimSuffix(f, suf)
				break
			}
		}
		b.WriteString(f)
	}
	return b.String()
}

// foldLookalike also folds the mirrored letters b and d, for registered
// latin forms only.
func foldLookalike(s string) string {
	return strings.ReplaceAll(s, "b", "d")
}

// minNearLatin is the least length of a folded spelling that may be written
// with one letter added, dropped, changed or two swapped (Master Kang): a
// shorter one would meet ordinary words.
const minNearLatin = 6

// addLatin files a latin spelling under the 64-bit hash of its text; the
// frozen table then costs a few bytes a spelling instead of a map entry.
// Whole spellings long enough are also filed under each spelling with one
// letter dropped, for near spellings.
func (m *Matcher) addLatin(spelling string, k latinKey) {
	h := latinHash(spelling)
	k.folded = spelling
	ki := int32(len(m.latinKeys))
	m.latinBuilding[h] = append(m.latinBuilding[h], ki)
	m.latinKeys = append(m.latinKeys, k)
	if k.initials || k.noNear || k.mixAt != 0 || len(spelling) < minNearLatin {
		return
	}
	for i := 0; i < len(spelling); i++ {
		if i > 0 && spelling[i] == spelling[i-1] {
			continue // dropping either of a double letter gives the same spelling
		}
		d := latinHash(spelling[:i] + spelling[i+1:])
		m.latinNearBuilding[d] = append(m.latinNearBuilding[d], ki)
	}
}

// latinHash is FNV-1a; 0 is reserved for empty table slots.
func latinHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	if h == 0 {
		h = 1
	}
	return h
}
