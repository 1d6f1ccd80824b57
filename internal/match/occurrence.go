package match

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// occurrence is one place in a title where a mark's spelling, or something
// made to look like it, appears.
type occurrence struct {
	mark      int32
	kind      patKind
	us, ue    int // content-unit span, end exclusive
	sim       float64
	lookalike bool // differs from every registered spelling
	strong    bool // differs only in sound, shape or split characters
	evasive   bool // written in another script, with separators or in latin
	reasons   []domain.Reason

	// what explain needs to put the evidence into words later
	how occHow
	p   *pattern
	a   alignment
}

type occHow uint8

const (
	howAligned occHow = iota
	howReordered
	howGenericSwap
	howWordSwap
	howInterleaved
	howLatin // reasons are filled in when found: latin hits are rare
)

// explain fills in the reasons of an occurrence. Scoring runs without them;
// only hits worth reporting are put into words.
func (m *Matcher) explain(o *occurrence, hs *hanSeq, tx *text) {
	if o.reasons != nil || o.how == howLatin {
		return
	}
	p, a := o.p, o.a
	switch o.how {
	case howAligned:
		o.reasons = m.occurrenceOf(p, hs, tx, a, true).reasons
	case howReordered:
		o.reasons = []domain.Reason{m.reason(tx, "reorder", "颠倒: "+string(p.runes)+"→"+string(hs.r[a.start:a.end]), o.us, o.ue)}
		tmp := occurrence{us: o.us, ue: o.ue}
		m.scriptReasons(&tmp, hs, tx, a.start, a.end, true)
		o.reasons = append(o.reasons, tmp.reasons...)
	case howInterleaved:
		o.reasons = []domain.Reason{m.reason(tx, "insertion", "间插: "+string(p.runes)+"→"+tx.original(o.us, o.ue), o.us, o.ue)}
	case howWordSwap:
		k := len(p.runes)
		o.reasons = []domain.Reason{m.reason(tx, "swap", "近义替换: "+string(p.runes[k-2:])+"→"+string(hs.r[a.end-2:a.end]), int(hs.unit[a.end-2]), o.ue)}
	case howGenericSwap:
		tail := len(p.runes) - p.genericTail
		o.reasons = []domain.Reason{m.reason(tx, "swap", "替换: "+string(p.runes[tail:])+"→"+string(hs.r[a.start+tail:a.end]), int(hs.unit[a.start+tail]), o.ue)}
	}
}

func (m *Matcher) reason(tx *text, tactic, msg string, us, ue int) domain.Reason {
	if us < 0 || ue <= us || ue > len(tx.units) {
		return domain.Reason{Tactic: tactic, Text: msg, Start: -1, End: -1}
	}
	return domain.Reason{Tactic: tactic, Text: msg, Start: int(tx.units[us].start), End: int(tx.units[ue-1].end)}
}

func (tx *text) original(us, ue int) string {
	return string(tx.origRunes()[tx.units[us].start:tx.units[ue-1].end])
}

// occurrenceOf reads an alignment: what kind of evidence it is and, when
// explain is set, the same in a supervisor's words.
func (m *Matcher) occurrenceOf(p *pattern, hs *hanSeq, tx *text, a alignment, explain bool) occurrence {
	o := occurrence{mark: p.mark, kind: p.kind, sim: 1 - a.cost, p: p, a: a}
	o.strong = true
	o.us = int(hs.unit[a.start])
	o.ue = int(hs.unit[a.end-1]) + 1
	unitSpan := func(t, tEnd int) (int, int) { return int(hs.unit[t]), int(hs.unit[tEnd-1]) + 1 }
	for i := 0; i < len(a.ops); i++ {
		op := a.ops[i]
		if op.kind == opSub && op.rel == relExact {
			continue
		}
		o.lookalike = true
		if (op.kind == opSub && op.rel == relSwap) || op.kind == opInsert || op.kind == opDelete {
			o.strong = false
		}
		if !explain {
			continue
		}
		pr := p.runes[op.p]
		if op.kind == opDelete {
			// nothing in the title to point at: mark the characters around the gap
			o.reasons = append(o.reasons, m.reason(tx, "deletion", fmt.Sprintf("删除: %c", pr), int(hs.unit[op.t-1]), int(hs.unit[op.t])+1))
			continue
		}
		us, ue := unitSpan(op.t, op.tEnd)
		switch op.kind {
		case opSub:
			tr := hs.r[op.t]
			switch op.rel {
			case relExact:
				continue
			case relSound:
				o.reasons = append(o.reasons, m.reason(tx, "sound", fmt.Sprintf("音近: %c≈%c %s", tr, pr, m.sharedSyllable(p.chars[op.p].syl, hs.syl[op.t])), us, ue))
			case relNear:
				o.reasons = append(o.reasons, m.reason(tx, "sound", fmt.Sprintf("音近: %c≈%c %s~%s", tr, pr, m.t.sylName[hs.syl[op.t][0]], m.t.sylName[p.chars[op.p].syl[0]]), us, ue))
			case relShape:
				o.reasons = append(o.reasons, m.reason(tx, "shape", fmt.Sprintf("形近: %c→%c", pr, tr), us, ue))
			case relSwap:
				o.reasons = append(o.reasons, m.reason(tx, "swap", fmt.Sprintf("替换: %c→%c", pr, tr), us, ue))
			}
		case opSplit:
			if op.rel == relShape {
				o.reasons = append(o.reasons, m.reason(tx, "split", fmt.Sprintf("拆字形近: %c→%c%c", pr, hs.r[op.t], hs.r[op.t+1]), us, ue))
			} else {
				o.reasons = append(o.reasons, m.reason(tx, "split", fmt.Sprintf("拆字: %c→%c%c", pr, hs.r[op.t], hs.r[op.t+1]), us, ue))
			}
		case opMerge:
			o.reasons = append(o.reasons, m.reason(tx, "split", fmt.Sprintf("合字: %c%c→%c", pr, p.runes[op.p+1], hs.r[op.t]), us, ue))
		case opInsert:
			j := i
			for j+1 < len(a.ops) && a.ops[j+1].kind == opInsert {
				j++
			}
			_, ue = unitSpan(a.ops[j].t, a.ops[j].tEnd)
			o.reasons = append(o.reasons, m.reason(tx, "insertion", "插入: "+string(hs.r[op.t:a.ops[j].tEnd]), us, ue))
			i = j
		}
	}
	o.strong = o.strong && o.lookalike
	if explain && a.kept {
		changed := 0
		for _, op := range a.ops {
			if op.rel != relExact {
				changed++
			}
		}
		title := string(hs.r[a.start:a.end])
		switch {
		case hasRepeat(p.runes):
			o.reasons = append(o.reasons, m.reason(tx, "pattern", "叠字格局: "+string(p.runes)+"→"+title, o.us, o.ue))
		case changed >= 2:
			o.reasons = append(o.reasons, m.reason(tx, "double", "两字近似: "+string(p.runes)+"→"+title, o.us, o.ue))
		default:
			o.reasons = append(o.reasons, m.reason(tx, "double", "整体近似: "+string(p.runes)+"→"+title, o.us, o.ue))
		}
	}
	m.scriptReasons(&o, hs, tx, a.start, a.end, explain)
	if explain && !o.lookalike && !o.evasive {
		label := "名称: "
		if p.kind == patPlace {
			label = "产地: "
		}
		o.reasons = append(o.reasons, m.reason(tx, "exact", label+string(p.runes), o.us, o.ue))
	}
	return o
}

// scriptReasons notes traditional or variant characters and separators
// inside the span: the name written so that an exact search misses it.
func (m *Matcher) scriptReasons(o *occurrence, hs *hanSeq, tx *text, start, end int, explain bool) {
	folded, digit := false, false
	for t := start; t < end; t++ {
		u := tx.units[hs.unit[t]]
		if u.kind == kindDigit {
			digit = true
		} else {
			folded = folded || u.folded
		}
	}
	if folded || digit {
		o.evasive = true
	}
	if digit && explain {
		var from, to []rune
		for t := start; t < end; t++ {
			if u := tx.units[hs.unit[t]]; u.kind == kindDigit {
				from = append(from, tx.origRunes()[u.start:u.end]...)
				to = append(to, hs.r[t])
			}
		}
		o.reasons = append(o.reasons, m.reason(tx, "numeral", "数字代汉字: "+string(from)+"→"+string(to), o.us, o.ue))
	}
	if folded && explain {
		var from, to []rune
		for t := start; t < end; t++ {
			if u := tx.units[hs.unit[t]]; u.folded && u.kind != kindDigit {
				from = append(from, tx.origRunes()[u.start:u.end]...)
				to = append(to, u.r)
			}
		}
		o.reasons = append(o.reasons, m.reason(tx, "script", "繁体/异体: "+string(from)+"→"+string(to), o.us, o.ue))
	}
	// Symbols between characters are evasive; spaces only when they part
	// every character (六 个 核 桃): one space may just split words.
	seps, spaces := 0, 0
	for t := start + 1; t < end; t++ {
		switch hs.gap[t] {
		case gapSymbol:
			seps++
		case gapSpace:
			spaces++
		}
	}
	if spaces == end-start-1 {
		seps += spaces
	}
	if seps > 0 {
		o.evasive = true
	}
	if seps > 0 && explain {
		o.reasons = append(o.reasons, m.reason(tx, "symbols", "间隔符号: "+tx.original(o.us, o.ue), o.us, o.ue))
	}
}

func (m *Matcher) sharedSyllable(a, b syllables) string {
	for _, x := range a {
		for _, y := range b {
			if x != 0 && x == y {
				return m.t.sylName[x]
			}
		}
	}
	return ""
}

// maxLatinTokens bounds how many latin words are joined into one spelling:
// enough for pinyin written a syllable at a time (J.U.N.L.E.B.A.O).
const maxLatinTokens = 12

// latinOccurrences finds marks written in latin letters: their latin forms,
// or the pinyin of their names, full or split into words (Hengshui Laobaigan),
// with digits and letter pairs standing in for letters (BA0, GVVM, SPRlTE),
// b and d mirrored in a latin form (Reddull), one letter added, dropped,
// changed or two swapped in a long spelling (Master Kang), and part of a
// name in pinyin beside the rest in hanzi (LIUGE核桃).
func (m *Matcher) latinOccurrences(tx *text, occs []occurrence) []occurrence {
	type tok struct {
		us, ue  int
		letters bool // letters only, no digits
	}
	var toks []tok
	for i := 0; i < len(tx.units); {
		if tx.units[i].kind == kindHan {
			i++
			continue
		}
		j := i + 1
		for j < len(tx.units) && tx.units[j].kind != kindHan && tx.units[j].gap == gapNone {
			j++
		}
		toks = append(toks, tok{us: i, ue: j})
		i = j
	}
	if len(toks) == 0 {
		return occs
	}
	// Each token is folded once; the hash of a run of tokens is extended
	// token by token (FNV-1a is a stream), so trying runs allocates nothing.
	foldedTok := make([]string, len(toks))
	for i := range toks {
		t := &toks[i]
		hasLetter, hasDigit := false, false
		for _, u := range tx.units[t.us:t.ue] {
			hasLetter = hasLetter || u.kind == kindLatin
			hasDigit = hasDigit || u.kind == kindDigit
		}
		t.letters = hasLetter && !hasDigit
		if !hasLetter {
			continue // a number does not start or join a name
		}
		var b strings.Builder
		for _, u := range tx.units[t.us:t.ue] {
			b.WriteRune(u.r)
		}
		foldedTok[i] = foldLatin(b.String())
	}
	// two latin words with one word of a two-word form kept in its place
	// and the other replaced (Double Bull for Red Bull)
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].letters || !toks[i+1].letters || toks[i+1].us != toks[i].ue || tx.units[toks[i+1].us].gap != gapSpace ||
			(i+2 < len(toks) && toks[i+2].us == toks[i+1].ue && toks[i+2].letters) || (i > 0 && toks[i-1].ue == toks[i].us && toks[i-1].letters) {
			continue // exactly two words, spaced
		}
		for w := 0; w < 2; w++ {
			other := foldedTok[i+1-w]
			for _, ki := range m.latinWord.get(wordKeyHash(w, foldedTok[i+w])) {
				k := m.latinKeys[ki]
				if len(other) < 3 || other == k.folded {
					continue
				}
				us, ue := toks[i].us, toks[i+1].ue
				o := occurrence{mark: k.mark, kind: k.kind, us: us, ue: ue, sim: 0.62, how: howLatin, lookalike: true}
				o.reasons = append(o.reasons, m.reason(tx, "latin", "外文仿冒: "+tx.original(us, ue)+"→"+k.spelling, us, ue))
				occs = append(occs, o)
			}
		}
	}
	for i := range toks {
		if foldedTok[i] == "" {
			continue
		}
		h, h2 := uint64(14695981039346656037), uint64(14695981039346656037)
		bd := false
		runLen := 0
		for j := i; j < len(toks) && j < i+maxLatinTokens; j++ {
			if j > i && (toks[j].us != toks[j-1].ue || foldedTok[j] == "") {
				break // something other than separators between the words
			}
			f := foldedTok[j]
			runLen += len(f)
			for k := 0; k < len(f); k++ {
				c := f[k]
				h ^= uint64(c)
				h *= 1099511628211
				if c == 'b' {
					c, bd = 'd', true
				} else if c == 'd' {
					bd = true
				}
				h2 ^= uint64(c)
				h2 *= 1099511628211
			}
			us, ue := toks[i].us, toks[j].ue
			keys := m.latin.get(nonZero(h))
			found := false
			for _, ki := range keys {
				if o, ok := m.latinHit(tx, ki, us, ue, false); ok {
					occs = append(occs, o)
					found = true
				}
			}
			if bd && !found {
				for _, ki := range m.latinAlt.get(nonZero(h2)) {
					if o, ok := m.latinHit(tx, ki, us, ue, true); ok {
						occs = append(occs, o)
						found = true
					}
				}
			}
			if !found && j-i < 3 && toks[j].letters && runLen >= minNearLatin-1 && runLen <= 32 {
				n := len(occs)
				occs = m.nearLatin(tx, foldedTok[i:j+1], us, ue, occs)
				if len(occs) == n {
					occs = m.vowelLatin(tx, us, ue, occs)
				}
			}
		}
	}
	return occs
}

func nonZero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// latinHit turns a latin key found over units [us,ue) into an occurrence.
func (m *Matcher) latinHit(tx *text, ki int32, us, ue int, mirrored bool) (occurrence, bool) {
	k := m.latinKeys[ki]
	if k.initials && !upperLetters(tx.original(us, ue)) {
		return occurrence{}, false // initials count only when written as such (LGHT)
	}
	o := occurrence{mark: k.mark, kind: k.kind, us: us, ue: ue, sim: 0.9, how: howLatin}
	name := k.spelling
	if k.mixAt != 0 {
		p := &m.patterns[k.pid]
		rest := p.runes[k.mixAt:]
		if k.hanFirst {
			rest = p.runes[:k.mixAt]
		}
		hs, he, ok := tx.hanBeside(us, ue, rest, k.hanFirst)
		if !ok {
			return occurrence{}, false
		}
		o.us, o.ue = min(us, hs), max(ue, he)
		o.lookalike, o.evasive = true, true
		o.reasons = append(o.reasons, m.reason(tx, "latin", "拼音混写: "+tx.original(o.us, o.ue)+"→"+name, o.us, o.ue))
		return o, true
	}
	raw := tx.rawLatin(us, ue)
	widthFolded := false
	for _, u := range tx.units[us:ue] {
		widthFolded = widthFolded || u.folded
	}
	switch {
	case k.initials:
		// initials are short and collide with other words: they
		// count only among the mark's goods
		o.sim = 0.75
		o.lookalike = true
		o.reasons = append(o.reasons, m.reason(tx, "latin", "拼音首字母: "+tx.original(us, ue)+"→"+name, us, ue))
	case k.pinyin:
		// pinyin and letter look-alikes are spellings, not new
		// names: like other spellings they need the mark's goods
		o.lookalike, o.evasive = true, true
		o.reasons = append(o.reasons, m.reason(tx, "latin", "拼音: "+tx.original(us, ue)+"→"+name, us, ue))
	case mirrored || raw != k.plain || widthFolded:
		o.lookalike, o.evasive = true, true
		o.reasons = append(o.reasons, m.reason(tx, "latin", "字母形近: "+tx.original(us, ue)+"→"+name, us, ue))
	default:
		o.sim = 1
		o.reasons = append(o.reasons, m.reason(tx, "exact", "名称: "+tx.original(us, ue), us, ue))
	}
	return o, true
}

// rawLatin is the title's letters and digits over [us,ue) as written, apart
// from case and width.
func (tx *text) rawLatin(us, ue int) string {
	var b strings.Builder
	for _, u := range tx.units[us:ue] {
		if u.kind != kindHan {
			b.WriteRune(u.r)
		}
	}
	return b.String()
}

// hanBeside reports the Han characters want written right after units
// [us,ue) (or right before them when before is set), glued or across one
// space, and their unit span.
func (tx *text) hanBeside(us, ue int, want []rune, before bool) (int, int, bool) {
	n := len(want)
	if before {
		s := us - n
		if s < 0 || tx.units[us].gap > gapSpace {
			return 0, 0, false
		}
		for i := 0; i < n; i++ {
			u := tx.units[s+i]
			if u.kind != kindHan || u.r != want[i] || (i > 0 && u.gap != gapNone) {
				return 0, 0, false
			}
		}
		return s, us, true
	}
	if ue+n > len(tx.units) {
		return 0, 0, false
	}
	for i := 0; i < n; i++ {
		u := tx.units[ue+i]
		if u.kind != kindHan || u.r != want[i] || (i > 0 && u.gap != gapNone) {
			return 0, 0, false
		}
	}
	if e := ue + n; e < len(tx.units) && tx.units[e].gap == gapNone && tx.units[e].kind != kindHan {
		return 0, 0, false
	}
	return ue, ue + n, true
}

// nearLatin looks for a whole latin spelling one edit from the run of
// folded tokens: a letter added, dropped, changed, or two neighbours swapped.
func (m *Matcher) nearLatin(tx *text, toks []string, us, ue int, occs []occurrence) []occurrence {
	var buf [32]byte
	run := buf[:0]
	for _, t := range toks {
		run = append(run, t...)
	}
	try := func(ix *pairIndex, h uint64) {
		for _, ki := range ix.get(nonZero(h)) {
			k := m.latinKeys[ki]
			if k.initials || k.mixAt != 0 || len(k.folded) < minNearLatin || !oneEdit(string(run), k.folded) {
				continue
			}
			dup := false
			for _, o := range occs {
				dup = dup || (o.mark == k.mark && o.us == us && o.ue == ue)
			}
			if dup {
				continue
			}
			o := occurrence{mark: k.mark, kind: k.kind, us: us, ue: ue, sim: 0.85, how: howLatin, lookalike: true, strong: !k.pinyin}
			label := "字母近似: "
			if k.pinyin {
				label = "拼音近似: "
			}
			o.reasons = append(o.reasons, m.reason(tx, "latin", label+tx.original(us, ue)+"→"+k.spelling, us, ue))
			occs = append(occs, o)
		}
	}
	// the run with a letter dropped from a key
	try(&m.latinNear, fnv(run, -1))
	for i := range run {
		if i > 0 && run[i] == run[i-1] {
			continue
		}
		h := fnv(run, i)
		try(&m.latin, h)     // a letter added to a key
		try(&m.latinNear, h) // a letter changed, or two swapped
	}
	return occs
}

// vowelLatin reads a run of letters as pinyin syllables and looks for a
// name whose pinyin it is with one syllable after the first given another
// final, its initial kept (KANGSHUAIFU for 康师傅: shi read shuai).
func (m *Matcher) vowelLatin(tx *text, us, ue int, occs []occurrence) []occurrence {
	var buf [32]byte
	run := buf[:0]
	for _, u := range tx.units[us:ue] {
		if u.kind == kindLatin {
			run = append(run, byte(u.r))
		}
	}
	var sy [8]string
	n := 0
	for i := 0; i < len(run); {
		l := min(6, len(run)-i)
		for ; l > 0; l-- {
			if _, ok := m.t.sylID[string(run[i:i+l])]; ok {
				break
			}
		}
		if l == 0 || n == len(sy) {
			return occs // not pinyin
		}
		sy[n] = string(run[i : i+l])
		n++
		i += l
	}
	if n < 3 {
		return occs
	}
	for i := 1; i < n; i++ {
		for _, ki := range m.latinSyl.get(sylSkeletonHash(sy[:n], i)) {
			k := m.latinKeys[ki]
			if k.folded == string(run) {
				continue // the very pinyin: found as such
			}
			o := occurrence{mark: k.mark, kind: k.kind, us: us, ue: ue, sim: 0.8, how: howLatin, lookalike: true}
			o.reasons = append(o.reasons, m.reason(tx, "latin", "拼音近似: "+tx.original(us, ue)+"→"+k.spelling+" ("+sy[i]+")", us, ue))
			return append(occs, o)
		}
	}
	return occs
}

// fnv is latinHash of s without its byte at skip (-1: none).
func fnv(s []byte, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		if i != skip {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	return h
}

// oneEdit reports a and b one letter added, dropped or changed, or two
// neighbours swapped, apart.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		diff := -1
		for i := 0; i < len(a); i++ {
			if a[i] != b[i] {
				if diff >= 0 {
					// a swap of neighbours
					return i == diff+1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}

// upperLetters reports whether s is written in capital letters (full-width
// ones included) apart from separators.
func upperLetters(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'Ａ' && r <= 'Ｚ':
			n++
		case r >= 'a' && r <= 'z', r >= 'ａ' && r <= 'ｚ', r >= '0' && r <= '9':
			return false
		}
	}
	return n >= 3
}
