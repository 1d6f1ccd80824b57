package demo

import (
	"html"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// digits normalises a phone number as written on a page: +86 and every
// separator dropped.
func digits(s string) string {
	d := regexp.MustCompile(`\D`).ReplaceAllString(s, "")
	return strings.TrimPrefix(d, "86")
}

var (
	phoneOnPage  = regexp.MustCompile(`(?:手机|电话)：(?:<span class="phone">)?([+0-9 \-]+)`)
	wechatOnPage = regexp.MustCompile(`微信：<span class="wechat">([A-Za-z0-9_\-]+)</span>`)
)

// TestRingContactsOnPages reads the ring's three shops' pages on their three
// platforms: every listing page of each shows the ring's phone (each shop
// writes it its own way), the main and 京津冀优选 shops also its WeChat id,
// and the wholesale platform prints the phone on its result cards too.
// Shops outside the ring show contacts of their own.
func TestRingContactsOnPages(t *testing.T) {
	srv := NewServer(Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	pl := map[string]Platform{}
	for _, p := range platforms() {
		pl[p.ID] = p
	}
	ring := RingShops()
	if len(ring) != 3 {
		t.Fatalf("ring on %d platforms, want 3", len(ring))
	}
	formats := map[string]bool{}
	for platform, shop := range ring {
		p := pl[platform]
		listings := 0
		for _, it := range srv.byPlatform[platform] {
			if it.Seller != shop {
				continue
			}
			listings++
			resp, page := get(t, ts.URL+p.Prefix+"/item/"+strconv.Itoa(it.ID))
			page = html.UnescapeString(page) // html/template writes + as &#43;
			if resp.StatusCode != 200 || !strings.Contains(page, it.Title) {
				t.Fatalf("%s item %d: %d", p.Name, it.ID, resp.StatusCode)
			}
			m := phoneOnPage.FindStringSubmatch(page)
			if m == nil || digits(m[1]) != RingPhone {
				t.Errorf("%s %s item %d: phone %q, want %s", p.Name, shop, it.ID, m, RingPhone)
			} else {
				formats[strings.TrimSpace(m[1])] = true
			}
			w := wechatOnPage.FindStringSubmatch(page)
			wantWeChat := platform != PlatformPifa
			if (w != nil && strings.ToLower(w[1]) == RingWeChat) != wantWeChat {
				t.Errorf("%s %s item %d: wechat %q, want it %v", p.Name, shop, it.ID, w, wantWeChat)
			}
		}
		if listings < 2 {
			t.Errorf("%s: %s has %d listings, want at least 2", p.Name, shop, listings)
		}
		_, shopPage := get(t, ts.URL+p.Prefix+"/shop?"+url.Values{"name": {shop}}.Encode())
		shopPage = html.UnescapeString(shopPage)
		if m := phoneOnPage.FindStringSubmatch(shopPage); m == nil || digits(m[1]) != RingPhone {
			t.Errorf("%s shop page of %s: phone %q", p.Name, shop, m)
		}
	}
	if len(formats) != 3 {
		t.Errorf("the ring writes its phone as %v; want three different ways", formats)
	}
	// The wholesale platform's cards carry the phone: the crawler reads it
	// from the results page alone.
	_, cards := get(t, ts.URL+"/pifa/search?"+url.Values{"q": {"六个核桃"}}.Encode())
	i := strings.Index(cards, ring[PlatformPifa])
	if i < 0 || !strings.Contains(cards[i:], `<span class="tel">电话：13812345678</span>`) {
		t.Errorf("燕赵批发网 results lack the ring shop's phone on its card")
	}
	// Outside the ring, contacts are each shop's own.
	for _, s := range shops() {
		if strings.HasPrefix(s.Name, "鑫旺") || s.Name == ring[PlatformPifa] {
			continue
		}
		if digits(s.Phone) == RingPhone || strings.EqualFold(s.WeChat, RingWeChat) {
			t.Errorf("%s shares the ring's contact", s.Name)
		}
	}
}

// TestPlatformsServeTheirOwnItems: each platform searches, shows and links
// only its own listings, under its own prefix.
func TestPlatformsServeTheirOwnItems(t *testing.T) {
	srv := NewServer(Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tests := []struct {
		path   string
		status int
		want   []string
		none   []string
	}{
		{"/pifa/search?q=" + url.QueryEscape("六个核桃"), 200, []string{"燕赵批发网", `href="/pifa/item/2001"`, "旺鑫副食批发部"}, []string{`href="/item/`, "六个核桃官方旗舰店"}},
		{"/youxuan/search?q=" + url.QueryEscape("衡水老白干"), 200, []string{"京津冀优选", `href="/youxuan/item/3001"`}, []string{"/pifa/", "衡水老白干官方旗舰店", `class="location"`}},
		{"/youxuan/item/3001", 200, []string{`<span class="location">山东 临沂</span>`}, nil},
		{"/search?q=" + url.QueryEscape("六个核桃"), 200, []string{"冀货通", `href="/item/1081"`, "鑫旺食品专营店", `<div class="promo">批发代理 加微信 xinwang_888</div>`}, []string{"旺鑫副食批发部", `<span class="tel">`}},
		{"/pifa/item/2001", 200, []string{"六个核桃 核桃乳 240ml*24罐", "13812345678"}, nil},
		{"/item/2001", 404, nil, nil},
		{"/pifa/item/1001", 404, nil, nil},
		{"/youxuan/shop?name=" + url.QueryEscape("鑫旺百货商行"), 200, []string{"XinWang_888", "/youxuan/item/3002"}, nil},
		{"/shop?name=" + url.QueryEscape("无此店铺"), 404, nil, nil},
		{"/pifa/", 200, []string{"燕赵批发网", "/pifa/search?q="}, nil},
	}
	for _, tc := range tests {
		resp, body := get(t, ts.URL+tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		for _, n := range tc.none {
			if strings.Contains(body, n) {
				t.Errorf("%s shows %q", tc.path, n)
			}
		}
	}
}
