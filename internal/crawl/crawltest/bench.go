// Package crawltest holds what the crawl benchmarks share: a local results
// server and the raw colly fetch they measure against, so the crawl-only and
// full-pipeline benchmarks compare with the same baseline.
package crawltest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
)

// PagesPerRun is how many result pages one benchmark iteration fetches.
const PagesPerRun = 200

// CardsPerPage is the number of listings on each page, about a real page's.
const CardsPerPage = 40

// ResultsPage renders a results page for query q with CardsPerPage cards,
// cycling through titles; the markup matches SourceYAML.
func ResultsPage(q string, titles []string) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索</title></head><body><ul class="result-list">`)
	for i := range CardsPerPage {
		t := titles[(len(q)+i)%len(titles)]
		fmt.Fprintf(&b, `<li class="result-item" data-id="%d"><a class="pic" href="/item/%s-%d"><img src="//img.example.cn/%d.jpg"></a>
<div class="info"><a class="title" href="/item/%s-%d" title="%s">%s</a>
<div class="price">￥<em>%d.90</em></div><div class="shop"><a class="shop-name" href="/shop/%d">鑫源副食批发部</a><span class="location">河南 周口</span></div></div></li>
`, i, q, i, i, q, i, t, t, 30+i, i)
	}
	b.WriteString(`</ul><div class="pager"><span class="current">1</span></div></body></html>`)
	return []byte(b.String())
}

// SourceYAML is a source definition reading ResultsPage from base at
// parallelism 8, one page per query, no delay.
func SourceYAML(base string) string {
	return fmt.Sprintf(`id: bench
search:
  url: "%s/s?q={query}"
  max_pages: 1
fetch:
  parallelism: 8
  delay: 0s
extract:
  css:
    item: li.result-item
    fields:
      title: ["a.title@title", "a.title"]
      price: div.price em
      seller: a.shop-name
      location: span.location
      url: a.title@href
      image: a.pic img@src
`, base)
}

// Server serves PagesPerRun result pages, answering after latency as a
// marketplace would, and returns it with the queries that reach them. It
// runs in the benchmark's own process, where its CPU competes with what is
// measured; ProcessServer is the marketplace in a process of its own.
func Server(tb testing.TB, titles []string, latency time.Duration) (*httptest.Server, []string) {
	h, queries := Handler(titles, latency)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv, queries
}

// Handler is Server's marketplace: PagesPerRun result pages, one per query,
// each answered after latency, and a robots.txt.
func Handler(titles []string, latency time.Duration) (http.Handler, []string) {
	pages := map[string][]byte{}
	queries := Queries()
	for _, q := range queries {
		pages[q] = ResultsPage(q, titles)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /admin/\n"))
			return
		}
		time.Sleep(latency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[r.URL.Query().Get("q")])
	}), queries
}

// Queries are the PagesPerRun queries Handler answers.
func Queries() []string {
	queries := make([]string, PagesPerRun)
	for i := range queries {
		queries[i] = fmt.Sprintf("q%d", i)
	}
	return queries
}

// Transport is a client transport keeping 8 connections to the server, as
// both sides of the comparison use.
func Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 8
	return t
}

// RawFetch fetches every query's page with plain colly at parallelism 8 —
// the floor a crawl is measured against — and returns how long it took.
func RawFetch(tb testing.TB, t http.RoundTripper, base string, queries []string) time.Duration {
	start := time.Now()
	col := colly.NewCollector(colly.Async(true))
	col.WithTransport(t)
	if err := col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: 8}); err != nil {
		tb.Fatal(err)
	}
	var got atomic.Int64
	col.OnResponse(func(*colly.Response) { got.Add(1) })
	for _, q := range queries {
		if err := col.Visit(base + "/s?q=" + q); err != nil {
			tb.Fatal(err)
		}
	}
	col.Wait()
	if int(got.Load()) != len(queries) {
		tb.Fatalf("raw colly fetched %d of %d pages", got.Load(), len(queries))
	}
	return time.Since(start)
}
