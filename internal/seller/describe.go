package seller

import (
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// kindWords are how a reason names a contact's kind to a supervisor.
var kindWords = map[domain.ContactKind]string{
	domain.ContactPhone:   "电话",
	domain.ContactWeChat:  "微信",
	domain.ContactQQ:      "QQ",
	domain.ContactAddress: "地址",
	domain.ContactShop:    "店名",
}

// Describe writes a contact as a reason shows it: its kind in words and
// its value, phone numbers (and WeChat ids that are phone numbers) masked
// like 138****5678, since reasons reach owners and subscribers who need to
// see that two shops share a number, not the number.
func Describe(c domain.Contact) string {
	w, ok := kindWords[c.Kind]
	if !ok {
		w = string(c.Kind)
	}
	v := c.Value
	if c.Kind == domain.ContactPhone || (c.Kind == domain.ContactWeChat && allDigits(v)) {
		v = MaskPhone(v)
	}
	return w + " " + v
}

// MaskPhone keeps the first three and last four digits of a number and
// stars the rest: 13812345678 → 138****5678. Numbers too short to keep
// anything hidden are all stars.
func MaskPhone(v string) string {
	if len(v) < 8 {
		return strings.Repeat("*", len(v))
	}
	return v[:3] + "****" + v[len(v)-4:]
}

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return s != ""
}
