package crawl_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// A stand-in for seller.Contacts, enough to see which text the crawler
// hands over: landlines with an area code, mobiles written in groups,
// WeChat ids after 微信.
var (
	fakeLandline = regexp.MustCompile(`0\d{2,3}-\d{7,8}`)
	fakeMobile   = regexp.MustCompile(`1[3-9]\d(?:[ -]?\d{4}){2}`)
	fakeWeChat   = regexp.MustCompile(`(?:微信|VX)\s*[:：]?\s*([A-Za-z][-_A-Za-z0-9]{5,19})`)
	digitsOnly   = strings.NewReplacer("-", "", " ", "")
)

func fakeContacts(calls *atomic.Int64) func(string) []domain.Contact {
	return func(text string) []domain.Contact {
		calls.Add(1)
		var out []domain.Contact
		for _, m := range fakeLandline.FindAllString(text, -1) {
			out = append(out, domain.Contact{Kind: domain.ContactPhone, Value: digitsOnly.Replace(m)})
		}
		for _, m := range fakeWeChat.FindAllStringSubmatch(text, -1) {
			out = append(out, domain.Contact{Kind: domain.ContactWeChat, Value: strings.ToLower(m[1])})
		}
		for _, m := range fakeMobile.FindAllString(text, -1) {
			out = append(out, domain.Contact{Kind: domain.ContactPhone, Value: digitsOnly.Replace(m)})
		}
		return out
	}
}

func phone(v string) domain.Contact  { return domain.Contact{Kind: domain.ContactPhone, Value: v} }
func wechat(v string) domain.Contact { return domain.Contact{Kind: domain.ContactWeChat, Value: v} }

// detailPage is a listing's own page: the shop panel in visible text, a
// customer-service number only in a script (not what a reader sees).
func detailPage(shop string) http.HandlerFunc {
	return bytesAs("text/html; charset=utf-8", []byte(`<!DOCTYPE html><html><head><meta charset="utf-8">
<title>六个核桃 核桃乳</title><style>.tel:after{content:"0311-11112222"}</style>
<script>var pageConfig = {servicePhone: "13900001111"};</script></head><body>
<div class="sku-name">六个核桃 精品型 核桃乳 240ml*20罐</div>
<div class="shop-info"><div class="loc">河北 衡水</div>`+shop+`</div>
<div class="detail-content"><img src="//img30.360buyimg.com/d1.jpg"></div></body></html>`))
}

func TestContactsFromCardsAndDetailPages(t *testing.T) {
	cards := []card{
		{title: "六个核桃 精品型 核桃乳 240ml*20罐", extra: `<div class="p-service">电话：0311-87654321</div>`},
		{title: "六仌核桃 植物蛋白饮料 整箱批发", extra: `<div class="p-service"><span>微信: </span><span>caomei_shop</span></div>`},
		{title: "养元 核桃乳 礼盒 24罐"},
	}
	pages, _ := serve(t, map[string]http.HandlerFunc{
		"/Search":         pageOf(cards),
		"/item/1000.html": detailPage(`<p>微信: xinwang888</p><p>手机 138 1234 5678</p><p>电话：0311-87654321</p>`),
		"/item/1001.html": detailPage(`<p>客服在线</p>`),
		"/item/1002.html": detailPage(`<p>本店只售正品</p>`),
	})
	src := goodsSource(t, pages.URL, "  delay: 0s", "detail:\n  fields:\n    location: div.shop-info div.loc")
	var calls atomic.Int64
	var got collector
	st, err := crawl.New(crawl.Options{AllowPrivate: true, Contacts: fakeContacts(&calls)}).Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil || st.DetailPages != 3 || len(got.ls) != 3 {
		t.Fatalf("stats %+v, %d listings, %v", st, len(got.ls), err)
	}
	want := map[string][]domain.Contact{
		// The card's landline first, then what the shop panel adds; the
		// landline the panel repeats counts once; the script's number is
		// not visible text.
		cards[0].title: {phone("031187654321"), wechat("xinwang888"), phone("13812345678")},
		// Split across spans, and not mixed with the neighbour's card.
		cards[1].title: {wechat("caomei_shop")},
		cards[2].title: nil,
	}
	ls := byTitle(got.ls)
	for title, w := range want {
		if g := ls[title].Contacts; !reflect.DeepEqual(g, w) {
			t.Errorf("%s: contacts %v, want %v", title, g, w)
		}
		if ls[title].Location != "河北 衡水" {
			t.Errorf("%s: the detail page was not read (location %q)", title, ls[title].Location)
		}
	}
	if n := calls.Load(); n != 6 {
		t.Errorf("Contacts called %d times, want once per card and once per listing page (6)", n)
	}
}

func TestContactsFromJSONItems(t *testing.T) {
	const body = `g_page_config = {"mods":{"itemlist":{"data":{"auctions":[
 {"raw_title":"六个核桃 核桃乳 240ml*20罐","view_price":"49.90","nick":"鑫旺食品专营店","item_loc":"河北 衡水",
  "detail_url":"//item.taobao.com/item.htm?id=1","user_id":13812345678,
  "shopcard":{"service":"电话：0311-87654321","tags":["厂家直供","<b>微信: XinWang888</b>"]}},
 {"raw_title":"六仌核桃 整箱","view_price":"19.90","nick":"草莓小铺","detail_url":"//item.taobao.com/item.htm?id=2",
  "comment_count":"3","shopcard":{"service":"手机 139-0311-2233"}}
]}}}};`
	pages, _ := serve(t, map[string]http.HandlerFunc{"/search": bytesAs("text/html; charset=utf-8", []byte("<html><script>"+body+"</script></html>"))})
	src := mustSource(t, fmt.Sprintf(`id: tb
search:
  url: "%s/search?q={query}"
  max_pages: 1
fetch:
  delay: 0s
  respect_robots: false
extract:
  json:
    var: g_page_config
    items: mods.itemlist.data.auctions
    fields:
      title: raw_title
      price: view_price
      seller: nick
      url: detail_url
`, pages.URL))
	var calls atomic.Int64
	var got collector
	_, err := crawl.New(crawl.Options{AllowPrivate: true, Contacts: fakeContacts(&calls)}).Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil || len(got.ls) != 2 {
		t.Fatalf("%d listings, %v", len(got.ls), err)
	}
	ls := byTitle(got.ls)
	// Keys in sorted order; markup stripped; the numeric user_id is no phone.
	if g, w := ls["六个核桃 核桃乳 240ml*20罐"].Contacts, []domain.Contact{phone("031187654321"), wechat("xinwang888")}; !reflect.DeepEqual(g, w) {
		t.Errorf("contacts %v, want %v", g, w)
	}
	if g, w := ls["六仌核桃 整箱"].Contacts, []domain.Contact{phone("13903112233")}; !reflect.DeepEqual(g, w) {
		t.Errorf("contacts %v, want %v", g, w)
	}
}

// TestNoContactsReader: without Options.Contacts no text is gathered and no
// listing carries contacts, whatever its card says.
func TestNoContactsReader(t *testing.T) {
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf([]card{
		{title: "六个核桃 核桃乳", extra: `<div>电话：0311-87654321</div>`},
	})})
	var got collector
	if _, err := crawl.New(crawl.Options{AllowPrivate: true}).Run(context.Background(), goodsSource(t, pages.URL, "  delay: 0s", ""), []string{"六个核桃"}, got.emit); err != nil {
		t.Fatal(err)
	}
	if len(got.ls) != 1 || got.ls[0].Contacts != nil {
		t.Fatalf("listings %+v", got.ls)
	}
}
