package crawl_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
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
