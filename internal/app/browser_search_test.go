package app

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/markwatch/markwatch/internal/packet"
)

// screenshotDir is where the browser tests leave their screenshots:
// $MARKWATCH_SCREENSHOT_DIR, or bin/screenshots in the repository (ignored
// by git), kept after the test so a person can look.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MARKWATCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "screenshots")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// needBrowser finds Debian's Chromium; missing, the test fails under CI and
// is skipped elsewhere, saying how to install it.
func needBrowser(t *testing.T) string {
	t.Helper()
	if p := packet.FindBrowser(); p != "" {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("headless Chromium is required under CI: make chromium")
	}
	t.Skip("headless Chromium not installed: make chromium")
	return ""
}

// browser starts headless Chromium at path for the test, its window wide
// enough for the console's facets beside the results.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses root with its sandbox (containers, CI)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// TestBrowserSearchesNarrowsAndExports drives the console as a supervisor
// would, in headless Chromium against a started daemon with the demo: signs
// in, searches in Chinese, narrows by two facets, opens a result and
// exports the filtered queue, leaving screenshots of the search page and
// the queue.
func TestBrowserSearchesNarrowsAndExports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon, Meilisearch and Chromium")
	}
	chromium := needBrowser(t)
	cfg := testConfig(t, needMeilisearch(t))
	d, _ := startAfterFirstCrawl(t, cfg)
	if err := d.indexer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(d.demoLogins) == 0 {
		t.Fatal("the demo made no logins")
	}
	sup := d.demoLogins[0]
	base := d.httpURL
	shots := screenshotDir(t)
	ctx := browser(t, chromium)

	// Sign in through the form.
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SetValue(chromedp.CSS(`#name`), sup.Name),
		chromedp.SetValue(chromedp.CSS(`#password`), sup.Password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header .who .user`)),
	)
	if err != nil {
		t.Fatalf("signing in as %s: %v", sup.Name, err)
	}

	// Search in Chinese from the search box.
	const words = "六个核桃"
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/search"),
		chromedp.SetValue(chromedp.CSS(`input[name=q]`), words),
		chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
	)
	if err != nil {
		t.Fatalf("searching %s: %v", words, err)
	}
	waitForPage(t, ctx, "q="+url.QueryEscape(words))
	n0 := total(t, ctx)
	if n0 == 0 {
		t.Fatalf("searching %s after the demo crawl found nothing", words)
	}
	if u := location(t, ctx); u.Query().Get("q") != words {
		t.Errorf("the search is not in its URL: %s", u)
	}

	// Narrow by two facets, each a click on its first value.
	for _, facet := range []string{"mark", "province"} {
		group := `section.facet[data-facet=` + facet + `]`
		err = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(group+` li:not(.selected) a`)),
			chromedp.Click(chromedp.CSS(group+` li:not(.selected) a`)),
			chromedp.WaitVisible(chromedp.CSS(group+` li.selected`)),
		)
		if err != nil {
			t.Fatalf("narrowing by the %s facet: %v", facet, err)
		}
	}
	n2 := total(t, ctx)
	u := location(t, ctx)
	mark, province := u.Query().Get("mark"), u.Query().Get("province")
	if mark == "" || province == "" || n2 == 0 || n2 > n0 {
		t.Errorf("after two facets: %d hits of %d at %s; want some, no more, with mark and province in the URL", n2, n0, u)
	}
	shoot(t, ctx, filepath.Join(shots, "search.png"))

	// The search's export is the narrowed filter.
	rows := exportFrom(t, ctx)
	if len(rows) != n2+1 {
		t.Errorf("the search's export holds %d rows for %d hits", len(rows)-1, n2)
	}
	for _, r := range rows[1:] {
		if r[1] != mark || !strings.HasPrefix(r[5], province) {
			t.Errorf("the search's export holds %v, outside mark %s in %s", r, mark, province)
		}
	}

	// Open a result: the listing on the (demo) marketplace.
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a.hit`), "href"))
	if err != nil || href.Value == "" {
		t.Fatalf("no result to open: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(href.Value)); err != nil {
		t.Fatalf("opening result %s: %v", href.Value, err)
	}
	if listing, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`))); err != nil || !strings.Contains(listing, "核桃") {
		t.Errorf("result %s shows %.200q (%v), not the listing", href.Value, listing, err)
	}

	// The queue, filtered to the mark chosen, and its export.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/?status=all&mark="+url.QueryEscape(mark)),
		chromedp.WaitVisible(chromedp.CSS(`#export`)),
	)
	if err != nil {
		t.Fatalf("opening the queue: %v", err)
	}
	shoot(t, ctx, filepath.Join(shots, "queue.png"))
	rows = exportFrom(t, ctx)
	if len(rows) < 2 {
		t.Errorf("the queue's export of %s holds no alert: %v", mark, rows)
	}
	for _, r := range rows[1:] {
		if r[1] != mark {
			t.Errorf("the queue's export of %s holds %v", mark, r)
		}
	}
	t.Logf("screenshots of the search page and the queue: %s", shots)
}

// waitForPage waits until the page's address holds part and the page has
// loaded: a form's submit navigates after Click has returned.
func waitForPage(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	js := `location.href.includes(` + strconv.Quote(part) + `) && document.readyState === "complete" && !!document.querySelector("#total")`
	for range 100 {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("the page never reached an address with %q", part)
}

func total(t *testing.T, ctx context.Context) int {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total`)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("total %q: %v", s, err)
	}
	return n
}

func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// exportFrom downloads the export the page's #export link points at with
// the browser's own cookies (the console's CSP forbids the page a fetch),
// and reads the CSV.
func exportFrom(t *testing.T, ctx context.Context) [][]string {
	t.Helper()
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#export").href`))
	if err != nil {
		t.Fatalf("reading the export link: %v", err)
	}
	var cookies []*network.Cookie
	err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
		cookies = res.Cookies
		return err
	}))
	if err != nil {
		t.Fatalf("reading the browser's cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, href, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("downloading %s: %v", href, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("downloading %s: %d %.200s %v", href, resp.StatusCode, raw, err)
	}
	s, ok := strings.CutPrefix(string(raw), "\ufeff")
	if !ok {
		t.Fatalf("export %s: %.200q", href, raw)
	}
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export %s is not CSV: %v", href, err)
	}
	return rows
}

func shoot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
