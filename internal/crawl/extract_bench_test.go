package crawl_test

import (
	"os"
	"path/filepath"
	"testing"

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
