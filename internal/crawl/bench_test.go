package crawl_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// benchPage is a results page of 40 cards, about the size of a real one.
func benchPage(q string) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索</title></head><body><ul class="result-list">`)
	for i := range 40 {
		fmt.Fprintf(&b, `<li class="result-item" data-id="%d"><a class="pic" href="/item/%s-%d"><img src="//img.example.cn/%d.jpg"></a>
<div class="info"><a class="title" href="/item/%s-%d" title="%s 六个核桃 核桃乳 240ml×20罐 整箱装 第%d件">%s 六个核桃 核桃乳 240ml×20罐 整箱装 第%d件</a>
<div class="price">￥<em>%d.90</em></div><div class="shop"><a class="shop-name" href="/shop/%d">鑫源副食批发部</a><span class="location">河南 周口</span></div></div></li>
`, i, q, i, i, q, i, q, i, q, i, 30+i, i)
	}
	b.WriteString(`</ul><div class="pager"><span class="current">1</span></div></body></html>`)
	return []byte(b.String())
}

// BenchmarkCrawlVsRawColly fetches the same local pages at parallelism 8
// twice per iteration: with raw colly (fetch only) and with Crawler.Run
// (fetch, politeness, decoding, extraction, emit), and reports both rates
// and their ratio. Target: crawl keeps at least 70% of raw throughput.
//
// On bare loopback a fetch costs less CPU than parsing the page's HTML, so
// the ratio there measures extraction cost; with a server that takes 20 ms
// to answer, as a marketplace does at best, it measures what a real crawl
// loses to extraction.
func BenchmarkCrawlVsRawColly(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchCrawlVsRaw(b, 0) })
	b.Run("latency_20ms", func(b *testing.B) { benchCrawlVsRaw(b, 20*time.Millisecond) })
}

func benchCrawlVsRaw(b *testing.B, latency time.Duration) {
	const pagesPerIter = 200
	pages := map[string][]byte{}
	queries := make([]string, pagesPerIter)
	for i := range queries {
		queries[i] = fmt.Sprintf("q%d", i)
		pages[queries[i]] = benchPage(queries[i])
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /admin/\n"))
			return
		}
		time.Sleep(latency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[r.URL.Query().Get("q")])
	}))
	defer srv.Close()
	newTransport := func() *http.Transport {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 8
		return t
	}
	src := mustSource(b, fmt.Sprintf(`id: bench
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
`, srv.URL))
	c := crawl.New(crawl.Options{AllowPrivate: true, Transport: newTransport()})
	rawTransport := newTransport()

	var rawTime, crawlTime time.Duration
	var listings atomic.Int64
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		col := colly.NewCollector(colly.Async(true))
		col.WithTransport(rawTransport)
		if err := col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: 8}); err != nil {
			b.Fatal(err)
		}
		var got atomic.Int64
		col.OnResponse(func(*colly.Response) { got.Add(1) })
		for _, q := range queries {
			if err := col.Visit(srv.URL + "/s?q=" + q); err != nil {
				b.Fatal(err)
			}
		}
		col.Wait()
		rawTime += time.Since(start)
		if got.Load() != pagesPerIter {
			b.Fatalf("raw colly fetched %d pages", got.Load())
		}

		start = time.Now()
		st, err := c.Run(context.Background(), src, queries, func(domain.Listing) error { listings.Add(1); return nil })
		crawlTime += time.Since(start)
		if err != nil || st.Pages != pagesPerIter || st.Listings != 40*pagesPerIter {
			b.Fatalf("crawl: %+v %v", st, err)
		}
	}
	total := float64(b.N * pagesPerIter)
	raw := total / rawTime.Seconds()
	crawled := total / crawlTime.Seconds()
	b.ReportMetric(raw, "raw_pages/s")
	b.ReportMetric(crawled, "crawl_pages/s")
	b.ReportMetric(crawled/raw, "crawl/raw")
	b.ReportMetric(0, "ns/op")
}
