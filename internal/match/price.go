package match

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// The price signal (docs/SIGNALS.md): a listing priced far below the
// genuine range for what its title says it holds.

// priceAnomalyFactor: below this share of the cheapest genuine price is no
// discount any more, it is a counterfeit's price.
const priceAnomalyFactor = 0.5

// sizeUnits measure an amount of goods rather than count pieces: a bare
// multiplier (240ml×24) counts pieces, never these.
var sizeUnits = []string{"斤", "公斤", "千克", "克", "两", "kg", "g", "ml", "l", "升", "毫升", "cm", "米"}

// unitCount is how many of a unit a title says the listing holds, with the
// rune span of the title saying it.
type unitCount struct {
	n          float64
	start, end int
}

// countUnit finds the first count of unit in the title (runes, folded by
// foldCountRune): a number glued before it (20罐, 5斤装, 2.5kg, 十二罐, 两箱,
// 单罐), 整 before it (整箱 = 1 箱), a product of two (2*12瓶), or — for a
// piece unit — a bare multiplier (240ml*20, ×24). Counts inside skip (the
// mark's own name: 六个核桃 holds no 个) are not read.
func countUnit(title []rune, u []rune, piece bool, skip [2]int) (unitCount, bool) {
	if len(u) == 0 {
		return unitCount{}, false
	}
	// a written number first; 整箱 only when no number says how many
	// (整箱 2箱 is two cases)
	whole := unitCount{}
	for i := 0; i+len(u) <= len(title); i++ {
		if !hasRunesAt(title, i, u) || (isASCIILetter(u[len(u)-1]) && i+len(u) < len(title) && isASCIILetter(title[i+len(u)])) {
			continue
		}
		start, n, ok := numberBefore(title, i)
		if !ok && i > 0 && title[i-1] == '整' && whole.n == 0 && !(i-1 < skip[1] && skip[0] < i+len(u)) {
			whole = unitCount{n: 1, start: i - 1, end: i + len(u)}
		}
		if !ok || n <= 0 || n > 10000 || (start < skip[1] && skip[0] < i+len(u)) {
			continue
		}
		// a product of two counts: 2*12瓶 is 24 bottles
		if start > 1 && isTimes(title[start-1]) {
			if s2, n2, ok2 := numberBefore(title, start-1); ok2 && n2 == math.Trunc(n2) && n2 > 0 && (s2 == 0 || !isASCIILetter(title[s2-1])) && isDigit(title[start-2]) {
				start, n = s2, n*n2
			}
		}
		return unitCount{n: n, start: start, end: i + len(u)}, true
	}
	if whole.n > 0 {
		return whole, true
	}
	if !piece {
		return unitCount{}, false
	}
	// a bare multiplier after a size or standing alone: 240ml*20, ×24
	for i := 0; i < len(title); i++ {
		if !isTimes(title[i]) || i+1 >= len(title) || !isDigit(title[i+1]) || (i > 0 && isDigit(title[i-1])) {
			continue
		}
		if (title[i] == 'x' || title[i] == 'X') && i > 0 && isASCIILetter(title[i-1]) && !sizeLettersBefore(title, i) {
			continue // a word with an x in it, not a multiplier
		}
		j := i + 1
		for j < len(title) && isDigit(title[j]) {
			j++
		}
		if j < len(title) && (title[j] == '.' || isASCIILetter(title[j]) || unitAt(title, j)) {
			continue // a size (x1.5l) or a unit of its own, read above
		}
		if i >= skip[0] && i < skip[1] {
			continue
		}
		n, err := strconv.Atoi(string(title[i+1 : j]))
		if err != nil || n <= 0 || n > 10000 {
			continue
		}
		return unitCount{n: float64(n), start: i, end: j}, true
	}
	return unitCount{}, false
}

// numberBefore reads a number ending right before i: digits (with a decimal
// point), a Chinese numeral up to 九十九 (十二, 二十四, 两), or 单 (one).
func numberBefore(t []rune, i int) (start int, n float64, ok bool) {
	j := i
	for j > 0 && (isDigit(t[j-1]) || (t[j-1] == '.' && j-1 > 0 && isDigit(t[j-2]) && j < i)) {
		j--
	}
	if j < i {
		v, err := strconv.ParseFloat(string(t[j:i]), 64)
		return j, v, err == nil
	}
	for j > 0 && strings.ContainsRune("零一二两三四五六七八九十", t[j-1]) && i-j < 3 {
		j--
	}
	if j < i {
		v, ok := chineseNumber(t[j:i])
		return j, float64(v), ok
	}
	if i > 0 && t[i-1] == '单' {
		return i - 1, 1, true
	}
	return i, 0, false
}

// chineseNumber reads 一 … 九十九.
func chineseNumber(rs []rune) (int, bool) {
	digit := func(r rune) int { return strings.IndexRune("零一二三四五六七八九", r) / 3 }
	val := func(r rune) (int, bool) {
		if r == '两' {
			return 2, true
		}
		if d := strings.IndexRune("零一二三四五六七八九", r); d >= 0 {
			return digit(r), true
		}
		return 0, false
	}
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		return val(rs[0])
	case len(rs) == 2 && rs[0] == '十':
		d, ok := val(rs[1])
		return 10 + d, ok && d > 0
	case len(rs) == 2 && rs[1] == '十':
		d, ok := val(rs[0])
		return 10 * d, ok && d > 1
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := val(rs[0])
		b, ok2 := val(rs[2])
		return 10*a + b, ok1 && ok2 && a > 1 && b > 0
	}
	return 0, false
}

func hasRunesAt(t []rune, i int, u []rune) bool {
	for k, r := range u {
		if t[i+k] != r {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool       { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isTimes(r rune) bool       { return r == '*' || r == '×' || r == 'x' || r == 'X' || r == '✕' }

// sizeLettersBefore reports letters before i that end a number (250mlx12).
func sizeLettersBefore(t []rune, i int) bool {
	j := i
	for j > 0 && isASCIILetter(t[j-1]) {
		j--
	}
	return j > 0 && isDigit(t[j-1])
}

// unitAt reports a Han measure word at i (the count belongs to it).
func unitAt(t []rune, i int) bool { return strings.ContainsRune(measureChars, t[i]) }

// foldCountRune writes full-width digits and signs as ASCII.
func foldCountRune(r rune) rune {
	switch {
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '＊', r == '．':
		return r - 0xFEE0
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	}
	return r
}

// countsPricedUnit reports a title that counts one of the units the mark's
// goods are priced in (500ml*6瓶 of a liquor priced per 瓶): it sells the
// goods in their packaging, even when it names no goods word.
func (pr *priced) countsUnit(tx *text, skip [2]int) bool {
	for i, r := range pr.ranges {
		if r.Unit == "" {
			continue
		}
		if _, ok := countUnit(tx.countRunes(), pr.units[i], false, skip); ok {
			return true
		}
	}
	return false
}

// priced is a mark's price ranges prepared for reading titles.
type priced struct {
	ranges []domain.PriceRange
	units  [][]rune // each range's unit folded like titles (foldCountRune)
	piece  int      // the cheapest range of a unit that counts pieces, -1 if none
	lowest int      // the range with the lowest Low
}

func newPriced(ranges []domain.PriceRange) *priced {
	if len(ranges) == 0 {
		return nil
	}
	pr := &priced{ranges: ranges, units: make([][]rune, len(ranges)), piece: -1}
	for i, r := range ranges {
		pr.units[i] = []rune(strings.Map(foldCountRune, r.Unit))
		if r.Unit != "" && !isSizeUnit(r.Unit) && (pr.piece < 0 || r.Low < ranges[pr.piece].Low) {
			pr.piece = i
		}
		if r.Low < ranges[pr.lowest].Low {
			pr.lowest = i
		}
	}
	return pr
}

// countRunes is the original title with full-width digits and latin
// folded (foldCountRune), built on first use.
func (tx *text) countRunes() []rune {
	if !tx.countsOK {
		for _, r := range tx.title {
			tx.counts = append(tx.counts, foldCountRune(r))
		}
		tx.countsOK = true
	}
	return tx.counts
}

// priceAnomaly judges the listing's price against the mark's ranges: the
// count of the most finely priced unit the title names divides it (a piece
// count is closer to the goods than a case count of unknown size); with no
// unit counted, the lowest genuine price of all is the bar. skip is the rune
// span of the hit.
func (pr *priced) anomaly(price float64, tx *text, skip [2]int) (domain.Reason, bool) {
	if pr == nil || price <= 0 || math.IsNaN(price) || math.IsInf(price, 0) {
		return domain.Reason{}, false
	}
	ranges := pr.ranges
	best, bestCount := -1, unitCount{}
	for i, r := range ranges {
		if r.Unit == "" || (best >= 0 && r.Low >= ranges[best].Low) {
			continue
		}
		if c, ok := countUnit(tx.countRunes(), pr.units[i], i == pr.piece, skip); ok {
			best, bestCount = i, c
		}
	}
	if best >= 0 {
		r := ranges[best]
		per := price / bestCount.n
		if per >= priceAnomalyFactor*r.Low {
			return domain.Reason{}, false
		}
		n := strconv.FormatFloat(bestCount.n, 'f', -1, 64)
		return domain.Reason{Tactic: "price", Start: bestCount.start, End: bestCount.end,
			Text: fmt.Sprintf("价格异常: ¥%s (%s%s, ¥%s/%s), 正品 ¥%s–%s/%s", yuan(price), n, r.Unit, yuan(per), r.Unit, yuan(r.Low), yuan(r.High), r.Unit)}, true
	}
	r := ranges[pr.lowest]
	if price >= priceAnomalyFactor*r.Low {
		return domain.Reason{}, false
	}
	per := ""
	if r.Unit != "" {
		per = "/" + r.Unit
	}
	return domain.Reason{Tactic: "price", Start: -1, End: -1,
		Text: fmt.Sprintf("价格异常: ¥%s, 正品 ¥%s–%s%s", yuan(price), yuan(r.Low), yuan(r.High), per)}, true
}

// yuan writes an amount to the fen, halves rounded up as a shop would
// (¥9.90 for 20 is ¥0.50 each, not the ¥0.49 binary fractions give).
func yuan(v float64) string { return fmt.Sprintf("%.2f", math.Floor(v*100+0.5+1e-9)/100) }

func isSizeUnit(u string) bool {
	u = strings.ToLower(u)
	for _, s := range sizeUnits {
		if u == s {
			return true
		}
	}
	return false
}
