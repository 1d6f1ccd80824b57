package match

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Context look-ups: the words around a hit that decide what it means.

// findAll returns the content-unit spans where w occurs in the title.
func (tx *text) findAll(w string) []span {
	if spans, ok := tx.found[w]; ok {
		return spans
	}
	if id, ok := tx.t.vocabID[w]; ok {
		if !tx.vocabDone {
			tx.scanVocab()
		}
		return tx.vocab[id]
	}
	tx.scanned += len(tx.str)
	var out []span
	for off := 0; off < len(tx.str); {
		i := strings.Index(tx.str[off:], w)
		if i < 0 {
			break
		}
		b := off + i
		out = append(out, span{int(tx.byteAt[b]), int(tx.byteAt[b+len(w)-1]) + 1})
		off = b + len(w)
	}
	if tx.found == nil {
		tx.found = map[string][]span{}
	}
	tx.found[w] = out
	return out
}

// vocabAt returns the spans of context vocabulary word id in the title.
func (tx *text) vocabAt(id int) []span {
	if !tx.vocabDone {
		tx.scanVocab()
	}
	return tx.vocab[id]
}

// scanVocab finds every context vocabulary word in the title in one pass
// and files the spans (or their absence) under each word.
func (tx *text) scanVocab() {
	tx.vocabDone = true
	tx.scanned += len(tx.str)
	tx.vocab = growSlice(tx.vocab, len(tx.t.vocabWords))
	for i := range tx.vocab {
		tx.vocab[i] = tx.vocab[i][:0]
	}
	for _, h := range tx.t.vocabAC.FindAllOverlapping(tx.buf) {
		tx.vocab[h.PatternID] = append(tx.vocab[h.PatternID], span{int(tx.byteAt[h.Start]), int(tx.byteAt[h.End-1]) + 1})
	}
}

// insideOrigin reports a seller location inside a GI's protected area.
func (m *Matcher) insideOrigin(c *compiled, loc string) bool {
	if loc == "" {
		return false
	}
	for _, sl := range c.sellerLocs {
		// "河北 唐山" inside "河北 唐山"; a bare city ("唐山") as well
		if sl != "" && (strings.HasPrefix(loc, sl) || (utf8.RuneCountInString(loc) >= 2 && strings.HasSuffix(sl, loc))) {
			return true
		}
	}
	return false
}

// authorized reports a shop the mark's owner allows to use it.
func (m *Matcher) authorized(c *compiled, seller string) bool {
	if seller == "" {
		return false
	}
	for _, a := range c.authorized {
		if seller == a || strings.Contains(seller, a) {
			return true
		}
	}
	return false
}

// goodsOutside finds one of the mark's goods words not inside the given
// span: beside it, or running on from the name's own generic tail (六禾核桃露
// names its goods, 核桃露, with the last characters of the name).
func (m *Matcher) goodsOutside(c *compiled, tx *text, sp span) (span, bool) {
	for _, g := range c.goods {
		for _, o := range tx.findAll(g) {
			if !overlaps(o, sp) || (o.us > sp.us && o.ue > sp.ue) {
				return o, true
			}
		}
	}
	// …or written in pinyin beside a name in pinyin (Qingwen Jiaonang)
	if len(c.goodsPy) > 0 && tx.hasLatin() {
		for _, g := range c.goodsPy {
			for _, o := range tx.findAll(g) {
				if !overlaps(o, sp) {
					return o, true
				}
			}
		}
	}
	return span{}, false
}

// hasLatin reports latin letters in the title.
func (tx *text) hasLatin() bool {
	for i := 0; i < len(tx.str); i++ {
		if c := tx.str[i]; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// productAfter finds the GI's product within a few words after a place.
func (m *Matcher) productAfter(c *compiled, tx *text, place span) (span, bool) {
	endTok := tx.units[place.ue-1].tok
	for _, g := range c.goods {
		for _, o := range tx.findAll(g) {
			if o.us >= place.ue && tx.units[o.us].tok-endTok <= giProductWindowToken {
				return o, true
			}
		}
	}
	// …or the product first and the place named as its origin right after
	// (金丝小枣 沧州特产)
	if !m.originWordAfter(tx, place) {
		return span{}, false
	}
	startTok := tx.units[place.us].tok
	for _, g := range c.goods {
		for _, o := range tx.findAll(g) {
			if o.ue <= place.us && startTok-tx.units[o.ue-1].tok <= 3 {
				return o, true
			}
		}
	}
	return span{}, false
}

// originWordAfter reports a place followed by wording that names it as the
// origin (特产, 产地, 原产).
func (m *Matcher) originWordAfter(tx *text, place span) bool {
	for _, id := range m.t.originAfterIDs {
		for _, o := range tx.vocabAt(id) {
			if o.us == place.ue {
				return true
			}
		}
	}
	return false
}

// extension reports a correctly written name followed, in the same word,
// by a few characters that are not goods words (露露黄了): a new name built
// on the mark. Words before a name (正宗, 新款) are marketing, and a word
// running into letters or digits is a model (长城哈弗H6), so neither counts.
//
// Glued before the name, a word that is not shop or goods wording (a place,
// a shop name, 老, 金典) makes a new name of it as well (华越老干妈).
func (m *Matcher) extension(c *compiled, tx *text, sp span) (span, string, bool) {
	run := sp
	for run.ue < len(tx.units) && tx.units[run.ue].gap == gapNone && tx.units[run.ue].kind == kindHan && run.ue-sp.ue < maxExtension+2 {
		run.ue++
	}
	if run.ue < len(tx.units) && tx.units[run.ue].gap == gapNone && tx.units[run.ue].kind != kindHan {
		run.ue = sp.ue // letters or digits follow: a model name
	}
	if run.ue < len(tx.units) && tx.units[run.ue].gap == gapNone {
		run.ue = sp.ue // a longer word still: not read as an extension
	}
	for run.us > 0 && tx.units[run.us].gap == gapNone && tx.units[run.us-1].kind == kindHan && sp.us-run.us < maxExtension {
		run.us--
	}
	if run.us > 0 && tx.units[run.us].gap == gapNone {
		run.us = sp.us // a longer word before: not read as an extension
	}
	if run == sp {
		return run, "", false
	}
	covered := make([]bool, run.ue-run.us)
	for i := sp.us; i < sp.ue; i++ {
		covered[i-run.us] = true
	}
	cover := func(spans []span) {
		for _, o := range spans {
			for i := max(o.us, run.us); i < min(o.ue, run.ue); i++ {
				covered[i-run.us] = true
			}
		}
	}
	for _, w := range slices.Concat(c.goods, c.generic) {
		cover(tx.findAll(w))
	}
	for _, id := range m.t.commerceIDs {
		cover(tx.vocabAt(id))
	}
	for _, names := range c.names {
		for _, o := range tx.findAll(names) {
			for i := max(o.us, run.us); i < min(o.ue, run.ue); i++ {
				covered[i-run.us] = true
			}
		}
	}
	// the owner's own trade name before its mark (养元六个核桃) is how the
	// maker writes it
	if run.us < sp.us && c.owner != "" {
		var pre []rune
		for _, u := range tx.units[run.us:sp.us] {
			pre = append(pre, u.r)
		}
		if strings.Contains(c.owner, string(pre)) {
			for i := run.us; i < sp.us; i++ {
				covered[i-run.us] = true
			}
		}
	}
	var extra []rune
	for i, cv := range covered {
		if !cv {
			extra = append(extra, tx.units[run.us+i].r)
		}
	}
	if len(extra) == 0 || len(extra) > maxExtension {
		return run, "", false
	}
	return run, string(extra), true
}

// maxExtension is the most characters a word added to a name may have.
const maxExtension = 3

// counterfeit finds wording that announces a copy: anywhere in the title, or
// 仿 right before the name.
func (m *Matcher) counterfeit(tx *text, sp span) (domain.Reason, bool) {
	if !tx.cfDone {
		tx.cf, tx.cfFound = m.counterfeitWording(tx)
		tx.cfDone = true
	}
	if tx.cfFound {
		return tx.cf, true
	}
	if sp.us > 0 && tx.units[sp.us-1].r == '仿' && tx.units[sp.us].gap <= gapSymbol {
		return m.reason(tx, "counterfeit", "假冒用语: 仿", sp.us-1, sp.us), true
	}
	return domain.Reason{}, false
}

// counterfeitWording looks once per title for wording that announces a copy:
// the words through one automaton over the folded title, and 1:1 (whose
// colon the folded title drops) only when the title has a colon at all.
func (m *Matcher) counterfeitWording(tx *text) (domain.Reason, bool) {
	for _, hit := range m.t.counterfeitAC.FindAll(tx.buf, 1) {
		us, ue := int(tx.byteAt[hit.Start]), int(tx.byteAt[hit.End-1])+1
		return m.reason(tx, "counterfeit", "假冒用语: "+m.t.words.counterfeit[hit.PatternID], us, ue), true
	}
	// 仿 standing as a word of its own (同款 仿 批发) says the same
	for i, u := range tx.units {
		if u.r == '仿' && (i == 0 || u.gap >= gapSpace) && (i+1 == len(tx.units) || tx.units[i+1].gap >= gapSpace) {
			return m.reason(tx, "counterfeit", "假冒用语: 仿", i, i+1), true
		}
	}
	// (two plain searches: ContainsAny walks the title rune by rune when the
	// set holds a non-ASCII character, and this runs for every title with a hit)
	if strings.IndexByte(tx.title, ':') < 0 && !strings.Contains(tx.title, "：") {
		return domain.Reason{}, false
	}
	tx.flatten(m.t)
	const w = "1:1"
	for off := 0; ; {
		i := strings.Index(tx.flat[off:], w)
		if i < 0 {
			break
		}
		b := off + i
		off = b + len(w)
		if digitAt(tx.flat, off) || digitBefore(tx.flat, b) {
			continue // 1:18 is a scale, not 1:1
		}
		first := utf8.RuneCountInString(tx.flat[:b])
		return domain.Reason{Tactic: "counterfeit", Text: "假冒用语: " + w, Start: int(tx.flatAt[first]), End: int(tx.flatAt[first+2]) + 1}, true
	}
	return domain.Reason{}, false
}

func digitAt(s string, i int) bool     { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
func digitBefore(s string, i int) bool { return i > 0 && s[i-1] >= '0' && s[i-1] <= '9' }

// qualifier finds 品种/风味/同款 right after a GI, or 仿 right before it.
func (m *Matcher) qualifier(tx *text, sp span) (domain.Reason, bool) {
	for _, id := range m.t.qualifierIDs {
		q := m.t.vocabWords[id]
		for _, o := range tx.vocabAt(id) {
			if o.us == sp.ue && tx.units[o.us].gap <= gapSymbol {
				return m.reason(tx, "gi-qualifier", "限定词: "+q, o.us, o.ue), true
			}
		}
	}
	if sp.us > 0 && tx.units[sp.us-1].r == '仿' {
		return m.reason(tx, "gi-qualifier", "限定词: 仿", sp.us-1, sp.us), true
	}
	return domain.Reason{}, false
}

// compatible finds 适用于/兼容 wording just before the name: an accessory
// that fits the mark's product, not the product itself.
func (m *Matcher) compatible(tx *text, sp span) (domain.Reason, bool) {
	for _, id := range m.t.compatIDs {
		w := m.t.vocabWords[id]
		for _, o := range tx.vocabAt(id) {
			if o.ue <= sp.us && sp.us-o.ue <= 2 {
				return m.reason(tx, "context", "适配用语: "+w, o.us, o.ue), true
			}
		}
	}
	// …or a word of its own right after the mark's container, a few
	// characters after the name (红牛罐 适配 车载杯架, 衡水老白干酒瓶 适用
	// 酒嘴): the listing fits the can or bottle. Only fitting words: after
	// a name 适合 (适合送礼) and 用于 describe the goods themselves.
	for _, id := range m.t.containerCompatIDs {
		w := m.t.vocabWords[id]
		for _, o := range tx.vocabAt(id) {
			if o.us <= sp.ue || o.us-sp.ue > 8 || tx.units[o.us].gap < gapSpace {
				continue
			}
			if prev := tx.units[o.us-1]; prev.kind == kindHan && strings.ContainsRune(containerChars, prev.r) {
				return m.reason(tx, "context", "适配用语: "+w, o.us, o.ue), true
			}
		}
	}
	// …or just after the model it fits, within the same word (哈弗H6专用)
	for _, id := range m.t.compatAfterIDs {
		w := m.t.vocabWords[id]
		for _, o := range tx.vocabAt(id) {
			if o.us < sp.ue || o.us-sp.ue > 5 {
				continue
			}
			glued := true
			for u := sp.ue; u <= o.us && u < len(tx.units); u++ {
				glued = glued && tx.units[u].gap <= gapSymbol
			}
			if glued {
				return m.reason(tx, "context", "适配用语: "+w, o.us, o.ue), true
			}
		}
	}
	return domain.Reason{}, false
}
