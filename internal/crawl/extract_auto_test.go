package crawl_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// realPages lists the saved result pages that have a hand-checked parse
// (copied from ../shared/data/marketplace-html so CI needs no checkout of it).
func realPages(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "marketplace", "*.expected.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expected parses: %v", err)
	}
	var out []string
	for _, f := range files {
		stem := strings.TrimSuffix(f, ".expected.json")
		if _, err := os.Stat(stem + ".html"); err == nil {
			out = append(out, stem)
		}
	}
	return out
}

func readExpected(t testing.TB, stem string) (expectedParse, []byte) {
	t.Helper()
	var want expectedParse
	data, err := os.ReadFile(stem + ".expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(stem + ".html")
	if err != nil {
		t.Fatal(err)
	}
	return want, body
}

// recovered counts the expected item URLs among the listings' URLs, and the
// titles of those that read as the annotation does.
func recovered(want expectedParse, got []domain.Listing) (found, titles int, missing []string) {
	byURL := map[string]domain.Listing{}
	for _, l := range got {
		if _, ok := byURL[l.URL]; !ok {
			byURL[l.URL] = l
		}
	}
	for _, r := range want.Results {
		l, ok := byURL[r.URL]
		if !ok {
			missing = append(missing, r.URL)
			continue
		}
		found++
		if normSpace(l.Title) == expectedTitle(r.Title) {
			titles++
		}
	}
	return found, titles, missing
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }

// Auto-detection alone, with no selectors, recovers at least 95% of the
// expected item URLs on every saved real page and overall.
func TestAutoDetectRealPages(t *testing.T) {
	var found, total, titles int
	for _, stem := range realPages(t) {
		want, body := readExpected(t, stem)
		p, err := crawl.ExtractAuto(want.URL, body, "")
		if err != nil {
			t.Fatal(err)
		}
		f, ti, missing := recovered(want, p.Listings)
		found, total, titles = found+f, total+len(want.Results), titles+ti
		t.Logf("%-40s auto: %d/%d expected URLs (%.1f%%), %d/%d titles as annotated, %d listings, group %s",
			filepath.Base(stem), f, len(want.Results), pct(f, len(want.Results)), ti, f, len(p.Listings), p.Report.AutoItem)
		if !p.Report.Auto {
			t.Errorf("%s: report does not say auto", stem)
		}
		if pct(f, len(want.Results)) < 95 {
			t.Errorf("%s: auto-detection recovered %d of %d expected URLs; missing %v", stem, f, len(want.Results), missing)
		}
	}
	t.Logf("overall auto: %d/%d expected URLs (%.1f%%), %d titles as annotated", found, total, pct(found, total), titles)
	if pct(found, total) < 95 {
		t.Errorf("overall recovery %.1f%% < 95%%", pct(found, total))
	}
}

// The shipped definitions with fallback recover every expected URL, both on
// the pages they were written for and on the same pages after JD renamed its
// classes (the selectors then match nothing and auto-detection reads them).
func TestShippedSourcesWithFallbackRecoverAll(t *testing.T) {
	jd := loadSource(t, "jd")
	renamed := strings.NewReplacer("gl-item", "goods-card", "p-name", "card-title", "p-price", "card-price",
		"p-img", "card-pic", "list-h", "grid", `sku="`, `data-id="`)
	for _, stem := range realPages(t) {
		if !strings.HasPrefix(filepath.Base(stem), "jd_") {
			continue
		}
		want, body := readExpected(t, stem)
		for _, variant := range []string{"as saved", "classes renamed"} {
			b := body
			if variant == "classes renamed" {
				b = []byte(renamed.Replace(string(body)))
			}
			p, err := crawl.Extract(jd, want.URL, b, "")
			if err != nil {
				t.Fatal(err)
			}
			f, _, missing := recovered(want, p.Listings)
			t.Logf("%-40s jd.yaml %-15s: %d/%d expected URLs, auto=%v %s", filepath.Base(stem), variant, f, len(want.Results), p.Report.Auto, p.Report.AutoReason)
			if f != len(want.Results) {
				t.Errorf("%s %s: %d of %d; missing %v", stem, variant, f, len(want.Results), missing)
			}
			if p.Report.Auto != (variant == "classes renamed") {
				t.Errorf("%s %s: report auto=%v", stem, variant, p.Report.Auto)
			}
			if p.Report.Auto && (p.Report.AutoReason != crawl.AutoReasonNoItems || !slices.ContainsFunc(p.Report.UnmatchedSelectors, func(s string) bool { return strings.HasPrefix(s, "item: ") })) {
				t.Errorf("%s %s: report %+v does not say which item selectors matched nothing", stem, variant, p.Report)
			}
			for _, l := range p.Listings {
				if l.SourceID != "jd" || l.Platform != "jd" {
					t.Fatalf("listing %+v lacks the source", l)
				}
			}
		}
	}
}

// taobaoAuctions reads the saved g_page_config blob's auctions.
type tbAuction struct {
	RawTitle  string `json:"raw_title"`
	ViewPrice string `json:"view_price"`
	Nick      string `json:"nick"`
	ItemLoc   string `json:"item_loc"`
	DetailURL string `json:"detail_url"`
	PicURL    string `json:"pic_url"`
}

func taobaoAuctions(t testing.TB) []tbAuction {
	t.Helper()
	blob, err := os.ReadFile(filepath.Join("testdata", "marketplace", "taobao_search_2018-07_heizhimahu_g_page_config.js"))
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(string(blob), "g_page_config = ")), ";")
	var cfg struct {
		Mods struct {
			Itemlist struct {
				Data struct {
					Auctions []tbAuction `json:"auctions"`
				} `json:"data"`
			} `json:"itemlist"`
		} `json:"mods"`
	}
	if err := json.Unmarshal([]byte(bare), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Mods.Itemlist.Data.Auctions
}

// taobaoRendered is the page Taobao renders from its auctions (its 2018
// markup: div.item.J_MouserOnverReq cards), without the g_page_config.
func taobaoRendered(auctions []tbAuction) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>芝麻糊_淘宝搜索</title></head><body>
<div class="site-nav"><ul><li><a href="//www.taobao.com/">淘宝网首页</a></li><li><a href="//i.taobao.com/my_taobao.htm">我的淘宝</a></li><li><a href="//cart.taobao.com/cart.htm">购物车</a></li></ul></div>
<div class="m-itemlist"><div class="grid g-clearfix"><div class="items">`)
	for i, a := range auctions {
		fmt.Fprintf(&b, `<div class="item J_MouserOnverReq item-ad-%d" data-category="auctions" data-index="%d">
<div class="pic-box J_MouseEneterLeave J_PicBox"><div class="pic"><a class="pic-link J_ClickStat J_ItemPicA" href="%s" target="_blank"><img class="J_ItemPic img" data-src="%s" alt="%s"></a></div></div>
<div class="ctx-box J_MouseEneterLeave J_IconMoreNew"><div class="row row-1 g-clearfix"><div class="price g_price g_price-highlight"><span>&yen;</span><strong>%s</strong></div><div class="deal-cnt">%d人付款</div></div>
<div class="row row-2 title"><a class="J_ClickStat" href="%s" target="_blank">%s</a></div>
<div class="row row-3 g-clearfix"><div class="shop"><a class="shopname J_MouseEneterLeave J_ShopInfo" href="//store.taobao.com/shop/view_shop.htm?user_number_id=%d" target="_blank"><span class="dsrs"></span><span>%s</span></a></div><div class="location">%s</div></div>
</div></div>
`, i, i, a.DetailURL, a.PicURL, a.RawTitle, a.ViewPrice, 100+i, a.DetailURL, a.RawTitle, 1000+i, a.Nick, a.ItemLoc)
	}
	b.WriteString(`</div></div></div><div class="pager"><a href="/search?q=x&s=44">下一页</a></div></body></html>`)
	return []byte(b.String())
}

// taobao.yaml reads the saved blob with its JSON rules; on a results page
// that renders the listings without the JSON it falls back to the markup and
// still recovers every auction, with price, shop and location.
func TestTaobaoFallbackReadsRenderedPage(t *testing.T) {
	tb := loadSource(t, "taobao")
	auctions := taobaoAuctions(t)
	blob, _ := os.ReadFile(filepath.Join("testdata", "marketplace", "taobao_search_2018-07_heizhimahu_g_page_config.js"))
	p, err := crawl.Extract(tb, "https://s.taobao.com/search?q=x", blob, "")
	if err != nil || p.Report.Auto || len(p.Listings) != len(auctions) {
		t.Fatalf("blob: %v, auto=%v, %d of %d", err, p.Report.Auto, len(p.Listings), len(auctions))
	}
	p, err = crawl.Extract(tb, "https://s.taobao.com/search?q=x", taobaoRendered(auctions), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Report.Auto || p.Report.AutoReason != crawl.AutoReasonNoJSON {
		t.Errorf("report %+v", p.Report)
	}
	if len(p.Listings) != len(auctions) {
		t.Fatalf("%d listings, want %d", len(p.Listings), len(auctions))
	}
	for i, a := range auctions {
		l := p.Listings[i]
		if l.URL != "https:"+a.DetailURL && l.URL != a.DetailURL {
			t.Errorf("%d: url %q, want %q", i, l.URL, a.DetailURL)
		}
		if l.Title != normSpace(a.RawTitle) || l.Seller != a.Nick || l.Location != a.ItemLoc ||
			fmt.Sprint(l.Price) != strings.TrimRight(strings.TrimRight(a.ViewPrice, "0"), ".") || l.ImageURL == "" {
			t.Errorf("%d: got %+v, want %+v", i, l, a)
		}
	}
	t.Logf("taobao.yaml with fallback on the rendered page: %d/%d auctions", len(p.Listings), len(auctions))
}

// A definition whose selectors match nothing: the fallback says so; with
// auto-detection off the page has no listings; asked for, it is used even
// when the selectors match.
func TestExtractFallbackModes(t *testing.T) {
	src := mustSource(t, strings.Replace(shopSource, `item: ["li.gl-item", "div.item"]`, `item: ["li.gone", "div.gone"]`, 1))
	page := []byte(strings.Replace(shopPage, "%META%", "", 1))
	const u = "https://search.shop.cn/s?q=x"
	p, err := crawl.Extract(src, u, page, "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Report.Auto || p.Report.AutoReason != crawl.AutoReasonNoItems || len(p.Listings) != 2 ||
		!slices.Equal(p.Report.UnmatchedSelectors, []string{"item: li.gone", "item: div.gone"}) {
		t.Fatalf("fallback page %+v", p)
	}
	if p.NextURL == "" || p.Listings[0].SourceID != "shop" {
		t.Errorf("fallback lost pagination or the source: %+v", p)
	}
	l := p.Listings[0]
	if l.Title != "六个核桃 核桃乳 240ml*12罐" || l.Price != 52 || l.Seller != "六个核桃官方旗舰店" || l.Location != "河北 衡水" ||
		l.URL != "https://item.shop.cn/1001.html" || l.ImageURL != "https://search.shop.cn/img/1001.jpg" {
		t.Errorf("first listing %+v", l)
	}
	if l := p.Listings[1]; l.Price != 1299.5 || l.URL != "https://search.shop.cn/item/1002.html" || l.Location != "河南 周口" {
		t.Errorf("second listing %+v", l)
	}
	off, err := crawl.ExtractWith(src, crawl.ExtractOptions{Auto: crawl.AutoOff}, u, page, "")
	if err != nil || off.Report.Auto || len(off.Listings) != 0 {
		t.Errorf("auto off: %v %+v", err, off)
	}
	good := mustSource(t, shopSource)
	always, err := crawl.ExtractWith(good, crawl.ExtractOptions{Auto: crawl.AutoAlways}, u, page, "")
	if err != nil || !always.Report.Auto || always.Report.AutoReason != crawl.AutoReasonAsked || len(always.Listings) != 2 || always.NextURL == "" {
		t.Errorf("auto always: %v %+v", err, always)
	}
	normal, _ := crawl.Extract(good, u, page, "")
	if normal.Report.Auto {
		t.Errorf("selectors matched yet report says auto: %+v", normal.Report)
	}
	for _, s := range []string{"", "fallback", "off", "always"} {
		if m, err := crawl.ParseAutoMode(s); err != nil || (s != "" && m.String() != s) {
			t.Errorf("ParseAutoMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := crawl.ParseAutoMode("sometimes"); err == nil {
		t.Error("ParseAutoMode accepted sometimes")
	}
}

// --suggest's definition, read back by the CSS extractor with auto-detection
// off, yields exactly the listings auto-detection found, on every real page.
func TestSuggestRoundTrip(t *testing.T) {
	for _, stem := range realPages(t) {
		want, body := readExpected(t, stem)
		s, err := crawl.Suggest(want.URL, body, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Mismatches) > 0 {
			t.Errorf("%s: mismatches %v", stem, s.Mismatches)
		}
		src, err := crawl.ParseSource("suggested.yaml", s.YAML)
		if err != nil {
			t.Fatalf("%s: suggested definition does not parse: %v\n%s", stem, err, s.YAML)
		}
		got, err := crawl.ExtractWith(src, crawl.ExtractOptions{Auto: crawl.AutoOff}, want.URL, body, "")
		if err != nil {
			t.Fatal(err)
		}
		auto, err := crawl.ExtractAuto(want.URL, body, "")
		if err != nil {
			t.Fatal(err)
		}
		for i := range got.Listings {
			got.Listings[i].SourceID, got.Listings[i].Platform = "", ""
		}
		if !reflect.DeepEqual(got.Listings, auto.Listings) || len(got.Listings) == 0 {
			t.Errorf("%s: suggested selectors read %d listings, auto-detection %d\n%s", stem, len(got.Listings), len(auto.Listings), s.YAML)
			for i := range min(len(got.Listings), len(auto.Listings)) {
				if !reflect.DeepEqual(got.Listings[i], auto.Listings[i]) {
					t.Errorf("first difference at %d:\n css  %+v\n auto %+v", i, got.Listings[i], auto.Listings[i])
					break
				}
			}
		}
		t.Logf("%-40s suggest: item %q, %d listings read back identically", filepath.Base(stem), s.Item, len(got.Listings))
	}
}

// Auto-detection reads the JSON a page renders from when its markup holds
// no listing: the saved Taobao g_page_config blob, alone and in a page, and
// taobao.yaml falls back to it when its items path no longer matches.
func TestAutoDetectTaobaoJSON(t *testing.T) {
	auctions := taobaoAuctions(t)
	blob, err := os.ReadFile(filepath.Join("testdata", "marketplace", "taobao_search_2018-07_heizhimahu_g_page_config.js"))
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://s.taobao.com/search?q=x"
	check := func(name string, p crawl.Page) {
		t.Helper()
		found := 0
		for i, a := range auctions {
			if i < len(p.Listings) && strings.HasSuffix(p.Listings[i].URL, strings.TrimPrefix(a.DetailURL, "https:")) {
				found++
				if l := p.Listings[i]; l.Title != normSpace(a.RawTitle) || l.Seller != a.Nick || l.Location != a.ItemLoc || l.Price == 0 || l.ImageURL == "" {
					t.Errorf("%s %d: got %+v, want %+v", name, i, l, a)
				}
			}
		}
		t.Logf("%s: %d/%d auctions, auto=%v %s", name, found, len(auctions), p.Report.Auto, p.Report.AutoReason)
		if found != len(auctions) || len(p.Listings) != len(auctions) || !p.Report.Auto {
			t.Errorf("%s: %d of %d auctions, %d listings, report %+v", name, found, len(auctions), len(p.Listings), p.Report)
		}
	}
	p, err := crawl.ExtractAuto(u, blob, "")
	if err != nil {
		t.Fatal(err)
	}
	check("auto, blob", p)
	page := []byte("<!DOCTYPE html><html><head><script>\n" + string(blob) + "\n</script></head><body><div id=mainsrp-itemlist></div></body></html>")
	if p, err = crawl.ExtractAuto(u, page, "text/html; charset=utf-8"); err != nil {
		t.Fatal(err)
	}
	check("auto, page", p)
	tb := loadSource(t, "taobao")
	tb.Extract.JSON.Items = crawl.Selectors{"mods.itemlist.data.items"} // a rename on Taobao's side
	if p, err = crawl.Extract(tb, u, page, ""); err != nil {
		t.Fatal(err)
	}
	check("taobao.yaml, items path renamed", p)
}
