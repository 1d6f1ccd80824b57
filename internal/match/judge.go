package match

import (
	"slices"
	"strings"

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

	factorNoGoods        = 0.33 // a non-famous name among unrelated goods is barely worth a record
	factorNoGoodsWeak    = 0.3  // …and a swap or insertion there less still
	factorWellKnownElse  = 0.75
	factorCompat         = 0.4
	factorAuthorized     = 0.3
	factorInsideOrigin   = 0.4
	factorUnknownOrigin  = 0.6
	giProductWindowToken = 5
)

type span struct{ us, ue int }

// overlapsSpelling reports a registered spelling of the same mark over the
// same characters; it looks at a bounded number of them.
func overlapsSpelling(o occurrence, group []occurrence) bool {
	for i, e := range group {
		if i >= 4*maxJudgedPerMark {
			break
		}
		if !e.lookalike && e.mark == o.mark && e.kind != patPlace && overlaps(span{e.us, e.ue}, span{o.us, o.ue}) {
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
	keep    bool // judge fully even below minScore: the listing's other evidence may lift it
	// what the signals beyond the title need to know of the title
	goods  bool // among the mark's goods (a GI's claim is always about its product)
	compat bool // compatible-with wording: an accessory
	inside bool // a GI sold inside its area
}

// minScore is the least score at which a listing is said to resemble a mark
// at all; below it (a swapped character among unrelated goods, an
// authorised shop) nothing is reported.
const minScore = 0.3

const maxJudgedPerMark = 8

func (m *Matcher) judgeAll(l domain.Listing, tx *text, hs *hanSeq, occs []occurrence, images []imageHit) []domain.Match {
	if len(occs) == 0 && len(images) == 0 {
		return nil
	}
	ctx := &listingContext{m: m, raw: l, images: images}
	occs = dropExplained(occs)
	slices.SortStableFunc(occs, func(a, b occurrence) int { return int(a.mark) - int(b.mark) })
	var out []domain.Match
	for start := 0; start < len(occs); {
		end := start + 1
		for end < len(occs) && occs[end].mark == occs[start].mark {
			end++
		}
		group := occs[start:end]
		var j judged
		ok := false
		if len(group) == 1 {
			// one place: scored without words first, since most look-alikes
			// found in a large registry fall below minScore and putting
			// evidence into words costs more than judging it
			o := group[0]
			if j, ok = m.judge(o, tx, ctx, false); ok && j.score >= minScore {
				m.explain(&o, hs, tx)
				j, ok = m.judge(o, tx, ctx, true)
			} else {
				ok = false
			}
		} else if o, found := m.bestOf(group, tx, ctx); found {
			m.explain(&o, hs, tx)
			j, ok = m.judge(o, tx, ctx, true)
		}
		// (a signal may have lifted the quick judgement above minScore
		// where the full one, seeing compatible-with wording, does not)
		if ok && j.score >= minScore {
			s := min(1, max(0, j.score))
			s = float64(int(s*1000+0.5)) / 1000
			out = append(out, domain.Match{MarkID: m.marks[group[0].mark].mark.ID, Score: s, Alert: s >= m.threshold, Reasons: j.reasons})
		}
		start = end
	}
	if len(images) > 0 {
		titled := len(out)
		judgedMark := func(mark int32) bool {
			_, found := slices.BinarySearchFunc(occs, mark, func(o occurrence, mk int32) int { return int(o.mark) - int(mk) })
			return found
		}
		out = m.imageOnly(ctx, tx, judgedMark, titled > 0, out)
	}
	sortMatches(out)
	return out
}

// dropExplained drops look-alikes read over characters that spell another
// registered mark exactly (昌黎葡萄酒 is a name of its own, not a changed
// 长城葡萄酒): a protected name is not an imitation of its neighbour. It
// looks at a bounded number of occurrences, keeping the work linear.
func dropExplained(occs []occurrence) []occurrence {
	const bound = 64
	out := occs[:0]
	for i, o := range occs {
		drop := false
		if o.lookalike && i < bound {
			for j, e := range occs {
				if j >= bound {
					break
				}
				if e.lookalike || e.evasive || e.mark == o.mark {
					continue
				}
				if ov := min(o.ue, e.ue) - max(o.us, e.us); ov > 0 && 2*ov >= o.ue-o.us {
					drop = true
					break
				}
			}
		}
		if !drop {
			out = append(out, o)
		}
	}
	return out
}

// bestOf judges one mark's occurrences and returns the strongest, if it is
// strong enough to report.
func (m *Matcher) bestOf(group []occurrence, tx *text, ctx *listingContext) (occurrence, bool) {
	best, bestScore, judged := -1, 0.0, 0
	for i, o := range group {
		// A registered spelling found at a place explains it; a look-alike
		// of another spelling read over the same characters (长城干红 as a
		// swap of 长城干白) would only invent evidence.
		if o.lookalike && overlapsSpelling(o, group) {
			continue
		}
		// Each judgement reads the whole title; judging a bounded number
		// of places per mark keeps a long title's cost linear.
		if judged++; judged > maxJudgedPerMark {
			break
		}
		if j, ok := m.judge(o, tx, ctx, false); ok && (best < 0 || j.score > bestScore) {
			best, bestScore = i, j.score
		}
	}
	if best < 0 || bestScore < minScore {
		return occurrence{}, false
	}
	return group[best], true
}

// listingContext is the listing beside its title, normalised on first use:
// most hits need neither the seller nor the location.
type listingContext struct {
	m                   *Matcher
	raw                 domain.Listing
	images              []imageHit // reference images the listing photo shows, one per mark
	sellerN, locationN  string
	sellerDone, locDone bool
}

func (c *listingContext) seller() string {
	if !c.sellerDone {
		c.sellerN = strings.ReplaceAll(c.m.t.normalize(c.raw.Seller), " ", "")
		c.sellerDone = true
	}
	return c.sellerN
}

func (c *listingContext) location() string {
	if !c.locDone {
		c.locationN = c.m.t.normLocation(c.m.t.normalize(c.raw.Location))
		c.locDone = true
	}
	return c.locationN
}

func (m *Matcher) judge(o occurrence, tx *text, ctx *listingContext, explain bool) (judged, bool) {
	c := &m.marks[o.mark]
	sp := span{o.us, o.ue}
	for _, w := range c.exclude {
		for _, e := range tx.findAll(w) {
			if overlaps(e, sp) {
				return judged{}, false
			}
		}
	}
	if o.lookalike && o.p != nil && len(o.p.runes) == 2 && o.how == howAligned && soundOnly(o.a) &&
		(o.ue == len(tx.units) || tx.units[o.ue].gap != gapNone) && m.afterProvince(tx, o.us) {
		// a province and a word sounding like a two-character name: a
		// place in that province (新疆伊犁), not the mark
		return judged{}, false
	}
	j := judged{explain: explain, keep: ctx.signalsMayLift(c, o)}
	if c.gi {
		if !m.judgeGI(c, o, tx, ctx, &j) {
			return judged{}, false
		}
	} else {
		m.judgeTrademark(c, o, tx, &j)
	}
	auth := len(c.authorized) > 0 && m.authorized(c, ctx.seller())
	m.applySignals(c, o, tx, ctx, &j, auth)
	if auth {
		j.score *= factorAuthorized
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "授权店铺: " + ctx.raw.Seller, Start: -1, End: -1})
		}
	}
	return j, true
}

// soundOnly reports an alignment whose only changes are characters heard alike.
func soundOnly(a alignment) bool {
	changed := false
	for _, o := range a.ops {
		if o.kind != opSub || (o.rel != relExact && o.rel != relSound && o.rel != relNear) {
			return false
		}
		changed = changed || o.rel != relExact
	}
	return changed
}

// afterProvince reports a province name glued right before unit us.
func (m *Matcher) afterProvince(tx *text, us int) bool {
	if us == 0 || tx.units[us].gap != gapNone {
		return false
	}
	var b [3]rune
	for n := 2; n <= 3 && n <= us; n++ {
		ok := true
		for i := 0; i < n; i++ {
			u := tx.units[us-n+i]
			if u.kind != kindHan || (i > 0 && u.gap != gapNone) {
				ok = false
				break
			}
			b[i] = u.r
		}
		if ok && m.t.words.province[string(b[:n])] {
			return true
		}
	}
	return false
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
	r, copied := m.counterfeit(tx, sp)
	if copied {
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
		j.goods = true
		if j.explain {
			j.reasons = append(j.reasons, m.reason(tx, "context", "商品: "+tx.original(g.us, g.ue), g.us, g.ue))
		}
	} else if c.mark.WellKnown && (o.strong || copied) {
		// a famous name is protected beyond its goods against look-alikes
		// and announced copies, not against its plain use
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
	if s < minScore && !j.explain && !j.keep {
		// Compatible-with wording and an authorised shop only lower a
		// score: one already below minScore is not reported whatever they
		// say, and whichever of a mark's places scores best among those
		// below it, none is reported either. Most look-alikes of a large
		// registry end here, before the title's context vocabulary is read.
		j.score = s
		return
	}
	if r, ok := m.compatible(tx, sp); ok {
		s *= factorCompat
		j.compat = true
		if j.explain {
			j.reasons = append(j.reasons, r)
		}
	}
	j.score = s
}

// judgeGI decides on a title that claims a GI's origin: its name (or a
// look-alike), or one of its places followed closely by its product.
func (m *Matcher) judgeGI(c *compiled, o occurrence, tx *text, ctx *listingContext, j *judged) bool {
	sp := span{o.us, o.ue}
	s := scoreGIClaim
	j.goods = true
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
	if m.insideOrigin(c, ctx.location()) {
		j.inside = true
		s *= factorInsideOrigin
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "产地内销售: " + ctx.raw.Location, Start: -1, End: -1})
		}
	} else if ctx.location() == "" {
		// A plain claim is only a misuse when the seller is known to be
		// outside; a look-alike, a qualifier or a copy is one anywhere.
		if s <= scoreGIClaim && !o.lookalike && !o.evasive {
			s *= factorUnknownOrigin
		}
		if j.explain {
			j.reasons = append(j.reasons, domain.Reason{Tactic: "context", Text: "卖家所在地未知", Start: -1, End: -1})
		}
	} else if j.explain {
		j.reasons = append(j.reasons, domain.Reason{Tactic: "gi-origin", Text: "产地不符: " + ctx.raw.Location, Start: -1, End: -1})
	}
	j.score = s
	return true
}
