package cases

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Jurisdiction returns the leading words the sellers' locations have in
// common: 河北 石家庄 and 河北 保定 give 河北; 河北 石家庄 twice gives
// 河北 石家庄. Locations are split on spaces (also the ideographic space);
// the administrative suffixes 省, 市 and 自治区 are dropped from a word
// (河北省 石家庄市 reads as 河北 石家庄) and a repeated word is kept once
// (北京 北京 reads as 北京). Alerts without a location do not count; with
// none, or nothing in common, the answer is "".
func Jurisdiction(alerts []domain.Alert) string {
	var common []string
	seen := false
	for _, a := range alerts {
		words := locationWords(a.Location)
		if len(words) == 0 {
			continue
		}
		if !seen {
			common, seen = words, true
			continue
		}
		n := 0
		for n < len(common) && n < len(words) && common[n] == words[n] {
			n++
		}
		common = common[:n]
		if n == 0 {
			return ""
		}
	}
	return strings.Join(common, " ")
}

// locationWords splits a marketplace location into normalised words.
func locationWords(loc string) []string {
	var out []string
	for _, w := range strings.Fields(loc) {
		w = trimSuffix(w)
		if w == "" || (len(out) > 0 && out[len(out)-1] == w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// trimSuffix drops an administrative suffix when a name of two or more
// characters is left (so 沙市 is not cut, 石家庄市 is).
func trimSuffix(w string) string {
	for _, suf := range []string{"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"} {
		if rest, ok := strings.CutSuffix(w, suf); ok && len([]rune(rest)) >= 2 {
			return rest
		}
	}
	return w
}
