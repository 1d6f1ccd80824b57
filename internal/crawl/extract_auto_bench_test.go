package crawl_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
)

const benchPage = "jd_search_2018-01_jiguangdayin.html"

func benchBody(b *testing.B) []byte {
	b.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "marketplace", benchPage))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkExtract is the baseline: the shipped jd.yaml selectors on a real
// 2018 JD page (155 KB, 30 listings).
func BenchmarkExtract(b *testing.B) {
	src, body := loadSource(b, "jd"), benchBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := crawl.Extract(src, "https://search.jd.com/Search?keyword=x", body, ""); err != nil || len(p.Listings) != 30 {
			b.Fatalf("%v, %d listings", err, len(p.Listings))
		}
	}
}

// BenchmarkExtractAuto reads the same page by structure alone and reports
// its cost against the selectors measured in the same run
// (x_selectors: auto ns/op ÷ selectors ns/op).
func BenchmarkExtractAuto(b *testing.B) {
	// The baseline is timed here, not with testing.Benchmark (which cannot
	// run inside a benchmark): the selectors for at least 300 ms.
	src, body := loadSource(b, "jd"), benchBody(b)
	var baseN int
	start := time.Now()
	for baseN < 5 || time.Since(start) < 300*time.Millisecond {
		if _, err := crawl.Extract(src, "https://search.jd.com/Search?keyword=x", body, ""); err != nil {
			b.Fatal(err)
		}
		baseN++
	}
	baseNs := float64(time.Since(start).Nanoseconds()) / float64(baseN)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := crawl.ExtractAuto("https://search.jd.com/Search?keyword=x", body, ""); err != nil || len(p.Listings) != 30 {
			b.Fatalf("%v, %d listings", err, len(p.Listings))
		}
	}
	if b.N > 0 {
		auto := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(auto/baseNs, "x_selectors")
		b.ReportMetric(baseNs, "selectors_ns/op")
	}
}
