package match

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Scores of the evidence kinds; context then scales them. A plain,
// correctly written name by an unknown seller stays below the default
// threshold: a title alone cannot tell resale from infringement.
const (
	scorePlain       = 0.5
	scoreExtension   = 0.68
	scoreEvasive     = 0.9
	scoreCounterfeit = 0.95
	scoreGIClaim     = 0.85
	scoreGIQualifier = 0.9

	factorNoGoods        = 0.5
	factorNoGoodsWeak    = 0.4 // a swap or insertion among unrelated goods is barely a resemblance
	factorWellKnownElse  = 0.75
	factorCompat         = 0.4
	factorAuthorized     = 0.3
	factorInsideOrigin   = 0.4
	giProductWindowToken = 5
)

type span struct{ us, ue int }

// findAll returns the content-unit spans where w occurs in the title.
func (tx *text) findAll(w string) []span {
	if spans, ok := tx.found[w]; ok {
		return spans
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

func overlapsSpelling(o occurrence, spelled []occurrence) bool {
	for _, e := range spelled {
		if e.mark == o.mark && e.kind != patPlace && overlaps(span{e.us, e.ue}, span{o.us, o.ue}) {
			return true
		}
	}
	return false
}

func overlaps(a, b span) bool { return a.us < b.ue && b.us < a.ue }

// judged is the verdict for one occurrence.
type judged struct {
	score   float64
	reasons []domain.Reason
	explain bool // collect reasons; off while only scores are compared
}

// minScore is the least score at which a listing is said to resemble a mark
// at all; below it (a swapped character among unrelated goods, an
// authorised shop) nothing is reported.
const minScore = 0.3

const maxJudgedPerMark = 8

func (m *Matcher) judgeAll(l domain.Listing, tx *text, hs *hanSeq, occs []occurrence) []domain.Match {
	if len(occs) == 0 {
		return nil
	}
	type pick struct {
		score float64
		occ   int
	}
	best := map[int32]pick{}
	var order []int32
	ctx := m.listingContext(l)
	// A registered spelling found at a place explains it; a look-alike of
	// another spelling read over the same characters (长城干红 as a swap of
	// 长城干白) would only invent evidence.
	var spelled []occurrence
	for _, o := range occs {
		if !o.lookalike {
			spelled = append(spelled, o)
		}
	}
	seen := map[int32]int{}
	for i, o := range occs {
		if o.lookalike && overlapsSpelling(o, spelled) {
			continue
		}
		// Each judgement reads the whole title; judging a bounded number
		// of places per mark keeps a long title's cost linear.
		if seen[o.mark]++; seen[o.mark] > maxJudgedPerMark {
			continue
		}
		j, ok := m.judge(o, tx, ctx, false)
		if !ok {
			continue
		}
		prev, seen := best[o.mark]
		if !seen {
			order = append(order, o.mark)
		}
		if !seen || j.score > prev.score {
			best[o.mark] = pick{j.score, i}
		}
	}
	var out []domain.Match
	for _, id := range order {
		if best[id].score < minScore {
			continue
		}
		o := occs[best[id].occ]
		m.explain(&o, hs, tx)
		j, _ := m.judge(o, tx, ctx, true)
		s := min(1, max(0, j.score))
		s = float64(int(s*1000+0.5)) / 1000
		out = append(out, domain.Match{MarkID: m.marks[id].mark.ID, Score: s, Alert: s >= m.threshold, Reasons: j.reasons})
	}
	sortMatches(out)
	return out
}

type listingContext struct {
	seller   string
	location string
	raw      domain.Listing
}

func (m *Matcher) listingContext(l domain.Listing) listingContext {
	return listingContext{
		seller:   strings.ReplaceAll(m.t.normalize(l.Seller), " ", ""),
		location: m.t.normLocation(m.t.normalize(l.Location)),
		raw:      l,
	}
}

func (m *Matcher) judge(o occurrence, tx *text, ctx listingContext, explain bool) (judged, bool) {
	c := &m.marks[o.mark]
	sp := span{o.us, o.ue}
	for _, w := range c.exclude {
		for _, e := range tx.findAll(w) {
			if overlaps(e, sp) {
				return judged{}, false
			}
		}
	}
	j := judged{explain: explain}
	if c.gi {
		if !m.judgeGI(c, o, tx, ctx, &j) {
			return judged{}, false
		}
	} else {
		m.judgeTrademark(c, o, tx, &j)
	}
	if m.authorized(c, ctx.seller) {
		j.score *= factorAuthorized
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "授权店铺: " + ctx.raw.Seller, Start: -1, End: -1})
		}
	}
	return j, true
}

func (m *Matcher) judgeTrademark(c *compiled, o occurrence, tx *text, j *judged) {
	sp := span{o.us, o.ue}
	if j.explain {
		j.reasons = append(j.reasons, o.reasons...)
	}
	s := scorePlain
	if o.lookalike {
		s = o.sim
	}
	if o.evasive {
		s = max(s, scoreEvasive)
	}
	if r, ok := m.counterfeit(tx, sp); ok {
		s = max(s, scoreCounterfeit)
		if j.explain {
			j.reasons = append(j.reasons, r)
		}
	}
	goodsFrom := sp
	if !o.lookalike && !o.evasive && s < scoreExtension {
		if run, extra, ok := m.extension(c, tx, sp); ok {
			goodsFrom = run
			s = scoreExtension
			if j.explain {
				j.reasons = append(j.reasons, m.reason(tx, "insertion", "附加: "+extra, run.us, run.ue))
			}
		}
	}
	if g, ok := m.goodsOutside(c, tx, goodsFrom); ok {
		if j.explain {
			j.reasons = append(j.reasons, m.reason(tx, "context", "商品: "+tx.original(g.us, g.ue), g.us, g.ue))
		}
	} else if c.mark.WellKnown && o.strong {
		s *= factorWellKnownElse
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "驰名商标: 商品类别之外", Start: -1, End: -1})
		}
	} else {
		if o.lookalike && !o.strong {
			s *= factorNoGoodsWeak
		} else {
			s *= factorNoGoods
		}
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "非注册商品", Start: -1, End: -1})
		}
	}
	if r, ok := m.compatible(tx, sp); ok {
		s *= factorCompat
		if j.explain {
			j.reasons = append(j.reasons, r)
		}
	}
	j.score = s
}

// judgeGI decides on a title that claims a GI's origin: its name (or a
// look-alike), or one of its places followed closely by its product.
func (m *Matcher) judgeGI(c *compiled, o occurrence, tx *text, ctx listingContext, j *judged) bool {
	sp := span{o.us, o.ue}
	s := scoreGIClaim
	if o.kind == patPlace {
		prod, ok := m.productAfter(c, tx, sp)
		if !ok {
			return false
		}
		if j.explain {
			j.reasons = append(j.reasons, o.reasons...)
		}
		if j.explain {
			j.reasons = append(j.reasons, m.reason(tx, "gi-origin", "产地+产品: "+tx.original(sp.us, sp.ue)+" "+tx.original(prod.us, prod.ue), sp.us, prod.ue))
		}
		sp.ue = prod.ue
	} else {
		if j.explain {
			j.reasons = append(j.reasons, o.reasons...)
		}
		if o.lookalike {
			s = max(0.7, min(scoreGIClaim, o.sim))
		}
		if o.evasive {
			s = max(s, scoreEvasive)
		}
	}
	if r, ok := m.qualifier(tx, sp); ok {
		s = max(s, scoreGIQualifier)
		if j.explain {
			j.reasons = append(j.reasons, r)
		}
	}
	if r, ok := m.counterfeit(tx, sp); ok {
		s = max(s, scoreCounterfeit)
		if j.explain {
			j.reasons = append(j.reasons, r)
		}
	}
	if m.insideOrigin(c, ctx.location) {
		s *= factorInsideOrigin
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "产地内销售: " + ctx.raw.Location, Start: -1, End: -1})
		}
	} else {
		loc := ctx.raw.Location
		if loc == "" {
			loc = "未知"
		}
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "gi-origin", Text: "产地不符: " + loc, Start: -1, End: -1})
		}
	}
	j.score = s
	return true
}

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

// goodsOutside finds one of the mark's goods words outside the given span.
func (m *Matcher) goodsOutside(c *compiled, tx *text, sp span) (span, bool) {
	for _, g := range c.goods {
		for _, o := range tx.findAll(g) {
			if !overlaps(o, sp) {
				return o, true
			}
		}
	}
	return span{}, false
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
	for _, w := range m.t.words.originAfter {
		for _, o := range tx.findAll(w) {
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
func (m *Matcher) extension(c *compiled, tx *text, sp span) (span, string, bool) {
	run := sp
	for run.ue < len(tx.units) && tx.units[run.ue].gap == gapNone && tx.units[run.ue].kind == kindHan {
		run.ue++
	}
	if run == sp || run.ue-sp.ue > 3 {
		return run, "", false
	}
	if run.ue < len(tx.units) && tx.units[run.ue].gap == gapNone {
		return run, "", false // letters or digits follow: a model name
	}
	covered := make([]bool, run.ue-run.us)
	for i := sp.us; i < sp.ue; i++ {
		covered[i-run.us] = true
	}
	for _, w := range slices.Concat(c.goods, c.generic, m.t.words.commerce) {
		for _, o := range tx.findAll(w) {
			for i := max(o.us, run.us); i < min(o.ue, run.ue); i++ {
				covered[i-run.us] = true
			}
		}
	}
	for _, names := range c.names {
		for _, o := range tx.findAll(names) {
			for i := max(o.us, run.us); i < min(o.ue, run.ue); i++ {
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
	if len(extra) == 0 {
		return run, "", false
	}
	return run, string(extra), true
}

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

// counterfeitWording looks once per title for wording that announces a copy.
func (m *Matcher) counterfeitWording(tx *text) (domain.Reason, bool) {
	tx.flatten(m.t)
	for _, w := range m.t.words.counterfeit {
		off := 0
		for {
			i := strings.Index(tx.flat[off:], w)
			if i < 0 {
				break
			}
			b := off + i
			off = b + len(w)
			if w[0] >= '0' && w[0] <= '9' && (digitAt(tx.flat, off) || digitBefore(tx.flat, b)) {
				continue // 1:18 is a scale, not 1:1
			}
			first := utf8.RuneCountInString(tx.flat[:b])
			last := first + utf8.RuneCountInString(w) - 1
			return domain.Reason{Tactic: "counterfeit", Text: "假冒用语: " + w, Start: int(tx.flatAt[first]), End: int(tx.flatAt[last]) + 1}, true
		}
	}
	return domain.Reason{}, false
}

func digitAt(s string, i int) bool     { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
func digitBefore(s string, i int) bool { return i > 0 && s[i-1] >= '0' && s[i-1] <= '9' }

// qualifier finds 品种/风味/同款 right after a GI, or 仿 right before it.
func (m *Matcher) qualifier(tx *text, sp span) (domain.Reason, bool) {
	for _, q := range m.t.words.qualifiers {
		for _, o := range tx.findAll(q) {
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
	for _, w := range m.t.words.compat {
		for _, o := range tx.findAll(w) {
			if o.ue <= sp.us && sp.us-o.ue <= 2 {
				return m.reason(tx, "context", "适配用语: "+w, o.us, o.ue), true
			}
		}
	}
	// …or just after the model it fits, within the same word (哈弗H6专用)
	for _, w := range m.t.words.compatAfter {
		for _, o := range tx.findAll(w) {
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
