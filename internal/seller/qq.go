package seller

import "github.com/markwatch/markwatch/internal/domain"

var qqWords = keywords("qq", "扣扣", "企鹅")

// QQ numbers have 5 to 11 digits and do not start with 0.
const (
	qqMin = 5
	qqMax = 11
)

// findQQ finds QQ numbers after their labels ("QQ:123456", "扣扣 123456",
// "QQ号123456"). A QQ group (QQ群) is not a seller's own number.
func findQQ(lt []rune, add func(int, domain.ContactKind, string)) {
	for i := 0; i < len(lt); i++ {
		n, latin := keywordAt(lt, i, qqWords)
		if n == 0 {
			continue
		}
		if latin && i+n < len(lt) && isASCIILetter(lt[i+n]) {
			continue
		}
		j, _ := afterLabel(lt, i+n)
		if j >= len(lt) || lt[j] < '1' || lt[j] > '9' {
			continue
		}
		k := j
		for k < len(lt) && isDigit(lt[k]) {
			k++
		}
		if k-j < qqMin || k-j > qqMax || (k < len(lt) && isASCIILetter(lt[k])) {
			continue
		}
		add(j, domain.ContactQQ, string(lt[j:k]))
		i = k - 1
	}
}
