package match

import (
	"github.com/markwatch/markwatch/internal/domain"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// gap says what stood between a content unit and the one before it. Names are
// matched across gaps, and a gap inside a name is itself evidence (乐·凯).
type gap uint8

const (
	gapNone   gap = iota // glued
	gapSymbol            // a symbol, dot or zero-width character: an evasive separator
	gapSpace             // whitespace or word punctuation: a word boundary
)

type kind uint8

const (
	kindHan kind = iota
	kindLatin
	kindDigit
)

// unit is one content character of a title after normalisation, with the
// rune span of the original title it came from.
type unit struct {
	r          rune
	start, end int32 // rune offsets into the original title, end exclusive
	gap        gap   // separator before this unit
	kind       kind
	folded     bool // the original was written differently (traditional, full-width, homoglyph)
	tens       bool // the 1 of a number 11-19 read as 十 (13香 → 十三香)
	tok        int32
}

// text is a normalised title: content units, the Han ones in order, and a
// string of all content for phrase look-ups.
type text struct {
	units []unit
	han   []int32 // indices of Han units (and of digits read as numerals)
	// the other of two buffers han is built in, swapped when digits join
	hanSpare []int32
	str      string  // content units' runes concatenated
	byteAt   []int32 // byte offset in str → unit index (len(str)+1 entries)
	title    string
	buf      []byte // backing store for str, reused between titles

	// built on demand
	orig      []rune
	counts    []rune // the title folded for reading counts (countRunes), reused between titles
	countsOK  bool
	flat      string  // folded title with separators kept, for counterfeit wording
	flatAt    []int32 // rune index in flat → original rune offset
	cf        domain.Reason
	cfFound   bool
	cfDone    bool
	scanned   int               // bytes read by phrase look-ups, to check linear work
	found     map[string][]span // phrase look-ups already done for this title
	vocabDone bool
	vocab     [][]span // spans of each context vocabulary word, by vocabID
	t         *tables
}

// foldRune maps one rune of input to its comparable form(s): NFKC (full-width
// letters, circled digits, compatibility ideographs), lower case, latin
// homoglyphs to ASCII, traditional and variant hanzi to simplified. It
// appends to dst and reports whether anything changed.
func (t *tables) foldRune(dst []rune, r rune) ([]rune, bool) {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return append(dst, r+('a'-'A')), false
		}
		return append(dst, r), false
	case r >= 0x3400 && r <= 0x9FFF:
		if s, ok := t.foldOf(r); ok {
			return append(dst, s), true
		}
		return append(dst, r), false
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return t.foldRune(dst, r-0xFEE0)
	}
	n := len(dst)
	changed := false
	for _, c := range norm.NFKC.String(string(r)) {
		if c != r {
			changed = true
		}
		c = unicode.ToLower(c)
		if c >= utf8.RuneSelf && unicode.Is(unicode.Latin, c) {
			c = plainLatin(c) // pinyin with tone marks: dào → dao, lǜ → lv
		}
		if c >= utf8.RuneSelf && unicode.IsLetter(c) && !unicode.Is(unicode.Han, c) {
			if sk := confusables.Skeleton(string(c)); len(sk) == 1 && sk[0] < utf8.RuneSelf {
				c = unicode.ToLower(rune(sk[0]))
				changed = true
			}
		}
		if s, ok := t.foldOf(c); ok {
			c = s
			changed = true
		}
		dst = append(dst, c)
	}
	if len(dst) == n {
		return dst, true
	}
	return dst, changed
}

// plainLatin drops the diacritics of a latin letter, writing ü as v the way
// pinyin is typed.
func plainLatin(c rune) rune {
	switch c {
	case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
		return 'v'
	}
	// the base letter of a decomposed accented one (é → e)
	if b, _ := utf8.DecodeRuneInString(norm.NFD.String(string(c))); b < utf8.RuneSelf {
		return b
	}
	return c
}

func isHan(r rune) bool {
	return (r >= 0x3400 && r <= 0x9FFF) || (r >= 0x2E80 && r <= 0x2FDF) || unicode.Is(unicode.Han, r)
}

// separatorGap classifies a non-content rune.
func separatorGap(r rune) gap {
	switch {
	case unicode.IsSpace(r):
		return gapSpace
	case strings.ContainsRune("【】[]()（）《》「」『』〈〉,，、;；!！?？/／+＋&:：\"'“”‘’<>「」", r):
		return gapSpace
	}
	return gapSymbol
}

// analyse normalises a title into tx, reusing its buffers. Work is linear
// in the title length.
func (t *tables) analyse(title string, tx *text) {
	found := tx.found
	clear(found)
	*tx = text{units: tx.units[:0], han: tx.han[:0], hanSpare: tx.hanSpare[:0], byteAt: tx.byteAt[:0], buf: tx.buf[:0], title: title, found: found, vocab: tx.vocab, counts: tx.counts[:0], t: t}
	var fold [8]rune
	buf := tx.buf
	pending := gapNone
	pos := int32(0)
	tok := int32(-1)
	prevKind := kind(255)
	digits := false
	for _, r := range title {
		out, changed := t.foldRune(fold[:0], r)
		for _, c := range out {
			var k kind
			switch {
			case isHan(c):
				k = kindHan
			case c >= 'a' && c <= 'z':
				k = kindLatin
			case c >= '0' && c <= '9':
				k = kindDigit
				digits = true
			default:
				if g := separatorGap(c); g > pending {
					pending = g
				}
				continue
			}
			// Han characters are tokens of their own; a run of latin letters
			// and digits is one token (a word, a model number).
			if k == kindHan || pending != gapNone || prevKind == kindHan || prevKind == 255 {
				tok++
			}
			prevKind = k
			u := unit{r: c, start: pos, end: pos + 1, gap: pending, kind: k, folded: changed, tok: tok}
			pending = gapNone
			n := len(buf)
			buf = utf8.AppendRune(buf, c)
			for range len(buf) - n {
				tx.byteAt = append(tx.byteAt, int32(len(tx.units)))
			}
			if k == kindHan {
				tx.han = append(tx.han, int32(len(tx.units)))
			}
			tx.units = append(tx.units, u)
		}
		pos++
	}
	tx.byteAt = append(tx.byteAt, int32(len(tx.units)))
	tx.buf = buf
	tx.str = string(buf)
	if digits {
		tx.numeralDigits()
	}
}

// numeralDigits puts a lone digit glued to Han characters into the Han
// sequence as the numeral it reads as (6个核桃 → 六个核桃, 5粮液): written
// out of the name's script, like a traditional character. A digit of a
// longer number (240ml, 12罐) stays a number.
func (tx *text) numeralDigits() {
	us := tx.units
	han := tx.hanSpare[:0]
	for i := range us {
		u := us[i]
		switch {
		case u.kind == kindHan:
			han = append(han, int32(i))
		case u.kind == kindDigit && u.r != '0' &&
			(i == 0 || us[i-1].kind != kindDigit || u.gap != gapNone) &&
			(i+1 == len(us) || us[i+1].kind != kindDigit || us[i+1].gap != gapNone) &&
			((i+1 < len(us) && us[i+1].kind == kindHan && us[i+1].gap == gapNone) ||
				(i > 0 && us[i-1].kind == kindHan && u.gap == gapNone)) &&
			(i+1 == len(us) || us[i+1].kind != kindLatin || us[i+1].gap != gapNone):
			han = append(han, int32(i))
		case u.r == '1' && i+1 < len(us) && us[i+1].kind == kindDigit && us[i+1].r != '0' && us[i+1].gap == gapNone &&
			(i == 0 || us[i-1].kind != kindDigit || u.gap != gapNone) &&
			(i+2 == len(us) || us[i+2].gap != gapNone || (us[i+2].kind == kindHan)) &&
			((i+2 < len(us) && us[i+2].kind == kindHan && us[i+2].gap == gapNone) || (i > 0 && us[i-1].kind == kindHan && u.gap == gapNone)):
			// 11 to 19 glued to hanzi: 十 and the numeral (13香 → 十三香)
			us[i].tens = true
			han = append(han, int32(i), int32(i+1))
		case u.kind == kindDigit && i > 0 && us[i-1].tens:
			// taken with its tens digit
		}
	}
	tx.han, tx.hanSpare = han, tx.han
}

// numeralOf is the Chinese numeral a digit stands for.
func numeralOf(r rune) rune {
	if r >= '1' && r <= '9' {
		return []rune("一二三四五六七八九")[r-'1']
	}
	return r
}

// origRunes returns the original title as runes, converted on first use:
// only titles with a hit need it.
func (tx *text) origRunes() []rune {
	if tx.orig == nil {
		tx.orig = []rune(tx.title)
	}
	return tx.orig
}

// flatten builds, on first use, the folded title with its separators kept,
// for wording such as 1:1 whose punctuation matters.
func (tx *text) flatten(t *tables) {
	if tx.flatAt != nil {
		return
	}
	var b strings.Builder
	tx.flatAt = make([]int32, 0, len(tx.title))
	var fold [8]rune
	pos := int32(0)
	for _, r := range tx.title {
		out, _ := t.foldRune(fold[:0], r)
		for _, c := range out {
			b.WriteRune(c)
			tx.flatAt = append(tx.flatAt, pos)
		}
		pos++
	}
	tx.flat = b.String()
}

// Normalize folds s to the form names are compared in: NFKC (full-width
// forms), lower case, latin homoglyphs to ASCII, traditional and variant
// hanzi to simplified, zero-width characters dropped, and every run of
// separators or symbols collapsed to one space. It suits a search index field
// kept beside the display title.
func Normalize(s string) string {
	return defaultTables().normalize(s)
}

func (t *tables) normalize(s string) string {
	var b strings.Builder
	var buf []rune
	space := false
	for _, r := range s {
		buf, _ = t.foldRune(buf[:0], r)
		for _, c := range buf {
			if isHan(c) || unicode.IsLetter(c) || unicode.IsDigit(c) {
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteRune(c)
				continue
			}
			if unicode.Is(unicode.Cf, c) {
				continue // zero-width joiners and the like are invisible
			}
			space = true
		}
	}
	return b.String()
}
