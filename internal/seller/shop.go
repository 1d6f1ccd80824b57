package seller

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// shopSuffixes are what a shop name says about the kind of shop rather than
// whose it is, longest first so 官方旗舰店 goes before 旗舰店 and 店.
var shopSuffixes = []string{
	"官方旗舰店", "旗舰店", "专营店", "专卖店", "企业店", "直营店", "工厂店", "批发部",
	"商行", "小店", "的店", "店铺", "store", "shop", "店",
}

// minKeyRunes: a one-character key ("鑫" of 鑫店) would link unrelated
// shops.
const minKeyRunes = 2

// ShopKey reduces a shop name to what tells shops apart: full-width folded
// to half-width, lower-cased, spaces and punctuation dropped, and the kind
// of shop stripped from the end, so 鑫旺食品专营店 and 鑫旺食品旗舰店 share
// the key 鑫旺食品. A key shorter than two characters is refused ("").
func ShopKey(name string) string {
	var b strings.Builder
	for _, r := range name {
		r = unicode.ToLower(fold(r))
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) ||
			r == utf8.RuneError || unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	key := b.String()
	for stripped := true; stripped; {
		stripped = false
		for _, s := range shopSuffixes {
			if rest, ok := strings.CutSuffix(key, s); ok {
				// A name that is nothing but the kind of shop (旗舰店)
				// says nothing of whose it is.
				if rest == "" {
					return ""
				}
				key, stripped = rest, true
				break
			}
		}
	}
	if utf8.RuneCountInString(key) < minKeyRunes {
		return ""
	}
	return key
}

// Keys are the contacts that identify a listing's seller: the shop key of
// its name (when it has one) and the contacts found on its pages, each
// once, the shop first.
func Keys(l domain.Listing) []domain.Contact {
	return KeysWith(l, ShopKey(l.Seller))
}

// KeysWith is Keys with the shop key of l.Seller, shop, already known:
// a store batch computes it once for each shop name it holds.
func KeysWith(l domain.Listing, shop string) []domain.Contact {
	out := make([]domain.Contact, 0, len(l.Contacts)+1)
	if shop != "" {
		out = append(out, domain.Contact{Kind: domain.ContactShop, Value: shop})
	}
	for _, c := range l.Contacts {
		if c.Value == "" || containsContact(out, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func containsContact(cs []domain.Contact, c domain.Contact) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
