package crawl_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// shippedSources loads config/sources as the daemon does.
func shippedSources(t testing.TB) map[string]crawl.Source {
	t.Helper()
	srcs, err := crawl.LoadSources(os.DirFS(filepath.Join("..", "..", "config", "sources")), ".")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crawl.Source{}
	for _, s := range srcs {
		out[s.ID] = s
	}
	return out
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		in   string
		keep []string
		want string
	}{
		// Host case, default ports, fragments, cleaned paths.
		{"HTTP://Item.JD.com:80/100012345.html#comment", nil, "http://item.jd.com/100012345.html"},
		{"https://item.jd.com:443/./a/../100012345.html", nil, "https://item.jd.com/100012345.html"},
		{"https://item.jd.com:8443/1.html", nil, "https://item.jd.com:8443/1.html"},
		{"http://127.0.0.1:8089/item/7", nil, "http://127.0.0.1:8089/item/7"},
		{"  http://example.com  ", nil, "http://example.com/"},
		{"http://example.com/a/", nil, "http://example.com/a"},
		// Scheme-relative stays scheme-relative: no guessing.
		{"//item.jd.com/100012345.html#comments-list", nil, "//item.jd.com/100012345.html"},
		// Tracking parameters dropped, the rest sorted.
		{"https://item.jd.com/1.html?utm_source=x&spm=a.b.c&pvid=9&_t=1700000000", nil, "https://item.jd.com/1.html"},
		{"https://detail.tmall.com/item.htm?spm=a230r.1.14.1&id=571234&ns=1&abbucket=1&skuId=9", nil,
			"https://detail.tmall.com/item.htm?id=571234&skuId=9"},
		{"https://detail.tmall.com/item.htm?id=5&ad_id=&am_id=&cm_id=140105335569ed55e27b&pm_id=&abbucket=1", nil,
			"https://detail.tmall.com/item.htm?id=5"},
		{"http://x.cn/p?b=2&a=1&b=1", nil, "http://x.cn/p?a=1&b=2&b=1"},
		// keep: only the parameters that name the offer survive.
		{"https://item.taobao.com/item.htm?id=5&skuId=7&foo=bar&spm=1", []string{"id", "skuId"},
			"https://item.taobao.com/item.htm?id=5&skuId=7"},
		// Not absolute http(s) URLs: returned trimmed.
		{"/item/7", nil, "/item/7"},
		{"mailto:a@b.cn", nil, "mailto:a@b.cn"},
		{"", nil, ""},
	}
	for _, tc := range tests {
		got := crawl.CanonicalURL(tc.in, tc.keep)
		if got != tc.want {
			t.Errorf("CanonicalURL(%q, %v) = %q, want %q", tc.in, tc.keep, got, tc.want)
		}
		if again := crawl.CanonicalURL(got, tc.keep); again != got {
			t.Errorf("CanonicalURL not idempotent on %q: %q", got, again)
		}
	}
}

func TestIdentityOfURLVariants(t *testing.T) {
	srcs := shippedSources(t)
	tests := []struct {
		source, want string
		urls         []string
	}{
		{"jd", "jd:100012345", []string{
			"https://item.jd.com/100012345.html",
			"http://item.jd.com/100012345.html",
			"//item.jd.com/100012345.html",
			"http://item.jd.com/100012345.html#comments-list",
			"https://item.jd.com/100012345.html#comment",
			"https://ITEM.JD.COM:443/100012345.html?spm=a.b&utm_source=jingfen",
			"https://item.m.jd.com/product/100012345.html?pvid=abc",
			"https://m.jd.com/product/100012345.html",
			"https://item.m.jd.com/ware/view.action?wareId=100012345&sid=x",
		}},
		{"taobao", "taobao:571234567890", []string{
			"https://item.taobao.com/item.htm?id=571234567890",
			"//item.taobao.com/item.htm?id=571234567890&ns=1&abbucket=1#detail",
			"http://item.taobao.com/item.htm?spm=a230r.1.14.20.7c2b&id=571234567890&ns=1",
			"//detail.tmall.com/item.htm?id=571234567890&ns=1&abbucket=1&on_comment=1",
			"https://detail.tmall.com/item.htm?id=571234567890&ad_id=&am_id=&cm_id=140105335569ed55e27b&pm_id=&abbucket=1",
			"https://detail.m.tmall.com/item.htm?id=571234567890",
			"https://h5.m.taobao.com/awp/core/detail.htm?id=571234567890&spm=x",
			"https://m.intl.taobao.com/detail/detail.html?id=571234567890",
			"https://a.m.taobao.com/i571234567890.htm",
			"https://world.taobao.com/item/571234567890.htm",
		}},
		{"demo", "demo:17", []string{
			"http://127.0.0.1:8089/item/17",
			"http://127.0.0.1:41234/item/17",
			"http://localhost:8089/item/17#reviews",
			"http://127.0.0.1:8089/item/17?from=search&spm=1",
			"http://127.0.0.1:8089/item/17?color=red",
		}},
	}
	for _, tc := range tests {
		src := srcs[tc.source]
		for _, u := range tc.urls {
			if got := src.Identity(u); got != tc.want {
				t.Errorf("%s.Identity(%q) = %q, want %q", tc.source, u, got, tc.want)
			}
		}
	}
	// Different offers stay different; an unmatched URL's identity is its
	// canonical URL.
	jd := srcs["jd"]
	if a, b := jd.Identity("https://item.jd.com/1.html"), jd.Identity("https://item.jd.com/2.html"); a == b {
		t.Errorf("two skus share identity %q", a)
	}
	if got := jd.Identity("http://mall.jd.com/index-1000.html?spm=1#x"); got != "https://mall.jd.com/index-1000.html" {
		t.Errorf("unmatched URL identity = %q", got)
	}
	tb := srcs["taobao"]
	if got := tb.Identity("//store.taobao.com/shop/view_shop.htm?user_number_id=42"); strings.HasPrefix(got, "taobao:") {
		t.Errorf("a shop URL was read as an item: %q", got)
	}
	ad1 := tb.Identity("https://click.simba.taobao.com/cc_im?p=a&s=1&k=673&e=x1")
	ad2 := tb.Identity("https://click.simba.taobao.com/cc_im?p=a&s=1&k=653&e=x2")
	if ad1 == ad2 {
		t.Errorf("two ad redirects share identity %q", ad1)
	}
	if got := jd.Identity(""); got != "" {
		t.Errorf("Identity(\"\") = %q", got)
	}
}

// TestIdentityOnRealPages reads the saved marketplace pages with the shipped
// definitions: every listing gets a platform:itemid identity, the URL forms
// a page uses for one item (item link, #comment link, //host and http) agree,
// and distinct items stay distinct.
func TestIdentityOnRealPages(t *testing.T) {
	srcs := shippedSources(t)
	dirs := []string{filepath.Join("testdata", "marketplace"), filepath.Join("..", "..", "..", "shared", "data", "marketplace-html")}
	sku := regexp.MustCompile(`item\.jd\.com/(\d+)\.html`)
	tbID := regexp.MustCompile(`[?&]id=(\d+)`)
	read := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			name := filepath.Base(f)
			var src crawl.Source
			var page string
			switch {
			case strings.HasPrefix(name, "jd_") && strings.HasSuffix(name, ".html"):
				src, page = srcs["jd"], "https://search.jd.com/Search?keyword=x"
			case strings.HasPrefix(name, "taobao_") && strings.HasSuffix(name, ".js"):
				src, page = srcs["taobao"], "https://s.taobao.com/search?q=x"
			default:
				continue
			}
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := crawl.Extract(src, page, body, "")
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			read++
			ids := map[string]string{}
			for _, l := range p.Listings {
				id := src.Identity(l.URL)
				var want string
				switch src.ID {
				case "jd":
					m := sku.FindStringSubmatch(l.URL)
					if m == nil {
						t.Errorf("%s: listing URL %q is not an item page", name, l.URL)
						continue
					}
					want = "jd:" + m[1]
					for _, v := range []string{
						strings.Replace(l.URL, "https:", "http:", 1),
						strings.TrimPrefix(strings.TrimPrefix(l.URL, "https:"), "http:"),
						l.URL + "#comment", l.URL + "#comments-list", l.URL + "?spm=a.b.c&pvid=1",
					} {
						if got := src.Identity(v); got != want {
							t.Errorf("%s: Identity(%q) = %q, want %q", name, v, got, want)
						}
					}
				case "taobao":
					m := tbID.FindStringSubmatch(l.URL)
					if m == nil || strings.Contains(l.URL, "click.simba") {
						// An ad redirect: its canonical URL, never a taobao: id.
						if strings.HasPrefix(id, "taobao:") {
							t.Errorf("%s: ad URL %q got item identity %q", name, l.URL, id)
						}
						continue
					}
					want = "taobao:" + m[1]
					if got := src.Identity(strings.Replace(l.URL, "ns=1", "spm=a230r.1.14.1", 1) + "#detail"); got != want {
						t.Errorf("%s: variant of %q = %q, want %q", name, l.URL, got, want)
					}
				}
				if id != want {
					t.Errorf("%s: Identity(%q) = %q, want %q", name, l.URL, id, want)
				}
				if prev, ok := ids[id]; ok && prev != crawl.CanonicalURL(l.URL, nil) {
					t.Errorf("%s: %q and %q share identity %q", name, prev, l.URL, id)
				}
				ids[id] = crawl.CanonicalURL(l.URL, nil)
			}
			if len(p.Listings) > 0 && len(ids) == 0 {
				t.Errorf("%s: no identities", name)
			}
		}
	}
	if read == 0 {
		t.Fatal("no real pages read")
	}
}

func TestWithIdentitySetsListingID(t *testing.T) {
	src := shippedSources(t)["demo"]
	var got []domain.Listing
	emit := src.WithIdentity(func(l domain.Listing) error { got = append(got, l); return nil })
	_ = emit(domain.Listing{Title: "a", URL: "http://127.0.0.1:5555/item/3#x"})
	_ = emit(domain.Listing{Title: "b", ID: "keep"})
	if got[0].ID != "demo:3" || got[0].URL != "http://127.0.0.1:5555/item/3#x" || got[1].ID != "keep" {
		t.Errorf("listings = %+v", got)
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://item.jd.com/100012345.html", "//item.jd.com/1.html#comment", "HTTP://A.B:80/x/../y?b=1&a=2&spm=3",
		"https://detail.tmall.com/item.htm?id=1&ns=1", "http://[::1]:8089/item/1", "http://127.0.0.1:8089/item/%2F1",
		"http://a/%zz?%zz=1", "https://x.cn/a;b?c=d;e", "http://a.b./", "http://a@b/", "%", " ", "http://a/?",
		"http://a/#", "http://a/b?x=%26&y=%3D", "https://m.jd.com/product/1.html",
	} {
		f.Add(s)
	}
	srcs := shippedSources(f)
	f.Fuzz(func(t *testing.T, raw string) {
		c := crawl.CanonicalURL(raw, nil)
		if again := crawl.CanonicalURL(c, nil); again != c {
			t.Fatalf("CanonicalURL(%q) = %q, then %q", raw, c, again)
		}
		k := crawl.CanonicalURL(raw, []string{"id", "skuId"})
		if again := crawl.CanonicalURL(k, []string{"id", "skuId"}); again != k {
			t.Fatalf("CanonicalURL(%q, keep) = %q, then %q", raw, k, again)
		}
		for _, s := range srcs {
			id := s.Identity(raw)
			if strings.TrimSpace(raw) != "" && id == "" {
				t.Fatalf("%s.Identity(%q) is empty", s.ID, raw)
			}
			r := s.IdentityRules
			cc := r.Canonical(raw)
			if again := r.Canonical(cc); again != cc {
				t.Fatalf("%s: Canonical(%q) = %q, then %q", s.ID, raw, cc, again)
			}
		}
	})
}

func TestIdentityOfAndFingerprint(t *testing.T) {
	srcs := shippedSources(t)
	list := []crawl.Source{srcs["jd"], srcs["demo"]}
	id := crawl.IdentityOf(list)
	if got := id("jd", "http://item.jd.com/5.html#comment"); got != "jd:5" {
		t.Errorf("jd: %q", got)
	}
	if got := id("taobao", "https://item.taobao.com/item.htm?id=5"); got != "" {
		t.Errorf("a source not configured: %q, want \"\"", got)
	}
	fp := crawl.IdentityFingerprint(list)
	if fp != crawl.IdentityFingerprint([]crawl.Source{srcs["demo"], srcs["jd"]}) {
		t.Error("fingerprint depends on the order of sources")
	}
	changed := srcs["jd"]
	changed.IdentityRules.HTTPS = false
	if fp == crawl.IdentityFingerprint([]crawl.Source{changed, srcs["demo"]}) {
		t.Error("fingerprint ignores a rule change")
	}
}
