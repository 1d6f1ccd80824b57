package seller

import (
	"strings"
	"unicode"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxAddressRunes bounds an address: the label's line is the address
// unless the line runs on.
const maxAddressRunes = 40

// minAddressRunes refuses "地址：见详情" and the like.
const minAddressRunes = 5

var (
	addressWord = []rune("地址")
	// buyerAddress labels are the buyer's address, not the seller's.
	buyerAddress = [][]rune{[]rune("收货"), []rune("收件"), []rune("您的"), []rune("填写")}
	// addressStops are the labels of what sellers write after an address
	// on the same line.
	addressStops = keywords("电话", "手机", "座机", "传真", "微信", "威信", "薇信", "联系", "邮编", "邮箱", "qq", "tel", "营业时间", "店铺", "网址")
)

// isAddressEnd reports whether r ends an address: the end of a line or a
// clause. Commas too: addresses are written without them, and what
// follows one is usually something else ("…100号，欢迎光临").
func isAddressEnd(r rune) bool {
	switch r {
	case '\n', '\r', ',', '，', '。', ';', '|', '!', '！', '?', '？', '、':
		return true
	}
	return false
}

// looksLikeAddress reports whether s names a place: an address has a
// province, city, district, road or number in it.
func looksLikeAddress(s string) bool {
	return strings.ContainsAny(s, "省市区县镇乡村路街道号巷弄园栋楼")
}

// findAddresses finds the addresses after 地址 (发货地址, 公司地址 …) up to
// the end of the line, the next label or maxAddressRunes, with spaces and
// trailing punctuation dropped.
func findAddresses(t, lt []rune, add func(int, domain.ContactKind, string)) {
	for i := 0; i < len(lt); i++ {
		if !hasAt(lt, i, addressWord) || isBuyerAddress(lt, i) {
			continue
		}
		j, _ := afterLabel(lt, i+len(addressWord))
		var b []rune
		k := j
		for ; k < len(t) && len(b) < maxAddressRunes && !isAddressEnd(t[k]); k++ {
			if n, _ := keywordAt(lt, k, addressStops); n > 0 {
				break
			}
			if !unicode.IsSpace(t[k]) {
				b = append(b, t[k])
			}
		}
		for len(b) > 0 && (unicode.IsPunct(b[len(b)-1]) || unicode.IsSymbol(b[len(b)-1])) {
			b = b[:len(b)-1]
		}
		if s := string(b); len(b) >= minAddressRunes && looksLikeAddress(s) {
			add(j, domain.ContactAddress, s)
		}
		i = k - 1
	}
}

func isBuyerAddress(lt []rune, i int) bool {
	for _, w := range buyerAddress {
		if i >= len(w) && hasAt(lt, i-len(w), w) {
			return true
		}
	}
	return false
}
