package crawl_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// testSource reads pages of the shape resultsPage writes, paginating by the
// page parameter, with delays small enough for tests.
func testSource(t testing.TB, base, extra string) crawl.Source {
	t.Helper()
	yml := fmt.Sprintf(`id: local
search:
  url: "%s/s?q={query}&page={page}"
  pagination:
    page: {start: 1}
  max_pages: 5
fetch:
  parallelism: 2
  delay: 1ms
  timeout: 2s
  retries: 2
  retry_base_delay: 10ms
%s
extract:
  css:
    item: li.item
    fields:
      title: a.t
      price: span.p
      url: a.t@href
`, base, extra)
	return mustSource(t, yml)
}

// resultsPage writes n listings for the query on page p.
func resultsPage(w http.ResponseWriter, q string, p, n int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<html><body><ul>")
	for i := range n {
		fmt.Fprintf(w, `<li class="item"><a class="t" href="/item/%d-%d">%s 第%d页 第%d件</a><span class="p">￥%d.50</span></li>`, p, i, q, p, i, 10+i)
	}
	fmt.Fprint(w, "</ul></body></html>")
}

func newCrawler() *crawl.Crawler {
	return crawl.New(crawl.Options{AllowPrivate: true, Rand: rand.New(rand.NewPCG(1, 2))})
}

type collector struct {
	mu sync.Mutex
	ls []domain.Listing
}

func (c *collector) emit(l domain.Listing) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ls = append(c.ls, l)
	return nil
}

func TestRunFollowsPageParameterUntilEmptyPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		n := 0
		if p <= 3 {
			n = 4
		}
		resultsPage(w, r.URL.Query().Get("q"), p, n)
	}))
	defer srv.Close()
	var got collector
	st, err := newCrawler().Run(context.Background(), testSource(t, srv.URL, ""), []string{"六个核桃", "板栗"}, got.emit)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages != 8 || st.Listings != 24 || len(got.ls) != 24 || st.EndReason != crawl.EndDone || len(st.Errors) != 0 {
		t.Fatalf("stats %+v, %d listings", st, len(got.ls))
	}
	byQuery := map[string]int{}
	for _, l := range got.ls {
		byQuery[l.Query]++
		if !strings.HasPrefix(l.Title, l.Query+" 第") || !strings.HasPrefix(l.URL, srv.URL+"/item/") || l.SeenAt.IsZero() {
			t.Errorf("listing %+v", l)
		}
	}
	if byQuery["六个核桃"] != 12 || byQuery["板栗"] != 12 {
		t.Errorf("by query %v", byQuery)
	}
}

func TestRunRobots(t *testing.T) {
	var searched atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /s\n")
			return
		}
		searched.Add(1)
		resultsPage(w, "核桃", 1, 2)
	}))
	defer srv.Close()

	st, err := newCrawler().Run(context.Background(), testSource(t, srv.URL, ""), []string{"核桃"}, (&collector{}).emit)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || st.Errors[crawl.KindRobots] != 1 || st.EndReason != crawl.EndFailed || searched.Load() != 0 {
		t.Fatalf("robots respected: stats %+v err %v searched %d", st, err, searched.Load())
	}
	st, err = newCrawler().Run(context.Background(), testSource(t, srv.URL, "  respect_robots: false"), []string{"核桃"}, (&collector{}).emit)
	if err != nil || st.Pages == 0 {
		t.Fatalf("respect_robots false: stats %+v err %v", st, err)
	}
}

func TestRunRetries(t *testing.T) {
	tests := []struct {
		name     string
		failures []int // statuses answered before a good page
		header   string
		wantKind string
		wantHits int32
		wantOK   bool
		minWait  time.Duration
	}{
		{"429 with Retry-After then success", []int{429}, "1", crawl.KindHTTP429, 2, true, time.Second},
		{"503 twice then success", []int{503, 502}, "", crawl.KindHTTP5xx, 3, true, 0},
		{"500 beyond retries", []int{500, 500, 500, 500}, "", crawl.KindHTTP5xx, 3, false, 0},
		{"404 not retried", []int{404}, "", crawl.KindHTTP4xx, 1, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				p, _ := strconv.Atoi(r.URL.Query().Get("page"))
				if p > 1 {
					resultsPage(w, "x", p, 0)
					return
				}
				n := int(hits.Add(1))
				if n <= len(tc.failures) {
					if tc.header != "" {
						w.Header().Set("Retry-After", tc.header)
					}
					http.Error(w, "busy", tc.failures[n-1])
					return
				}
				resultsPage(w, "今麦郎", 1, 3)
			}))
			defer srv.Close()
			start := time.Now()
			st, err := newCrawler().Run(context.Background(), testSource(t, srv.URL, ""), []string{"今麦郎"}, (&collector{}).emit)
			if (err == nil) != tc.wantOK {
				t.Fatalf("err = %v, want ok %v", err, tc.wantOK)
			}
			if hits.Load() != tc.wantHits {
				t.Errorf("requests = %d, want %d", hits.Load(), tc.wantHits)
			}
			if st.Errors[tc.wantKind] != min(len(tc.failures), 3) {
				t.Errorf("errors %v, want %d %s", st.Errors, len(tc.failures), tc.wantKind)
			}
			if tc.wantOK && st.Listings != 3 {
				t.Errorf("listings = %d", st.Listings)
			}
			if el := time.Since(start); el < tc.minWait {
				t.Errorf("took %v, Retry-After asked for %v", el, tc.minWait)
			}
		})
	}
}

func TestRunReturnsPromptlyWhenCancelled(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		select { // hang until the client gives up or the test ends
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	src := testSource(t, srv.URL, "")
	src.Timeout, src.Delay = time.Minute, 10*time.Second
	st, err := newCrawler().Run(ctx, src, []string{"衡水老白干", "迁西板栗", "露露"}, (&collector{}).emit)
	if !errors.Is(err, context.Canceled) || st.EndReason != crawl.EndCancelled {
		t.Fatalf("stats %+v err %v", st, err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Run took %v after cancel", el)
	}
}

func TestRunStopsOnEmitError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		resultsPage(w, "x", p, 5)
	}))
	defer srv.Close()
	boom := errors.New("store is full")
	n := 0
	st, err := newCrawler().Run(context.Background(), testSource(t, srv.URL, ""), []string{"君乐宝"}, func(domain.Listing) error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || st.EndReason != crawl.EndEmitFailed || st.Listings != 2 {
		t.Fatalf("stats %+v err %v", st, err)
	}
}

func TestRunSendsHeadersFromEnvironment(t *testing.T) {
	var cookie atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookie.Store(r.Header.Get("Cookie"))
		resultsPage(w, "x", 1, 0)
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "  headers_from_env: {Cookie: SHOP_COOKIE}")
	env := map[string]string{"SHOP_COOKIE": "session=甲乙"}
	c := crawl.New(crawl.Options{AllowPrivate: true, Getenv: func(k string) string { return env[k] }})
	if _, err := c.Run(context.Background(), src, []string{"x"}, (&collector{}).emit); err != nil {
		t.Fatal(err)
	}
	if cookie.Load() != "session=甲乙" {
		t.Errorf("cookie = %v", cookie.Load())
	}
	delete(env, "SHOP_COOKIE")
	_, err := c.Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "SHOP_COOKIE") {
		t.Errorf("missing variable: err = %v", err)
	}
}

// A run leaves no goroutine behind: colly's fetchers, retries waiting out a
// backoff and the run's own idle connections are all gone when Run returns.
func TestRunLeavesNoGoroutines(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		resultsPage(w, "x", p, 3)
	}))
	before := runtime.NumGoroutine()
	src := testSource(t, srv.URL, "")
	src.Parallelism = 4
	if _, err := crawl.New(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"槐茂", "金凤扒鸡", "马家鸡铺"}, (&collector{}).emit); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
