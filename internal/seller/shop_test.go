package seller

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestShopKey(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"鑫旺食品专营店", "鑫旺食品"},
		{"鑫旺食品旗舰店", "鑫旺食品"},
		{"鑫旺食品官方旗舰店", "鑫旺食品"},
		{"鑫旺 食品 专卖店", "鑫旺食品"},
		{"【鑫旺食品】企业店", "鑫旺食品"},
		{"ＸＩＮＷＡＮＧ食品工厂店", "xinwang食品"},
		{"XinWang Food Store", "xinwangfood"},
		{"xinwang-food shop", "xinwangfood"},
		{"临沂酒水批发部", "临沂酒水"},
		{"老王的店", "老王"},
		{"衡水老白干直营店", "衡水老白干"},
		{"石家庄鑫旺商行", "石家庄鑫旺"},
		{"小李小店", "小李"},
		{"张记店铺", "张记"},
		{"养元饮品店", "养元饮品"},
		{"鑫店", ""},  // one character left: refused
		{"旗舰店", ""}, // nothing but the kind of shop
		{"店", ""},
		{"", ""},
		{"  ·  ", ""},
	} {
		if got := ShopKey(tc.name); got != tc.want {
			t.Errorf("ShopKey(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestKeys(t *testing.T) {
	shop := domain.Contact{Kind: domain.ContactShop, Value: "鑫旺食品"}
	l := domain.Listing{
		Seller:   "鑫旺食品专营店",
		Contacts: []domain.Contact{phone("13812345678"), shop, phone("13812345678"), {Kind: domain.ContactQQ}, wechat("xinwang_888")},
	}
	want := []domain.Contact{shop, phone("13812345678"), wechat("xinwang_888")}
	if got := Keys(l); !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := Keys(domain.Listing{Seller: "店", Contacts: []domain.Contact{qq("2857331900")}}); !slices.Equal(got, []domain.Contact{qq("2857331900")}) {
		t.Errorf("Keys without a shop key = %v", got)
	}
	if got := Keys(domain.Listing{}); len(got) != 0 {
		t.Errorf("Keys of nothing = %v", got)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		c    domain.Contact
		want string
	}{
		{phone("13812345678"), "电话 138****5678"},
		{phone("031188881234"), "电话 031****1234"},
		{wechat("13812345678"), "微信 138****5678"},
		{wechat("xinwang_888"), "微信 xinwang_888"},
		{qq("2857331900"), "QQ 2857331900"},
		{domain.Contact{Kind: domain.ContactShop, Value: "鑫旺食品"}, "店名 鑫旺食品"},
		{phone("12345"), "电话 *****"},
	} {
		if got := Describe(tc.c); got != tc.want {
			t.Errorf("Describe(%v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func FuzzShopKey(f *testing.F) {
	// ϒ is a capital with no lower case: it may stay
	for _, s := range []string{"鑫旺食品专营店", "ＸＩＮＷＡＮＧ shop", "\xe9\x91@ϒ\x97\x93\x81专\xe8\xe4\xb8椥庫", "店店店", "旗舰店旗舰店", "a店", "\xff店铺", "官方旗舰店shop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := ShopKey(s)
		if k == "" {
			return
		}
		if utf8.RuneCountInString(k) < minKeyRunes {
			t.Fatalf("ShopKey(%q) = %q: shorter than %d", s, k, minKeyRunes)
		}
		if strings.IndexFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.ToLower(r) != r }) >= 0 {
			t.Fatalf("ShopKey(%q) = %q: keeps spaces, punctuation or capitals", s, k)
		}
		// A key is a fixed point, and the kind of shop added to a name
		// does not change its key.
		if k2 := ShopKey(k); k2 != k {
			t.Fatalf("ShopKey(ShopKey(%q)) = %q, want %q", s, k2, k)
		}
		if k3 := ShopKey(s + "专营店"); k3 != k {
			t.Fatalf("ShopKey(%q+专营店) = %q, want %q", s, k3, k)
		}
	})
}
