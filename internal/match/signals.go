package match

import (
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Signals beyond the title (docs/SIGNALS.md, "Matcher rules"): price, image
// and seller network raise what the title says and are reasons like its own.

const (
	scorePriceAnomaly = 0.8  // a plain name at a counterfeit's price alerts, like 高仿 wording
	scoreSellerKnown  = 0.75 // a plain name from a network with confirmed infringements alerts
	scoreImage        = 0.75 // the mark's own picture among its goods, or of a well-known mark
	scoreImageRecord  = 0.4  // the mark's picture on other goods: worth a record, not an alert
)

// raise lifts a score halfway to 1: one more independent piece of evidence.
func raise(s float64) float64 { return s + (1-s)/2 }

// applySignals raises the title's judgement of a hit by the listing's other
// evidence. Price and seller count only for a hit among the mark's goods by
// a seller that is not authorised and with no wording that the listing is an
// accessory (适用于 …), and never for a geographical indication sold inside
// its area; a title with the name that counts the units the goods are
// priced in (五粮液 500ml*6瓶) is among the goods even when it names none. The image counts whatever
// the title says about goods, except for an accessory.
func (m *Matcher) applySignals(c *compiled, o occurrence, tx *text, ctx *listingContext, j *judged, auth bool) {
	history := ctx.raw.SellerHistory != nil && ctx.raw.SellerHistory.Confirmed > 0
	if !auth && !j.compat && !j.inside && ((c.prices != nil && ctx.raw.Price > 0) || history) {
		skip := [2]int{-1, -1}
		if o.us < o.ue && o.ue <= len(tx.units) {
			skip = [2]int{int(tx.units[o.us].start), int(tx.units[o.ue-1].end)}
		}
		// (the name itself, not a look-alike: 豪牛 整箱 is a box of
		// something, not of 红牛)
		goods := j.goods || (!o.lookalike && c.prices != nil && c.prices.countsUnit(tx, skip))
		if goods && c.prices != nil && ctx.raw.Price > 0 {
			if r, ok := c.prices.anomaly(ctx.raw.Price, tx, skip); ok {
				j.score = max(raise(j.score), scorePriceAnomaly)
				if j.explain {
					j.reasons = append(j.reasons, r)
				}
			}
		}
		if history && goods {
			j.score = max(raise(j.score), scoreSellerKnown)
			if j.explain {
				j.reasons = append(j.reasons, sellerReason(ctx.raw.SellerHistory))
			}
		}
	}
	if ih, ok := ctx.imageOf(o.mark); ok && !j.compat {
		j.score = max(raise(j.score), m.imageScore(c, j.goods))
		if j.explain {
			j.reasons = append(j.reasons, m.imageReason(c, ih))
		}
	}
}

func sellerReason(h *domain.SellerHistory) domain.Reason {
	text := fmt.Sprintf("卖家网络已确认侵权 %d 起", h.Confirmed)
	if h.Via != "" {
		text += " (" + h.Via + ")"
	}
	return domain.Reason{Tactic: "seller", Text: text, Start: -1, End: -1}
}

func (m *Matcher) imageReason(c *compiled, ih imageHit) domain.Reason {
	return domain.Reason{Tactic: "image", Start: -1, End: -1,
		Text: fmt.Sprintf("图片近似: 参考图 %s, 相差 %d/64 位", c.mark.Images[ih.ref].Path, ih.dist)}
}

// imageScore is what the mark's own picture is worth: an alert among its
// goods or for a well-known mark, a record otherwise (a logo printed on
// something else).
func (m *Matcher) imageScore(c *compiled, goods bool) float64 {
	if goods || c.mark.WellKnown {
		return scoreImage
	}
	return scoreImageRecord
}

// signalsMayLift reports whether the listing's other evidence could lift a
// title's score for mark c above what the title alone earns, so that the
// judgement must not stop early below minScore: a photo of the mark, a
// confirmed seller network, or a price for the mark's name itself (a
// look-alike below minScore is not among the goods, where price counts).
func (ctx *listingContext) signalsMayLift(c *compiled, o occurrence) bool {
	if _, photo := ctx.imageOf(o.mark); photo {
		return true
	}
	if h := ctx.raw.SellerHistory; h != nil && h.Confirmed > 0 {
		return true
	}
	return c.prices != nil && ctx.raw.Price > 0 && !o.lookalike
}

// imageOf returns the listing photo's hit on mark's reference images.
func (c *listingContext) imageOf(mark int32) (imageHit, bool) {
	for _, h := range c.images {
		if h.mark == mark {
			return h, true
		}
	}
	return imageHit{}, false
}

// goodsNotContainer finds one of the mark's goods words that names the
// goods, not their container (饮料罐, 酒瓶, 酒盒 are things of their own;
// 饮料 瓶装 and 饮料罐装 are the drink).
func (m *Matcher) goodsNotContainer(c *compiled, tx *text) (span, bool) {
	for _, g := range c.goods {
		for _, o := range tx.findAll(g) {
			if o.ue < len(tx.units) && tx.units[o.ue].gap == gapNone && strings.ContainsRune(containerChars, tx.units[o.ue].r) &&
				(o.ue+1 >= len(tx.units) || tx.units[o.ue+1].gap != gapNone || tx.units[o.ue+1].r != '装') {
				continue
			}
			return o, true
		}
	}
	return span{}, false
}

// imageOnly reports the marks whose reference image the listing photo shows
// while the title avoids their name: a hit of its own. judgedMarks are the
// marks the title already answered for; named says the title names another
// mark, in which case the photo is more likely a shop's mix-up than a copy
// and is only recorded.
func (m *Matcher) imageOnly(ctx *listingContext, tx *text, judgedMarks func(int32) bool, named bool, out []domain.Match) []domain.Match {
	for _, ih := range ctx.images {
		if judgedMarks(ih.mark) {
			continue
		}
		c := &m.marks[ih.mark]
		g, goods := m.goodsNotContainer(c, tx)
		s := m.imageScore(c, goods)
		reasons := []domain.Reason{m.imageReason(c, ih)}
		switch {
		case goods:
			reasons = append(reasons, m.reason(tx, "context", "商品: "+tx.original(g.us, g.ue), g.us, g.ue))
		case c.mark.WellKnown:
			reasons = append(reasons, domain.Reason{Tactic: "context", Text: "驰名商标", Start: -1, End: -1})
		default:
			reasons = append(reasons, domain.Reason{Tactic: "context", Text: "非注册商品", Start: -1, End: -1})
		}
		if named {
			s = min(s, scoreImageRecord)
			reasons = append(reasons, domain.Reason{Tactic: "context", Text: "标题另指其他商标", Start: -1, End: -1})
		}
		for _, id := range m.t.compatIDs {
			if spans := tx.vocabAt(id); len(spans) > 0 {
				s *= factorCompat
				reasons = append(reasons, m.reason(tx, "context", "适配用语: "+m.t.vocabWords[id], spans[0].us, spans[0].ue))
				break
			}
		}
		if c.gi && m.insideOrigin(c, ctx.location()) {
			s *= factorInsideOrigin
			reasons = append(reasons, domain.Reason{Tactic: "context", Text: "产地内销售: " + ctx.raw.Location, Start: -1, End: -1})
		}
		if len(c.authorized) > 0 && m.authorized(c, ctx.seller()) {
			s *= factorAuthorized
			reasons = append(reasons, domain.Reason{Tactic: "context", Text: "授权店铺: " + ctx.raw.Seller, Start: -1, End: -1})
		}
		if s < minScore {
			continue
		}
		s = float64(int(s*1000+0.5)) / 1000
		out = append(out, domain.Match{MarkID: c.mark.ID, Score: s, Alert: s >= m.threshold, Reasons: reasons})
	}
	return out
}
