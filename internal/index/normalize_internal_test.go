package index

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The skip of opencc for titles no dictionary key can match must not change
// a single result: each case is normalised with and without it.
func TestNormalizeSkipsOnlyWhatConvertKeeps(t *testing.T) {
	n, err := newNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	slow := func(s string) string {
		s = strings.ToLower(norm.NFKC.String(s))
		if c, err := n.t2s.Convert(s); err == nil {
			s = c
		}
		return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	}
	for _, tc := range []struct{ in, want string }{
		{"临城薄皮核桃 5斤装", "临城薄皮核桃 5斤装"},
		{"臨城薄皮核桃 5斤裝", "临城薄皮核桃 5斤装"},
		{"衡水老白幹 67度", "衡水老白干 67度"},
		{"六個核桃 核桃乳  24罐", "六个核桃 核桃乳 24罐"},
		{"ＬＯＧＯ 全聚德烤鴨", "logo 全聚德烤鸭"},
		{"乾燥劑 食品級", "干燥剂 食品级"},
		{"於是 三國演義", "于是 三国演义"},
		{"太行山货店 河北 石家庄", "太行山货店 河北 石家庄"},
		{"iPhone 15 Pro 手机壳", "iphone 15 pro 手机壳"},
		{"", ""},
	} {
		got := n.Normalize(tc.in)
		if got != tc.want || got != slow(tc.in) {
			t.Errorf("Normalize(%q) = %q, without the skip %q; want %q", tc.in, got, slow(tc.in), tc.want)
		}
	}
	if n.convertible("临城薄皮核桃 5斤装") == n.convertible("臨城薄皮核桃") {
		t.Error("convertible does not tell a simplified title from a traditional one")
	}
}
