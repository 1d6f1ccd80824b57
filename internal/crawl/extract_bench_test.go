package crawl_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
)

// BenchmarkExtractRealPages measures extraction alone on the saved
// marketplace pages (JD 2013 GBK to 2018, 116–160 KB; the Taobao JSON blob).
func BenchmarkExtractRealPages(b *testing.B) {
	pages := []struct{ source, file string }{
		{"jd", "jd_search_2013-05_chuangxin_gbk.html"},
		{"jd", "jd_search_2017-10_chezai-cd.html"},
		{"jd", "jd_search_2018-01_jiguangdayin.html"},
		{"taobao", "taobao_search_2018-07_heizhimahu_g_page_config.js"},
	}
	for _, p := range pages {
		b.Run(p.file, func(b *testing.B) {
			src := loadSource(b, p.source)
			body, err := os.ReadFile(filepath.Join("testdata", "marketplace", p.file))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				page, err := crawl.Extract(src, "https://search.jd.com/Search?keyword=x", body, "")
				if err != nil || len(page.Listings) == 0 {
					b.Fatalf("%v, %d listings", err, len(page.Listings))
				}
			}
		})
	}
}

// BenchmarkExtractCardText is the seller signal's cost in extraction:
// reading every card's visible text (for contacts) on the JD 2018 page,
// against extracting the same page without it, in the same run.
func BenchmarkExtractCardText(b *testing.B) {
	src := loadSource(b, "jd")
	body, err := os.ReadFile(filepath.Join("testdata", "marketplace", "jd_search_2018-01_jiguangdayin.html"))
	if err != nil {
		b.Fatal(err)
	}
	const pageURL = "https://search.jd.com/Search?keyword=x"
	var plain, cards time.Duration
	n := 0
	for b.Loop() {
		for _, withText := range []bool{false, true} {
			start := time.Now()
			page, err := crawl.ExtractWith(src, crawl.ExtractOptions{CardText: withText}, pageURL, body, "")
			d := time.Since(start)
			if err != nil || len(page.Listings) == 0 || withText != (len(page.Cards) == len(page.Listings)) {
				b.Fatalf("%v: %d listings, %d cards", err, len(page.Listings), len(page.Cards))
			}
			if withText {
				cards += d
			} else {
				plain += d
			}
		}
		n++
	}
	b.ReportMetric(float64(plain.Microseconds())/float64(n), "plain-µs/page")
	b.ReportMetric(float64(cards.Microseconds())/float64(n), "cards-µs/page")
	b.ReportMetric(float64(cards)/float64(plain), "x-plain")
}

// BenchmarkExtractResultsPage is the CPU one 40-card results page costs the
// crawl (crawltest.ResultsPage, the page BenchmarkCrawlVsRawColly fetches),
// against parsing the same page alone in the same run: x_parse is extraction
// ÷ parse, what extraction adds to the parse it cannot do without.
//
// Where a page's CPU went, as shares of the crawl's page handling
// (handlePage in a pprof of BenchmarkCrawlVsRawColly/loopback, 2 shared
// cores, issue 12):
//
//	before: html.Parse 53%, a second tokenising pass for the element budget
//	(cutElements) 15%, field selectors 12% (a slice of matches per child per
//	field, the whole subtree walked even when the first match had the
//	value), URL resolution 5%, text clean-up 4% (a copy of every title and
//	seller), price regexp 2%, the rest the run's bookkeeping.
//	after: html.Parse ~70%, field selectors ~9% (one walk per field that
//	stops at the value, nothing allocated), URL resolution ~7% (net/url's
//	Parse, ResolveReference and String; left as is: it is what makes links
//	absolute), text clean-up ~3% (only text with white space is copied, no
//	unicode table for Chinese), dedup and health ~4%, price < 1%, the
//	element budget < 0.5% (a byte count). What is left is the parse:
//	x/net/html allocates a node, a copy of each attribute and its string
//	per element (95% of a page's allocations), and most GC is that.
func BenchmarkExtractResultsPage(b *testing.B) {
	body := crawltest.ResultsPage("q7", []string{"六个核桃 核桃乳 240ml×20罐 整箱装"})
	src := mustSource(b, crawltest.SourceYAML("http://127.0.0.1:1"))
	const pageURL = "http://127.0.0.1:1/s?q=q7"
	var parse, extract time.Duration
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := html.Parse(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		page, err := crawl.Extract(src, pageURL, body, "text/html; charset=utf-8")
		extract += time.Since(mid)
		parse += mid.Sub(start)
		if err != nil || len(page.Listings) != crawltest.CardsPerPage {
			b.Fatalf("%v, %d listings", err, len(page.Listings))
		}
	}
	b.ReportMetric(float64(extract.Microseconds())/float64(b.N), "extract-µs/page")
	b.ReportMetric(float64(parse.Microseconds())/float64(b.N), "parse-µs/page")
	b.ReportMetric(float64(extract)/float64(parse), "x_parse")
}
