package crawl

import "testing"

func TestPlainCanonical(t *testing.T) {
	for _, c := range []struct {
		url  string
		keep []string
		want bool
	}{
		{"https://item.jd.com/100012345.html", nil, true},
		{"http://127.0.0.1:8089/item/q12-3", nil, true},
		{"https://detail.tmall.com/item.htm?id=618&skuId=4", nil, true},
		{"https://detail.tmall.com/item.htm?id=618", []string{"id", "skuId"}, true},
		{"https://s.taobao.com/search?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83", nil, true},
		{"https://m.jd.com/%E6%A0%B8%E6%A1%83/1.html", nil, true},
		{"https://item.taobao.com/item.htm?id=618&spm=a21n5", nil, false}, // tracking parameter
		{"https://detail.tmall.com/item.htm?skuId=4&id=618", nil, false},  // not sorted
		{"https://detail.tmall.com/item.htm?id=618&ns=", nil, false},      // empty value
		{"https://detail.tmall.com/item.htm?id=618&x=1", []string{"id"}, false},
		{"https://item.jd.com/100012345.html#comment", nil, false},
		{"https://item.jd.com:443/1.html", nil, false},
		{"http://item.jd.com:80/1.html", nil, false},
		{"https://Item.JD.com/1.html", nil, false},
		{"HTTPS://item.jd.com/1.html", nil, false},
		{"https://item.jd.com", nil, false},
		{"https://item.jd.com/a/../1.html", nil, false},
		{"https://item.jd.com/a//1.html", nil, false},
		{"https://item.jd.com/a/", nil, false},
		{"https://item.jd.com/%41.html", nil, false},    // an escape the writer spells bare
		{"https://item.jd.com/%e6%a0.html", nil, false}, // lower-case hex
		{"https://item.jd.com/1.html?", nil, false},
		{"//item.jd.com/1.html", nil, false},
		{"https://item.jd.com./1.html", nil, false},
		{"https://a@item.jd.com/1.html", nil, false},
		{"https://[::1]:8089/item/1", nil, false},
		{" https://item.jd.com/1.html", nil, false},
	} {
		if got := plainCanonical(c.url, c.keep); got != c.want {
			t.Errorf("plainCanonical(%q, %q) = %v, want %v", c.url, c.keep, got, c.want)
		}
		if c.want {
			if got := canonicalOnce(c.url, c.keep); got != c.url {
				t.Errorf("canonicalOnce(%q) = %q: plainCanonical accepts what is not canonical", c.url, got)
			}
		}
	}
}

// What plainCanonical accepts, canonicalOnce must return unchanged, or
// CanonicalURL's shortcut would return another spelling than its passes.
func FuzzPlainCanonical(f *testing.F) {
	for _, s := range []string{
		"https://item.jd.com/100012345.html", "http://127.0.0.1:8089/item/q1-0", "https://a.b/x?a=1&a=2&b=%26",
		"https://a.b/%E6%A0%B8?q=%E6%A0%B8+x", "http://a.b:0/x", "https://a.b/x?id=1&skuId=2", "https://a-b.c/~x_y.z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, keep := range [][]string{nil, {"id", "skuId"}} {
			if plainCanonical(s, keep) {
				if got := canonicalOnce(s, keep); got != s {
					t.Fatalf("plainCanonical(%q, %q) but canonicalOnce gives %q", s, keep, got)
				}
			}
		}
	})
}
