package crawl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
)

// card is one listing of a marketplace results page.
type card struct {
	title, image, extra string
	id                  int // the item number; 0 means 1000 + its place on the page
}

// goodsPage renders a results page as a Chinese marketplace does: lazy
// images (a data: placeholder in src, the photo in data-src), price in an
// <em>, the shop below.
func goodsPage(cards []card) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>核桃乳 - 冀货通</title></head><body>
<div id="J_goodsList"><ul class="gl-warp">`)
	for i, c := range cards {
		id := c.id
		if id == 0 {
			id = 1000 + i
		}
		fmt.Fprintf(&b, `<li class="gl-item" data-sku="%d"><div class="p-img"><a href="/item/%d.html">`+
			`<img width="220" height="220" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==" data-lazy-img="%s"></a></div>`+
			`<div class="p-price"><strong><em>￥</em><i>%d.90</i></strong></div>`+
			`<div class="p-name"><a href="/item/%d.html" title="%s"><em>%s</em></a></div>`+
			`<div class="p-shop"><a class="curr-shop" href="/shop/%d">鑫旺食品专营店</a></div>%s</li>`+"\n",
			id, id, html.EscapeString(c.image), 39+i, id, html.EscapeString(c.title), html.EscapeString(c.title), 80+i, c.extra)
	}
	b.WriteString(`</ul></div><div class="p-wrap"><span class="p-num"><a class="curr">1</a></span></div></body></html>`)
	return []byte(b.String())
}

// goodsSource reads goodsPage from base; extra is appended (fetch and
// images blocks).
func goodsSource(t testing.TB, base, fetch, images string) crawl.Source {
	t.Helper()
	return mustSource(t, fmt.Sprintf(`id: jihuo
name: 冀货通
search:
  url: "%s/Search?keyword={query}&page={page}"
  max_pages: 1
fetch:
  respect_robots: false
%s
extract:
  css:
    item: li.gl-item
    fields:
      title: ["div.p-name a@title", "div.p-name em"]
      price: div.p-price i
      seller: a.curr-shop
      url: div.p-name a@href
      image: div.p-img img@data-lazy-img
%s
`, base, fetch, images))
}

// hits records when each request reached a test server.
type hits struct {
	mu  sync.Mutex
	got []hit
}

type hit struct {
	path string
	at   time.Time
}

func (h *hits) record(r *http.Request) {
	h.mu.Lock()
	h.got = append(h.got, hit{r.URL.Path, time.Now()})
	h.mu.Unlock()
}

func (h *hits) paths() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, x := range h.got {
		out = append(out, x.path)
	}
	return out
}

func (h *hits) times(prefix string) []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []time.Time
	for _, x := range h.got {
		if strings.HasPrefix(x.path, prefix) {
			out = append(out, x.at)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// serve answers routes by path ("*": any other path), recording every
// request. Routes may be added until the first request.
func serve(t testing.TB, routes map[string]http.HandlerFunc) (*httptest.Server, *hits) {
	t.Helper()
	h := &hits{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		if fn, ok := routes[r.URL.Path]; ok {
			fn(w, r)
			return
		}
		if fn, ok := routes["*"]; ok {
			fn(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, h
}

func bytesAs(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}
}

func pageOf(cards []card) http.HandlerFunc {
	return bytesAs("text/html; charset=utf-8", goodsPage(cards))
}

func hashOf(t testing.TB, body []byte) domain.PHash {
	t.Helper()
	h, err := imagesig.Hasher{}.Hash(body)
	if err != nil || h == 0 {
		t.Fatalf("hashing the test picture: %v (hash %v)", err, h)
	}
	return h
}

func imageCrawler(opts crawl.Options) *crawl.Crawler {
	opts.Images = imagesig.Hasher{}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(7, 9))
	}
	return crawl.New(opts)
}

func byTitle(ls []domain.Listing) map[string]domain.Listing {
	out := map[string]domain.Listing{}
	for _, l := range ls {
		out[l.Title] = l
	}
	return out
}

func TestWebPWriterReadsBack(t *testing.T) {
	img := packshot(2, 48, 40)
	got, err := webp.Decode(bytes.NewReader(webpOf(t, img)))
	if err != nil {
		t.Fatal(err)
	}
	for y := range 40 {
		for x := range 48 {
			r, g, b, _ := got.At(x, y).RGBA()
			w := img.NRGBAAt(x, y)
			if uint8(r>>8) != w.R || uint8(g>>8) != w.G || uint8(b>>8) != w.B {
				t.Fatalf("pixel %d,%d = %d,%d,%d, want %v", x, y, r>>8, g>>8, b>>8, w)
			}
		}
	}
}

// TestImagesHashedWhateverTheServerSends serves a realistic results page
// whose photos come from an image host that answers in every way a
// marketplace CDN (or a hostile one) does. Every listing goes out; the
// photos that are photos carry their hash; the rest are counted by kind.
func TestImagesHashedWhateverTheServerSends(t *testing.T) {
	const maxBytes = 8192
	jpg := jpegOf(t, packshot(0, 96, 96), 85)
	pngb := pngOf(t, packshot(1, 96, 96))
	wb := webpOf(t, packshot(3, 96, 96))
	huge := jpegOf(t, grain(160, 160), 100)
	if len(jpg) > maxBytes || len(pngb) > maxBytes || len(wb) > maxBytes || len(huge) <= maxBytes {
		t.Fatalf("fixture sizes jpeg %d png %d webp %d huge %d against %d", len(jpg), len(pngb), len(wb), len(huge), maxBytes)
	}
	img, imgHits := serve(t, map[string]http.HandlerFunc{
		"/n1/jfs/t1/六个核桃.jpg": bytesAs("image/jpeg", jpg),
		"/n1/jfs/t1/can.png":  bytesAs("image/png", pngb),
		"/n1/jfs/t1/can.webp": bytesAs("image/webp", wb),
		// A CDN that says octet-stream: the bytes sniff as PNG.
		"/n1/jfs/t1/can-octet": bytesAs("application/octet-stream", pngb),
		"/n1/jfs/t1/huge.jpg":  bytesAs("image/jpeg", huge),
		"/n1/jfs/t1/endless.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			chunk := bytes.Repeat([]byte{0xff}, 4096)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
		"/n1/jfs/t1/login.jpg":  bytesAs("text/html; charset=utf-8", []byte(`<html><body>请先登录 <a href="/login">登录</a></body></html>`)),
		"/n1/jfs/t1/broken.jpg": bytesAs("image/jpeg", jpg[:len(jpg)/3]),
	})
	cards := []card{
		{title: "六个核桃 精品型 核桃乳 240ml*20罐", image: img.URL + "/n1/jfs/t1/六个核桃.jpg"},
		{title: "六仌核桃 植物蛋白饮料 整箱", image: strings.TrimPrefix(img.URL, "http:") + "/n1/jfs/t1/can.png"},
		{title: "养元 核桃乳 24罐 礼盒", image: img.URL + "/n1/jfs/t1/can.webp"},
		{title: "核桃露 240ml 批发", image: img.URL + "/n1/jfs/t1/can-octet"},
		{title: "六个核桃 大图", image: img.URL + "/n1/jfs/t1/huge.jpg"},
		{title: "六个核桃 无尽", image: img.URL + "/n1/jfs/t1/endless.jpg"},
		{title: "六个核桃 登录页", image: img.URL + "/n1/jfs/t1/login.jpg"},
		{title: "六个核桃 断图", image: img.URL + "/n1/jfs/t1/broken.jpg"},
		{title: "六个核桃 已删", image: img.URL + "/n1/jfs/t1/gone.jpg"},
		{title: "六个核桃 占位图", image: "data:image/gif;base64,R0lGODlhAQABAAAAACw="},
		{title: "六个核桃 无图"},
		{title: "六个核桃 同图 另一家", image: img.URL + "/n1/jfs/t1/六个核桃.jpg"},
	}
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf(cards)})
	src := goodsSource(t, pages.URL, "  delay: 0s\n  timeout: 5s", fmt.Sprintf("images:\n  fetch: true\n  max_bytes: %d", maxBytes))
	var got collector
	st, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil {
		t.Fatal(err)
	}
	if st.Listings != len(cards) || len(got.ls) != len(cards) {
		t.Fatalf("%d listings emitted (stats %+v), want all %d: a failed image never costs its listing", len(got.ls), st, len(cards))
	}
	want := map[string]domain.PHash{
		cards[0].title: hashOf(t, jpg), cards[1].title: hashOf(t, pngb),
		cards[2].title: hashOf(t, wb), cards[3].title: hashOf(t, pngb), cards[11].title: hashOf(t, jpg),
	}
	for title, l := range byTitle(got.ls) {
		if l.ImageHash != want[title] {
			t.Errorf("%s: image hash %v, want %v", title, l.ImageHash, want[title])
		}
	}
	// The same picture as JPEG, PNG and WebP looks alike to the pHash.
	same := packshot(5, 96, 96)
	if d := hashOf(t, jpegOf(t, same, 85)).Distance(hashOf(t, webpOf(t, same))); d > 6 {
		t.Errorf("one picture as JPEG and WebP differs by %d bits", d)
	}
	wantStats := crawl.ImageStats{Fetched: 4, Cached: 1, Failed: 6, Errors: map[string]int{
		crawl.KindTooLarge: 2, crawl.KindContentType: 1, crawl.KindImageDecode: 1, crawl.KindHTTP4xx: 1, crawl.KindImageURL: 1,
	}}
	if fmt.Sprint(st.Images) != fmt.Sprint(wantStats) {
		t.Errorf("image stats %+v, want %+v", st.Images, wantStats)
	}
	if len(st.Errors) != 0 {
		t.Errorf("image failures leaked into the page errors: %v", st.Errors)
	}
	if n := len(imgHits.paths()); n != 9 {
		t.Errorf("image host asked %d times (%v), want once per distinct http image", n, imgHits.paths())
	}
}

// grain is a picture JPEG cannot shrink.
func grain(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 1))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.UintN(256))
	}
	return img
}

// TestImagesOnPrivateAddressesRefused: a page on a public marketplace may
// name a photo inside the operator's network, directly, by a name that
// resolves there, or through a redirect. None is requested.
func TestImagesOnPrivateAddressesRefused(t *testing.T) {
	jpg := jpegOf(t, packshot(0, 64, 64), 85)
	inner, innerHits := serve(t, map[string]http.HandlerFunc{"/admin/photo.jpg": bytesAs("image/jpeg", jpg)})
	innerURL, _ := url.Parse(inner.URL)
	var cards []card
	outer, _ := serve(t, map[string]http.HandlerFunc{
		"/Search":     func(w http.ResponseWriter, r *http.Request) { pageOf(cards)(w, r) },
		"/img/ok.jpg": bytesAs("image/jpeg", jpg),
		"/img/moved.jpg": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, inner.URL+"/admin/photo.jpg", http.StatusFound)
		},
	})
	cards = []card{
		{title: "六个核桃 正常图", image: outer.URL + "/img/ok.jpg"},
		{title: "六个核桃 内网图", image: inner.URL + "/admin/photo.jpg"},
		{title: "六个核桃 跳转内网", image: outer.URL + "/img/moved.jpg"},
		{title: "六个核桃 localhost", image: "http://localhost:" + innerURL.Port() + "/admin/photo.jpg"},
		{title: "六个核桃 域名指向内网", image: "http://img.jihuo-cdn.example:" + innerURL.Port() + "/admin/photo.jpg"},
	}
	allowed := netip.MustParseAddrPort(outer.Listener.Addr().String())
	c := imageCrawler(crawl.Options{AllowAddresses: []netip.AddrPort{allowed}, Resolver: loopbackResolver{}})
	src := goodsSource(t, outer.URL, "  delay: 0s", "images:\n  fetch: true")
	var got collector
	st, err := c.Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ls) != len(cards) {
		t.Fatalf("%d listings, want %d", len(got.ls), len(cards))
	}
	ls := byTitle(got.ls)
	if ls[cards[0].title].ImageHash != hashOf(t, jpg) {
		t.Errorf("the public photo was not hashed: %+v", ls[cards[0].title])
	}
	for _, cd := range cards[1:] {
		if ls[cd.title].ImageHash != 0 {
			t.Errorf("%s: hashed a private photo", cd.title)
		}
	}
	if st.Images.Errors[crawl.KindPrivate] != 4 || st.Images.Fetched != 1 {
		t.Errorf("image stats %+v, want 4 private_address refusals and 1 fetched", st.Images)
	}
	if p := innerHits.paths(); len(p) != 0 {
		t.Errorf("the private server was reached: %v", p)
	}
}

// loopbackResolver resolves every name to loopback, as a hostile DNS
// answer for an image host would.
type loopbackResolver struct{}

func (loopbackResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// TestSlowImagesTimeOut: an image host that never answers, or trickles,
// costs the source's timeout, not the run.
func TestSlowImagesTimeOut(t *testing.T) {
	img, _ := serve(t, map[string]http.HandlerFunc{
		"/silent.jpg": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
		},
		"/trickle.jpg": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte{0xff, 0xd8})
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
		},
	})
	cards := []card{
		{title: "六个核桃 慢图", image: img.URL + "/silent.jpg"},
		{title: "六个核桃 细水长流", image: img.URL + "/trickle.jpg"},
	}
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf(cards)})
	src := goodsSource(t, pages.URL, "  delay: 0s\n  timeout: 300ms", "images:\n  fetch: true")
	var got collector
	st, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ls) != 2 || st.Images.Errors[crawl.KindTimeout] != 2 || st.Images.Failed != 2 {
		t.Fatalf("%d listings, image stats %+v; want both listings out and 2 timeouts", len(got.ls), st.Images)
	}
}

// TestImageRequestsKeepThePoliteness: image requests take their turns with
// the pages, per host, at the source's delay. The bound is a lower one on
// recorded arrival times (scheduling can only add to the gaps).
func TestImageRequestsKeepThePoliteness(t *testing.T) {
	const delay = 120 * time.Millisecond
	jpg := jpegOf(t, packshot(0, 64, 64), 85)
	cardsFor := func(base, q string) []card {
		var cs []card
		for i := range 3 {
			cs = append(cs, card{title: fmt.Sprintf("%s 核桃乳 %d号", q, i), image: fmt.Sprintf("%s/img/%s-%d.jpg", base, url.PathEscape(q), i)})
		}
		return cs
	}
	t.Run("images on the pages' host", func(t *testing.T) {
		routes := map[string]http.HandlerFunc{}
		srv, h := serve(t, routes)
		routes["/Search"] = func(w http.ResponseWriter, r *http.Request) {
			pageOf(cardsFor(srv.URL, r.URL.Query().Get("keyword")))(w, r)
		}
		for _, q := range []string{"六个核桃", "养元"} {
			for i := range 3 {
				routes[fmt.Sprintf("/img/%s-%d.jpg", q, i)] = bytesAs("image/jpeg", jpg)
			}
		}
		src := goodsSource(t, srv.URL, fmt.Sprintf("  parallelism: 1\n  delay: %s", delay), "images:\n  fetch: true")
		st, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"六个核桃", "养元"}, (&collector{}).emit)
		if err != nil || st.Images.Fetched != 6 {
			t.Fatalf("stats %+v, %v", st, err)
		}
		assertSpaced(t, h.times("/"), 8, delay)
	})
	t.Run("images on their own host", func(t *testing.T) {
		img, imgHits := serve(t, map[string]http.HandlerFunc{"*": bytesAs("image/jpeg", jpg)})
		routes := map[string]http.HandlerFunc{}
		pages, _ := serve(t, routes)
		routes["/Search"] = func(w http.ResponseWriter, r *http.Request) {
			pageOf(cardsFor(img.URL, r.URL.Query().Get("keyword")))(w, r)
		}
		src := goodsSource(t, pages.URL, fmt.Sprintf("  parallelism: 1\n  delay: %s", delay), "images:\n  fetch: true")
		st, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"六个核桃", "养元"}, (&collector{}).emit)
		if err != nil || st.Images.Fetched != 6 {
			t.Fatalf("stats %+v, %v", st, err)
		}
		assertSpaced(t, imgHits.times("/img/"), 6, delay)
	})
}

// assertSpaced checks n requests arrived at least most of delay apart.
func assertSpaced(t *testing.T, at []time.Time, n int, delay time.Duration) {
	t.Helper()
	if len(at) != n {
		t.Fatalf("%d requests, want %d", len(at), n)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < delay*8/10 {
			t.Errorf("requests %d and %d arrived %v apart, want at least about %v", i-1, i, gap, delay)
		}
	}
}

// TestImagesDoNotHoldUpThePages: the next results page is requested while
// the photos of the first are still loading. The first page's image host
// answers only once page 2 has been asked for (or after a long fallback,
// which fails the test).
func TestImagesDoNotHoldUpThePages(t *testing.T) {
	jpg := jpegOf(t, packshot(0, 64, 64), 85)
	page2 := make(chan struct{})
	var once sync.Once
	released := make(chan bool, 8)
	img, _ := serve(t, map[string]http.HandlerFunc{
		"/p1.jpg": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-page2:
				released <- true
			case <-time.After(5 * time.Second):
				released <- false
			}
			bytesAs("image/jpeg", jpg)(w, r)
		},
		"/p2.jpg": bytesAs("image/jpeg", jpg),
	})
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			once.Do(func() { close(page2) })
			pageOf([]card{{title: "六个核桃 第二页", image: img.URL + "/p2.jpg", id: 2000}})(w, r)
			return
		}
		pageOf([]card{{title: "六个核桃 第一页", image: img.URL + "/p1.jpg"}})(w, r)
	}})
	src := goodsSource(t, pages.URL, "  delay: 0s\n  timeout: 10s", "images:\n  fetch: true")
	src.MaxPages = 2
	var got collector
	st, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"六个核桃"}, got.emit)
	if err != nil || st.Pages != 2 || len(got.ls) != 2 {
		t.Fatalf("stats %+v, %d listings, %v", st, len(got.ls), err)
	}
	if !<-released {
		t.Error("page 2 was requested only after page 1's photo: image fetches serialise the crawl")
	}
	for _, l := range got.ls {
		if l.ImageHash != hashOf(t, jpg) {
			t.Errorf("%s emitted without its hash", l.Title)
		}
	}
}

// TestImageCacheOutlivesRuns: the Crawler remembers hashes by URL, so the
// daemon's next run of the source asks the image host for nothing it has
// seen; a cache smaller than the photos keeps the most recent.
func TestImageCacheOutlivesRuns(t *testing.T) {
	jpg, pngb := jpegOf(t, packshot(0, 64, 64), 85), pngOf(t, packshot(1, 64, 64))
	img, imgHits := serve(t, map[string]http.HandlerFunc{
		"/a.jpg": bytesAs("image/jpeg", jpg), "/b.png": bytesAs("image/png", pngb), "/c.jpg": bytesAs("image/jpeg", jpg),
	})
	cards := []card{
		{title: "六个核桃 A", image: img.URL + "/a.jpg"}, {title: "六个核桃 B", image: img.URL + "/b.png"},
		{title: "六个核桃 C", image: img.URL + "/c.jpg"},
	}
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf(cards)})
	src := goodsSource(t, pages.URL, "  delay: 0s", "images:\n  fetch: true")
	run := func(c *crawl.Crawler) (crawl.Stats, map[string]domain.Listing) {
		t.Helper()
		var got collector
		st, err := c.Run(context.Background(), src, []string{"六个核桃"}, got.emit)
		if err != nil {
			t.Fatal(err)
		}
		return st, byTitle(got.ls)
	}

	c := imageCrawler(crawl.Options{AllowPrivate: true})
	st1, ls1 := run(c)
	st2, ls2 := run(c)
	if st1.Images.Fetched != 3 || st2.Images.Fetched != 0 || st2.Images.Cached != 3 {
		t.Errorf("first run %+v, second %+v: want 3 fetched, then 3 from the cache", st1.Images, st2.Images)
	}
	if n := len(imgHits.paths()); n != 3 {
		t.Errorf("image host asked %d times over two runs, want 3", n)
	}
	for title, l := range ls1 {
		if l.ImageHash == 0 || ls2[title].ImageHash != l.ImageHash {
			t.Errorf("%s: hash %v in run 1, %v in run 2", title, l.ImageHash, ls2[title].ImageHash)
		}
	}

	small := imageCrawler(crawl.Options{AllowPrivate: true, ImageCacheSize: 2})
	run(small)
	st, _ := run(small)
	if st.Images.Fetched != 1 || st.Images.Cached != 2 {
		t.Errorf("cache of 2 over 3 photos: second run %+v, want 1 fetched and 2 cached", st.Images)
	}
}

// TestImagesOffFetchesNone: without images.fetch, or without a hasher,
// no photo is requested.
func TestImagesOffFetchesNone(t *testing.T) {
	img, imgHits := serve(t, map[string]http.HandlerFunc{})
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf([]card{{title: "六个核桃 核桃乳", image: img.URL + "/a.jpg"}})})
	for name, tc := range map[string]struct {
		images string
		c      *crawl.Crawler
	}{
		"no images block": {"", imageCrawler(crawl.Options{AllowPrivate: true})},
		"no hasher":       {"images:\n  fetch: true", crawl.New(crawl.Options{AllowPrivate: true})},
	} {
		var got collector
		st, err := tc.c.Run(context.Background(), goodsSource(t, pages.URL, "  delay: 0s", tc.images), []string{"六个核桃"}, got.emit)
		if err != nil || len(got.ls) != 1 || got.ls[0].ImageURL == "" || got.ls[0].ImageHash != 0 || st.Images.Fetched+st.Images.Failed != 0 {
			t.Errorf("%s: %+v %v %+v", name, st, err, got.ls)
		}
	}
	if p := imgHits.paths(); len(p) != 0 {
		t.Errorf("image host asked %v", p)
	}
}

// TestCancelledRunLeavesNoImageWork: a run cancelled while photos are
// loading returns with every image goroutine gone, and emits nothing after
// it returned.
func TestCancelledRunLeavesNoImageWork(t *testing.T) {
	jpg := jpegOf(t, packshot(0, 64, 64), 85)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	img, _ := serve(t, map[string]http.HandlerFunc{
		"/fast.jpg": bytesAs("image/jpeg", jpg),
		"*": func(w http.ResponseWriter, r *http.Request) {
			// Photos are in flight: cancel the run. This one hangs until
			// the client goes.
			cancel()
			<-r.Context().Done()
		},
	})
	cards := []card{{title: "六个核桃 快图", image: img.URL + "/fast.jpg"}}
	for i := range 12 {
		cards = append(cards, card{title: fmt.Sprintf("六个核桃 慢图 %d", i), image: fmt.Sprintf("%s/slow/%d.jpg", img.URL, i)})
	}
	pages, _ := serve(t, map[string]http.HandlerFunc{"/Search": pageOf(cards)})
	src := goodsSource(t, pages.URL, "  parallelism: 4\n  delay: 0s\n  timeout: 30s", "images:\n  fetch: true")
	src.MaxPages = 1

	before := runtime.NumGoroutine()
	var returned, late atomic.Bool
	_, err := imageCrawler(crawl.Options{AllowPrivate: true}).Run(ctx, src, []string{"六个核桃"}, func(domain.Listing) error {
		if returned.Load() {
			late.Store(true)
		}
		return nil
	})
	returned.Store(true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	img.CloseClientConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if late.Load() {
		t.Error("a listing was emitted after Run returned")
	}
}
