package crawl_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/markwatch/markwatch/internal/crawl"
)

const shopSource = `id: shop
search:
  url: "https://search.shop.cn/s?q={query}"
  pagination:
    next: ["a.pn-next@href", "a.next@href"]
extract:
  css:
    item: ["li.gl-item", "div.item"]
    fields:
      title: ["div.p-name em", "a.title"]
      price: ["div.p-price i", "span.price"]
      seller: "div.p-shop a"
      location: "span.loc"
      url: ["div.p-name a@href", "a.title@href"]
      image: "img@src"
`

const shopPage = `<html><head>%META%<title>核桃</title></head><body><ul>
<li class="gl-item"><div class="p-name"><a href="//item.shop.cn/1001.html"><em>六个核桃 核桃乳 240ml*12罐</em></a></div>
  <div class="p-price"><i>￥52.00</i></div><div class="p-shop"><a>六个核桃官方旗舰店</a></div><span class="loc">河北 衡水</span>
  <img src="/img/1001.jpg"></li>
<li class="gl-item"><div class="p-name"><a href="/item/1002.html"><em>陆个核桃
   核桃露　植物蛋白饮料</em></a></div><div class="p-price"><i>￥ 1,299.50</i></div><span class="loc">河南 周口</span></li>
<li class="gl-item"><div class="p-name"><a href="javascript:void(0)"><em>广告位</em></a></div></li>
</ul><a class="pn-next" href="?q=%BA%CB%CC%D2&page=2">下一页</a></body></html>`

func mustSource(t testing.TB, yml string) crawl.Source {
	t.Helper()
	src, err := crawl.ParseSource(t.Name()+".yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractCSSEncodings(t *testing.T) {
	src := mustSource(t, shopSource)
	page := func(meta string) string { return strings.Replace(shopPage, "%META%", meta, 1) }
	tests := []struct {
		name        string
		body        []byte
		contentType string
		warning     bool
	}{
		{"utf-8 by header", []byte(page("")), "text/html; charset=utf-8", false},
		{"utf-8 with BOM", append([]byte("\xef\xbb\xbf"), page("")...), "text/html", false},
		{"gbk by header", gbk(t, page("")), "text/html; charset=GBK", false},
		{"gb2312 by meta", gbk(t, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)), "text/html", false},
		{"gbk by meta charset", gbk(t, page(`<meta charset="gbk">`)), "", false},
		{"gbk undeclared", gbk(t, page("")), "text/html", false},
		{"gbk labelled utf-8", gbk(t, page("")), "text/html; charset=utf-8", true},
		{"utf-8 labelled gbk", []byte(page("")), "text/html; charset=gbk", true},
		{"unknown label", []byte(page("")), "text/html; charset=x-martian", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := crawl.Extract(src, "https://search.shop.cn/s?q=%BA%CB%CC%D2", tc.body, tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Report.EncodingWarning != ""; got != tc.warning {
				t.Errorf("encoding warning = %q, want one: %v", p.Report.EncodingWarning, tc.warning)
			}
			if len(p.Listings) != 2 {
				t.Fatalf("got %d listings, want 2: %+v", len(p.Listings), p.Listings)
			}
			a, b := p.Listings[0], p.Listings[1]
			if a.Title != "六个核桃 核桃乳 240ml*12罐" || a.Price != 52 || a.Seller != "六个核桃官方旗舰店" || a.Location != "河北 衡水" {
				t.Errorf("first listing %+v", a)
			}
			if a.URL != "https://item.shop.cn/1001.html" || a.ImageURL != "https://search.shop.cn/img/1001.jpg" {
				t.Errorf("first listing URLs %q %q", a.URL, a.ImageURL)
			}
			if b.Title != "陆个核桃 核桃露 植物蛋白饮料" || b.Price != 1299.5 || b.URL != "https://search.shop.cn/item/1002.html" {
				t.Errorf("second listing %+v", b)
			}
			if a.SourceID != "shop" || p.Report.Dropped != 1 {
				t.Errorf("source %q dropped %d", a.SourceID, p.Report.Dropped)
			}
			if p.NextURL != "https://search.shop.cn/s?q=%BA%CB%CC%D2&page=2" {
				t.Errorf("next = %q", p.NextURL)
			}
		})
	}
}

func TestExtractCSSFallbacksAndReport(t *testing.T) {
	src := mustSource(t, shopSource)
	// An older layout: only the fallbacks match.
	body := `<div class="item"><a class="title" href="/i/7">今麦郞 红烧牛肉面 5连包</a><span class="price">15.90</span></div>
<div class="item"><a class="title" href="/i/8">金麦郎 弹面 24袋</a></div><a class="next" href="/s?page=2">下页</a>`
	p, err := crawl.Extract(src, "http://old.shop.cn/s?q=x", []byte(body), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Listings) != 2 || p.Listings[0].Title != "今麦郞 红烧牛肉面 5连包" || p.Listings[0].Price != 15.9 || p.Listings[1].URL != "http://old.shop.cn/i/8" {
		t.Fatalf("listings %+v", p.Listings)
	}
	if p.NextURL != "http://old.shop.cn/s?page=2" {
		t.Errorf("next = %q", p.NextURL)
	}
	for _, want := range []string{"item: li.gl-item", "title: div.p-name em", "seller: div.p-shop a", "image: img@src"} {
		if !slices.Contains(p.Report.UnmatchedSelectors, want) {
			t.Errorf("report %v lacks %q", p.Report.UnmatchedSelectors, want)
		}
	}
	if slices.Contains(p.Report.UnmatchedSelectors, "title: a.title") {
		t.Errorf("matched fallback reported as unmatched: %v", p.Report.UnmatchedSelectors)
	}
	if !slices.Equal(p.Report.EmptyFields, []string{"seller", "location", "image"}) {
		t.Errorf("empty fields = %v", p.Report.EmptyFields)
	}
}

const tbSource = `id: tb
search:
  url: "https://s.tb.cn/search?q={query}"
extract:
  json:
    var: g_page_config
    items: [mods.itemlist.data.auctions, data.auctions]
    fields:
      title: [raw_title, title]
      price: view_price
      seller: nick
      location: item_loc
      url: detail_url
      image: pic_url
`

const tbJSON = `{"mods":{"itemlist":{"data":{"auctions":[
 {"raw_title":"南方黑芝麻糊 480g 原味","title":"南方<span class=H>黑芝麻糊</span>","view_price":"23.90","nick":"南方黑芝麻旗舰店","item_loc":"广西 玉林","detail_url":"//detail.tmall.com/item.htm?id=1","pic_url":"//img.alicdn.com/1.jpg"},
 {"title":"迁西板栗 &amp; 甘栗仁","view_price":12,"nick":"栗农","item_loc":"河北 唐山","detail_url":"https://item.taobao.com/item.htm?id=2"}
]}}}}`

func TestExtractJSONFindsAssignmentOrBareJSON(t *testing.T) {
	src := mustSource(t, tbSource)
	tests := []struct{ name, body string }{
		{"script in page", `<html><script>
  window.g_page_config_ready = false;
  g_page_config = ` + tbJSON + `;
  g_srp_loadCss();</script></html>`},
		{"js file", "g_page_config = " + tbJSON + ";\n"},
		{"window property", "window.g_page_config=" + tbJSON},
		{"bare", "\n" + tbJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := crawl.Extract(src, "https://s.taobao.com/search?q=x", []byte(tc.body), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Listings) != 2 {
				t.Fatalf("listings %+v", p.Listings)
			}
			a, b := p.Listings[0], p.Listings[1]
			if a.Title != "南方黑芝麻糊 480g 原味" || a.Price != 23.9 || a.Location != "广西 玉林" || a.URL != "https://detail.tmall.com/item.htm?id=1" {
				t.Errorf("first %+v", a)
			}
			if b.Title != "迁西板栗 & 甘栗仁" || b.Price != 12 || b.Seller != "栗农" {
				t.Errorf("second %+v", b)
			}
		})
	}
}

func TestExtractJSONErrors(t *testing.T) {
	src := mustSource(t, tbSource)
	for _, body := range []string{"<html>no data here</html>", "g_page_config = {\"mods\": [1, 2"} {
		_, err := crawl.Extract(src, "https://s.taobao.com/search", []byte(body), "")
		var xe *crawl.ExtractError
		if err == nil || !errorsAs(err, &xe) || xe.Kind != crawl.KindParse {
			t.Errorf("Extract(%q) err = %v, want a parse ExtractError", body, err)
		}
	}
}
