package seller

import "github.com/markwatch/markwatch/internal/domain"

// wechatWords introduce a WeChat id; sellers write the homophones 威信
// and 薇信 and the abbreviations to slip past marketplace filters.
var wechatWords = keywords("微信", "威信", "薇信", "v信", "vx", "wx", "wechat", "weixin")

// WeChat ids are 6 to 20 characters: a letter, then letters, digits, _ and -.
const (
	wechatMin = 6
	wechatMax = 20
)

func isWeChatRune(r rune) bool { return isASCIIAlnum(r) || r == '_' || r == '-' }

// findWeChat finds WeChat ids after their labels. A latin label needs a
// separator before the id ("vx:abc123"), since "wxabc123" may be one word;
// a Chinese one does not ("加微信abc123").
func findWeChat(t, lt []rune, add func(int, domain.ContactKind, string)) {
	for i := 0; i < len(lt); i++ {
		n, latin := keywordAt(lt, i, wechatWords)
		if n == 0 {
			continue
		}
		j, seps := afterLabel(lt, i+n)
		if j >= len(lt) {
			return
		}
		if v, _, ok := phoneAt(t, j); ok {
			add(j, domain.ContactWeChat, v)
			continue
		}
		if !isASCIILetter(lt[j]) || (latin && seps == 0) {
			continue
		}
		k := j
		for k < len(lt) && isWeChatRune(lt[k]) {
			k++
		}
		if k-j >= wechatMin && k-j <= wechatMax {
			add(j, domain.ContactWeChat, string(lt[j:k]))
		}
		i = k - 1
	}
}
