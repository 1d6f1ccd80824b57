package crawl_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// layout renders n cards of a marketplace markup no definition was written
// for, beside the navigation, filters and recommendations a results page has.
type layout struct {
	name, page string
	card       func(i int) string
	wrap       func(cards []string) string
	want       func(i int) domain.Listing
}

func noise() string {
	var b strings.Builder
	b.WriteString(`<div class="header"><ul class="nav">`)
	for i := range 12 {
		fmt.Fprintf(&b, `<li><a href="/channel/%d">频道%d</a></li>`, i, i)
	}
	b.WriteString(`</ul></div><div class="filter"><ul class="brands">`)
	for i := range 20 {
		fmt.Fprintf(&b, `<li><a href="/search?q=x&brand=%d" title="品牌%d"><img src="/logo/%d.png">品牌%d</a></li>`, 100+i, i, i, i)
	}
	b.WriteString(`</ul></div>`)
	return b.String()
}

func recommendations() string {
	var b strings.Builder
	b.WriteString(`<div class="aside"><h3>猜你喜欢</h3><ul class="rec">`)
	for i := range 5 {
		fmt.Fprintf(&b, `<li class="rec-item"><a href="/item/%d.html"><img src="/r/%d.jpg"></a><p class="rec-price">￥%d.00</p></li>`, 900000+i, i, 10+i)
	}
	b.WriteString(`</ul></div>`)
	return b.String()
}

var layouts = []layout{
	{
		name: "suning-like", page: "https://search.suning.com/x/",
		card: func(i int) string {
			return fmt.Sprintf(`<li class="item-wrap" id="0070%d-%d"><div class="product-box"><div class="res-img"><div class="img-block"><a href="//product.suning.com/0000000000/%d.html" target="_blank"><img class="search-loading" src="//img.suning.cn/blank.gif" sa-data="x" data-src="//imgservice.suning.cn/%d_1.jpg" alt=""></a></div></div>
<div class="res-info"><div class="price-box"><span class="def-price">¥<i>%d</i>.00</span></div><div class="title-selling-point"><a href="//product.suning.com/0000000000/%d.html" title="广告语">华为 手机 型号%d 全网通</a></div>
<div class="evaluate-old"><a href="//product.suning.com/0000000000/%d.html#productCommTitle">%d评价</a></div><div class="store-stock"><a class="store-name" href="//shop.suning.com/70057393/index.html" title="华为官方旗舰店">华为官方旗舰店</a></div></div></div></li>`,
				i, i, 10566381000+i, i, 1000+i, 10566381000+i, i, 10566381000+i, i)
		},
		wrap: func(cards []string) string {
			return noise() + `<div id="product-list"><ul class="general clearfix">` + strings.Join(cards, "\n") + `</ul></div>` + recommendations()
		},
		want: func(i int) domain.Listing {
			return domain.Listing{Title: fmt.Sprintf("华为 手机 型号%d 全网通", i), Price: float64(1000 + i), Seller: "华为官方旗舰店",
				URL: fmt.Sprintf("https://product.suning.com/0000000000/%d.html", 10566381000+i), ImageURL: fmt.Sprintf("https://imgservice.suning.cn/%d_1.jpg", i)}
		},
	},
	{
		name: "1688-like rows", page: "https://s.1688.com/selloffer/offer_search.htm?keywords=x",
		card: func(i int) string {
			return fmt.Sprintf(`<div class="sm-offer-item sw-dpl-offer-item"><div class="img-container"><a href="https://detail.1688.com/offer/%d.html" target="_blank"><div class="img" style="background-image:url(x)"></div><img class="lazy" data-lazy-src="https://cbu01.alicdn.com/img/%d.jpg"></a></div>
<div class="mojar-element-title"><a href="https://detail.1688.com/offer/%d.html" title="义乌小商品 收纳盒%d"><div class="title">义乌小商品 收纳盒%d</div></a></div><div class="mojar-element-price"><div class="showPricec"><div class="price">¥<span class="alife-bc-uc-number">%d.50</span></div></div></div>
<div class="mojar-element-company"><a class="company-name" href="https://shop1234.1688.com">义乌市某某日用品商行</a><div class="company-location">浙江 义乌</div></div></div>`,
				6123456700+i, i, 6123456700+i, i, i, 3+i)
		},
		wrap: func(cards []string) string {
			var b strings.Builder
			b.WriteString(noise() + `<div id="sm-offer-list">`)
			for r := 0; r < len(cards); r += 4 { // a grid split into rows of four
				b.WriteString(`<div class="offer-list-row">` + strings.Join(cards[r:min(r+4, len(cards))], "") + `</div>`)
			}
			return b.String() + `</div>`
		},
		want: func(i int) domain.Listing {
			return domain.Listing{Title: fmt.Sprintf("义乌小商品 收纳盒%d", i), Price: float64(3+i) + 0.5, Seller: "义乌市某某日用品商行", Location: "浙江 义乌",
				URL: fmt.Sprintf("https://detail.1688.com/offer/%d.html", 6123456700+i), ImageURL: fmt.Sprintf("https://cbu01.alicdn.com/img/%d.jpg", i)}
		},
	},
	{
		name: "link cards, hashed classes", page: "https://mobile.yangkeduo.com/search_result.html?search_key=x",
		card: func(i int) string {
			return fmt.Sprintf(`<a class="_3glhOBhU" href="/goods.html?goods_id=%d"><div class="_2DyDXs1x"><img src="https://img.pddpic.com/%d.jpeg"></div><div class="_3ANzdjkc">拼多多 商品%d 包邮</div><div class="_2dIWh9tg"><span class="_1V0ldq2w">¥</span><span>%d.9</span><span class="_3QdLzKnH">已拼%d件</span></div><div class="_1Ba6wdTA">某某专营店</div></a>`, 200000000+i, i, i, 9+i, 100*i)
		},
		wrap: func(cards []string) string {
			return noise() + `<div class="_2kaFb0Yk">` + strings.Join(cards, "") + `</div>`
		},
		want: func(i int) domain.Listing {
			return domain.Listing{Title: fmt.Sprintf("拼多多 商品%d 包邮", i), Seller: "某某专营店", Price: float64(9+i) + 0.9,
				URL: fmt.Sprintf("https://mobile.yangkeduo.com/goods.html?goods_id=%d", 200000000+i), ImageURL: fmt.Sprintf("https://img.pddpic.com/%d.jpeg", i)}
		},
	},
	{
		name: "table rows", page: "http://www.example-shop.cn/search.php?kw=x",
		card: func(i int) string {
			return fmt.Sprintf(`<tr><td><a href="goods.php?id=%d"><img src="images/%d.gif" width="80"></a></td><td><a href="goods.php?id=%d">六个核桃 核桃乳 规格%d</a></td><td>%d.00元</td><td>河北省衡水市</td></tr>`, 5000+i, i, 5000+i, i, 40+i)
		},
		wrap: func(cards []string) string {
			return noise() + `<table class="list"><tr><th>图片</th><th>名称</th><th>价格</th><th>产地</th></tr>` + strings.Join(cards, "") + `</table>`
		},
		want: func(i int) domain.Listing {
			return domain.Listing{Title: fmt.Sprintf("六个核桃 核桃乳 规格%d", i), Price: float64(40 + i), Location: "河北省衡水市",
				URL: fmt.Sprintf("http://www.example-shop.cn/goods.php?id=%d", 5000+i), ImageURL: fmt.Sprintf("http://www.example-shop.cn/images/%d.gif", i)}
		},
	},
}

// Auto-detection reads layouts no definition was written for: a grid split
// into rows, cards that are links with hashed classes, lazy images behind a
// placeholder, table rows; navigation, filters and recommendations beside
// the results are not read. --suggest's selectors read each back.
func TestExtractAutoLayouts(t *testing.T) {
	for _, lay := range layouts {
		t.Run(lay.name, func(t *testing.T) {
			const n = 24
			var cards []string
			for i := range n {
				cards = append(cards, lay.card(i))
			}
			body := []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>` + lay.wrap(cards) + `</body></html>`)
			p, err := crawl.ExtractAuto(lay.page, body, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Listings) != n {
				t.Fatalf("%d listings, want %d (group %s)", len(p.Listings), n, p.Report.AutoItem)
			}
			for i, got := range p.Listings {
				if want := lay.want(i); !reflect.DeepEqual(got, want) {
					t.Errorf("card %d:\n got %+v\nwant %+v", i, got, want)
					break
				}
			}
			s, err := crawl.Suggest(lay.page, body, "")
			if err != nil {
				t.Fatal(err)
			}
			src, err := crawl.ParseSource("s.yaml", s.YAML)
			if err != nil {
				t.Fatalf("%v\n%s", err, s.YAML)
			}
			back, err := crawl.ExtractWith(src, crawl.ExtractOptions{Auto: crawl.AutoOff}, lay.page, body, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Listings) != n || len(s.Mismatches) > 0 {
				t.Errorf("suggested definition reads %d listings (mismatches %v):\n%s", len(back.Listings), s.Mismatches, s.YAML)
			}
			for i := range min(n, len(back.Listings)) {
				b := back.Listings[i]
				b.SourceID, b.Platform = "", ""
				if !reflect.DeepEqual(b, p.Listings[i]) {
					t.Errorf("card %d read back\n got %+v\nwant %+v\n%s", i, b, p.Listings[i], s.YAML)
					break
				}
			}
		})
	}
}
