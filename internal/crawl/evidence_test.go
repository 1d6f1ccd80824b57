package crawl_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

var fetchClock = time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)

func clockedCrawler(allowPrivate bool) *crawl.Crawler {
	return crawl.New(crawl.Options{AllowPrivate: allowPrivate, Rand: rand.New(rand.NewPCG(1, 2)), Now: func() time.Time { return fetchClock }})
}

// A page reached through a redirect is recorded as asked for and as
// answered: its GBK bytes as they came (not converted to UTF-8), the
// server's headers (with the charset the transport hides from colly), the
// address dialled, the user agent, the injected time. The page's listings
// share that one record.
func TestRunRecordsFetchOfRedirectedGBKPage(t *testing.T) {
	var gbkPage []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		switch {
		case r.URL.Path == "/s" && p == 1:
			http.Redirect(w, r, "/moved/s?"+r.URL.RawQuery, http.StatusFound)
		case r.URL.Path == "/moved/s":
			w.Header().Set("Content-Type", "text/html; charset=gbk")
			w.Header().Set("X-Shop-Trace", "abc123")
			w.Write(gbkPage)
		default:
			resultsPage(w, "x", p, 0)
		}
	}))
	defer srv.Close()
	gbkPage = gbk(t, `<html><body><ul><li class="item"><a class="t" href="/item/1">衡水老白干 高仿 1</a><span class="p">￥19.90</span></li>`+
		`<li class="item"><a class="t" href="/item/2">衡水老白干 高仿 2</a><span class="p">￥29.90</span></li></ul></body></html>`)

	src := testSource(t, srv.URL, "  user_agent: markwatch-test/1.0")
	var got collector
	st, err := clockedCrawler(true).Run(context.Background(), src, []string{"老白干"}, got.emit)
	if err != nil || st.Listings != 2 {
		t.Fatalf("Run: %+v %v", st, err)
	}
	f := got.ls[0].Fetch
	if f == nil {
		t.Fatal("listing has no Fetch")
	}
	if got.ls[1].Fetch != f {
		t.Error("listings of one page do not share its Fetch")
	}
	if got.ls[0].Title != "衡水老白干 高仿 1" {
		t.Errorf("title %q: page not decoded for extraction", got.ls[0].Title)
	}
	wantReq := srv.URL + "/s?q=%E8%80%81%E7%99%BD%E5%B9%B2&page=1"
	if f.RequestURL != wantReq || f.FinalURL != srv.URL+"/moved/s?q=%E8%80%81%E7%99%BD%E5%B9%B2&page=1" {
		t.Errorf("request %s final %s", f.RequestURL, f.FinalURL)
	}
	if f.Status != 200 || !f.FetchedAt.Equal(fetchClock) || f.UserAgent != "markwatch-test/1.0" || f.Rendered {
		t.Errorf("fetch %+v", *f)
	}
	if !bytes.Equal(f.Body, gbkPage) {
		t.Errorf("body is not the GBK bytes served (%d bytes, want %d)", len(f.Body), len(gbkPage))
	}
	h := http.Header(f.Headers)
	if h.Get("Content-Type") != "text/html; charset=gbk" || h.Get("X-Shop-Trace") != "abc123" {
		t.Errorf("headers %v", f.Headers)
	}
	for k := range f.Headers {
		if strings.HasPrefix(k, "X-Markwatch") {
			t.Errorf("internal header %s kept", k)
		}
	}
	if f.RemoteAddr != srv.Listener.Addr().String() {
		t.Errorf("remote addr %q, want %q", f.RemoteAddr, srv.Listener.Addr())
	}
}

// A listing completed from its own page carries that page's Fetch besides
// the results page's.
func TestRunRecordsDetailFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/s":
			p, _ := strconv.Atoi(r.URL.Query().Get("page"))
			resultsPage(w, "迁西板栗", p, map[bool]int{true: 1}[p == 1])
		case "/item/1-0":
			w.Header().Set("Content-Type", "text/html; charset=gbk")
			w.Write(gbk(t, `<span class="location">河北 唐山</span>`))
		}
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.Detail = &crawl.DetailRules{Fields: crawl.Fields{Location: crawl.Selectors{"span.location"}}, MaxPerRun: 5}
	var got collector
	if _, err := clockedCrawler(true).Run(context.Background(), src, []string{"迁西板栗"}, got.emit); err != nil || len(got.ls) != 1 {
		t.Fatalf("Run: %v, %d listings", err, len(got.ls))
	}
	l := got.ls[0]
	if l.Location != "河北 唐山" || l.Fetch == nil || l.DetailFetch == nil {
		t.Fatalf("listing %+v", l)
	}
	d := l.DetailFetch
	if d.RequestURL != srv.URL+"/item/1-0" || d.Status != 200 || !bytes.Equal(d.Body, gbk(t, `<span class="location">河北 唐山</span>`)) || d.RemoteAddr == "" {
		t.Errorf("detail fetch %+v", *d)
	}
	if !strings.Contains(l.Fetch.RequestURL, "/s?") {
		t.Errorf("page fetch %s", l.Fetch.RequestURL)
	}
}

var pngBytes = func() []byte {
	// A 1×1 PNG.
	b, _ := io.ReadAll(strings.NewReader("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"))
	return b
}()

func TestFetchImage(t *testing.T) {
	var gotUA, gotCookie string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotCookie = r.UserAgent(), r.Header.Get("Cookie")
		switch r.URL.Path {
		case "/a.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngBytes)
		case "/octet":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(pngBytes)
		case "/big.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(bytes.Repeat([]byte{0xff}, 5000))
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>登录</body></html>")
		case "/moved.png":
			http.Redirect(w, r, "/a.png", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "  user_agent: markwatch-img/1\n  headers_from_env: {Cookie: SHOP_COOKIE}")
	c := crawl.New(crawl.Options{AllowPrivate: true, Now: func() time.Time { return fetchClock },
		Getenv: func(string) string { return "sid=1" }})
	ctx := context.Background()

	body, mt, f, err := c.FetchImage(ctx, src, srv.URL+"/moved.png", 1024)
	if err != nil || mt != "image/png" || !bytes.Equal(body, pngBytes) {
		t.Fatalf("FetchImage: %q %v", mt, err)
	}
	if f.RequestURL != srv.URL+"/moved.png" || f.FinalURL != srv.URL+"/a.png" || f.Status != 200 ||
		f.RemoteAddr != srv.Listener.Addr().String() || f.UserAgent != "markwatch-img/1" || !f.FetchedAt.Equal(fetchClock) {
		t.Errorf("fetch %+v", f)
	}
	if gotUA != "markwatch-img/1" || gotCookie != "sid=1" {
		t.Errorf("sent UA %q cookie %q", gotUA, gotCookie)
	}
	if _, mt, _, err := c.FetchImage(ctx, src, srv.URL+"/octet", 1024); err != nil || mt != "image/png" {
		t.Errorf("sniffed: %q %v", mt, err)
	}
	if _, _, _, err := c.FetchImage(ctx, src, srv.URL+"/big.jpg", 4096); crawl.ErrorKind(err) != crawl.KindTooLarge {
		t.Errorf("over the limit: %v", err)
	}
	if _, _, _, err := c.FetchImage(ctx, src, srv.URL+"/page", 4096); crawl.ErrorKind(err) != crawl.KindContentType {
		t.Errorf("HTML as image: %v", err)
	}
	if _, _, _, err := c.FetchImage(ctx, src, srv.URL+"/missing.png", 4096); crawl.ErrorKind(err) != crawl.KindHTTP4xx {
		t.Errorf("404: %v", err)
	}

	// Production refuses the operator's own network, as runs do.
	gotUA = ""
	strict := crawl.New(crawl.Options{Getenv: func(string) string { return "sid=1" }})
	if _, _, _, err := strict.FetchImage(ctx, src, srv.URL+"/a.png", 1024); crawl.ErrorKind(err) != crawl.KindPrivate {
		t.Errorf("private address: %v", err)
	}
	if _, _, _, err := strict.FetchImage(ctx, src, "http://localhost:1/a.png", 1024); crawl.ErrorKind(err) != crawl.KindPrivate {
		t.Errorf("localhost: %v", err)
	}
	if gotUA != "" {
		t.Error("a refused image was requested")
	}
}

func TestRecheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /item/secret\n")
		case "/item/secret":
			t.Error("robots.txt disallowed page requested")
		case "/item/gone":
			http.NotFound(w, r)
		case "/item/withdrawn":
			w.Header().Set("Content-Type", "text/html; charset=gbk")
			w.Write(gbk(t, `<html><head><title>商品详情</title></head><body><div class="tip">很抱歉，该商品已下架</div></body></html>`))
		case "/item/ok":
			w.Header().Set("Content-Type", "text/html; charset=gbk")
			w.Write(gbk(t, `<html><head><title>衡水老白干 古法20 500ml - 冀货通</title>
<script>var tips = {off: "已下架"};</script></head><body>
<h1>衡水老白干 古法20</h1><span class="price">￥268.00</span><a class="shop">老白干专卖店</a><span class="loc">河北 衡水</span>
<img class="main" src="/img/1.jpg"></body></html>`))
		case "/item/busy":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.Detail = &crawl.DetailRules{Fields: crawl.Fields{Price: crawl.Selectors{"span.price"}, Seller: crawl.Selectors{"a.shop"},
		Location: crawl.Selectors{"span.loc"}, Image: crawl.Selectors{"img.main@src"}}, MaxPerRun: 1}
	c := clockedCrawler(true)
	ctx := context.Background()

	res, err := c.Recheck(ctx, src, srv.URL+"/item/gone")
	if err != nil || !res.Removed || res.Reason != "HTTP 404" || res.Fetch.Status != 404 {
		t.Errorf("404: %+v %v", res, err)
	}
	res, err = c.Recheck(ctx, src, srv.URL+"/item/withdrawn")
	if err != nil || !res.Removed || !strings.Contains(res.Reason, "已下架") {
		t.Errorf("withdrawn: %+v %v", res, err)
	}
	res, err = c.Recheck(ctx, src, srv.URL+"/item/ok")
	if err != nil || res.Removed {
		t.Fatalf("normal page: %+v %v", res, err)
	}
	if res.Title != "衡水老白干 古法20 500ml - 冀货通" || res.Price != 268 || res.Seller != "老白干专卖店" ||
		res.Location != "河北 衡水" || res.ImageURL != srv.URL+"/img/1.jpg" {
		t.Errorf("fields %+v", res)
	}
	if res.Fetch.FinalURL != srv.URL+"/item/ok" || res.Fetch.RemoteAddr != srv.Listener.Addr().String() ||
		http.Header(res.Fetch.Headers).Get("Content-Type") != "text/html; charset=gbk" || bytes.Contains(res.Fetch.Body, []byte("老白干")) {
		t.Errorf("fetch %+v (body must stay GBK)", res.Fetch)
	}
	if _, err := c.Recheck(ctx, src, srv.URL+"/item/busy"); crawl.ErrorKind(err) != crawl.KindHTTP5xx {
		t.Errorf("503: %v", err)
	}
	if _, err := c.Recheck(ctx, src, srv.URL+"/item/secret"); crawl.ErrorKind(err) != crawl.KindRobots {
		t.Errorf("robots.txt: %v", err)
	}
	if _, err := c.Recheck(ctx, src, "https://elsewhere.example/item/1"); crawl.ErrorKind(err) != crawl.KindDomain {
		t.Errorf("other host: %v", err)
	}
}

// longPage is taller than the capture window and titled in Chinese.
const longPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>衡水老白干 高仿 证据页</title></head>
<body style="margin:0"><h1>衡水老白干 高仿</h1><div style="height:3000px;background:linear-gradient(#fff,#c00)"></div><p>页尾</p></body></html>`

func TestCapturePage(t *testing.T) {
	needChromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/item/1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Shop-Trace", "cap")
		fmt.Fprint(w, longPage)
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.Timeout = 15 * time.Second
	png, mhtml, f, err := clockedCrawler(true).CapturePage(context.Background(), src, srv.URL+"/item/1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", png[:min(8, len(png))])
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil || cfg.Height <= crawl.CaptureHeight || cfg.Width < 100 {
		t.Errorf("screenshot %dx%d (%v), want taller than the %d px window", cfg.Width, cfg.Height, err, crawl.CaptureHeight)
	}
	if html := mhtmlHTML(t, mhtml); !strings.Contains(html, "衡水老白干 高仿 证据页") {
		t.Errorf("MHTML lacks the page's title: %.300s", html)
	}
	if !f.Rendered || f.Status != 200 || f.FinalURL != srv.URL+"/item/1" || f.RemoteAddr != srv.Listener.Addr().String() ||
		http.Header(f.Headers).Get("X-Shop-Trace") != "cap" || !bytes.Contains(f.Body, []byte("证据页")) || f.UserAgent != src.UserAgent {
		t.Errorf("fetch %+v", f)
	}
	if _, _, f, err := clockedCrawler(true).CapturePage(context.Background(), src, srv.URL+"/missing"); crawl.ErrorKind(err) != crawl.KindHTTP4xx || f.Status != 404 {
		t.Errorf("404: %v", err)
	}
	strict := crawl.New(crawl.Options{})
	if _, _, _, err := strict.CapturePage(context.Background(), src, srv.URL+"/item/1"); crawl.ErrorKind(err) != crawl.KindPrivate {
		t.Errorf("private address: %v", err)
	}
}

// mhtmlHTML returns the decoded HTML part of an MHTML snapshot.
func mhtmlHTML(t *testing.T, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("MHTML: %v", err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("MHTML content type: %v", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("MHTML has no HTML part: %v", err)
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			continue
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("reading MHTML part: %v", err)
		}
		return string(b)
	}
}

func TestParseSourceEvidence(t *testing.T) {
	src, err := crawl.ParseSource("jihuo.yaml", []byte(validSource+"evidence:\n  screenshot: true\n  recheck: \"CRON_TZ=Asia/Shanghai 0 */6 * * *\"\n"))
	if err != nil || src.Evidence != (crawl.SourceEvidence{Screenshot: true, Recheck: "CRON_TZ=Asia/Shanghai 0 */6 * * *"}) {
		t.Fatalf("evidence %+v, %v", src.Evidence, err)
	}
	src, err = crawl.ParseSource("jihuo.yaml", []byte(validSource))
	if err != nil || src.Evidence != (crawl.SourceEvidence{}) {
		t.Fatalf("default evidence %+v, %v", src.Evidence, err)
	}
	for _, tc := range []struct{ yml, want string }{
		{"evidence:\n  recheck: \"every six hours\"\n", `jihuo.yaml:19: source "jihuo": field "evidence.recheck": must be a cron spec`},
		{"evidence:\n  recheck: \"0 */6 * *\"\n", `field "evidence.recheck"`},
		{"evidence:\n  screenshots: true\n", `jihuo.yaml:19: unknown field "screenshots"`},
		{"evidence:\n  screenshot: perhaps\n", `jihuo.yaml:19:`},
	} {
		_, err := crawl.ParseSource("jihuo.yaml", []byte(validSource+tc.yml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q: error %v, want %q", tc.yml, err, tc.want)
		}
	}
}

// One-off requests to a host keep the source's delay between them, as a
// run's requests do.
func TestOneOffRequestsKeepTheSourceDelay(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes)
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.Delay = 150 * time.Millisecond
	c := newCrawler()
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, _, err := c.FetchImage(context.Background(), src, fmt.Sprintf("%s/%d.png", srv.URL, i), 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// Starts are reserved 150ms apart, so the last cannot arrive before
	// 300ms (a loaded machine may only make it later).
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	if len(arrivals) != 3 {
		t.Fatalf("%d requests arrived, want 3", len(arrivals))
	}
	if d := arrivals[2].Sub(start); d < 300*time.Millisecond {
		t.Errorf("3 requests within %v, want the 150ms delay between them", d)
	}
}
