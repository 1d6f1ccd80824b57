package crawl_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
	"github.com/markwatch/markwatch/internal/domain"
)

// benchTitles repeat one realistic title with the card number, as the crawl
// alone does not care what the titles say.
var benchTitles = []string{"六个核桃 核桃乳 240ml×20罐 整箱装"}

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
	const pagesPerIter = crawltest.PagesPerRun
	base, queries := crawltest.ProcessServer(b, benchTitles, latency)
	src := mustSource(b, crawltest.SourceYAML(base))
	c := crawl.New(crawl.Options{AllowPrivate: true, Transport: crawltest.Transport()})
	rawTransport := crawltest.Transport()

	var rawTime, crawlTime time.Duration
	var listings atomic.Int64
	b.ResetTimer()
	for range b.N {
		rawTime += crawltest.RawFetch(b, rawTransport, base, queries)

		start := time.Now()
		st, err := c.Run(context.Background(), src, queries, func(domain.Listing) error { listings.Add(1); return nil })
		crawlTime += time.Since(start)
		if err != nil || st.Pages != pagesPerIter || st.Listings != crawltest.CardsPerPage*pagesPerIter {
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
