package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pipeline"
)

// benchTitles mixes what a search for a protected name returns: mostly
// genuine or unrelated goods, some look-alikes.
var benchTitles = []string{
	"六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料",
	"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发",
	"新疆薄皮核桃 2斤装 纸皮核桃 生核桃",
	"今麦郎 红烧牛肉面 泡面 5连包",
	"迁西板栗 新货 生板栗 5斤装 现摘",
	"华为 Mate 60 手机壳 硅胶 防摔",
	"衡水老白干 67度 白酒 500ml",
	"小米 充电宝 20000毫安 快充",
	"金丝小枣 沧州特产 2斤 红枣",
	"露露 杏仁露 240ml*20罐 整箱",
}

// BenchmarkPipelineVsRawColly measures pages/s of a full crawl run — fetch,
// extract, match against the registry, store in SQLite with outbox and alerts
// — beside two baselines in the same iteration, all at parallelism 8: raw
// colly fetching the same pages, and the same crawler fetching and
// extracting them with nothing after it (crawl alone). Issue 12's targets:
// pipeline/crawl ≥ 0.8 on loopback, where CPU is the limit and the ratio
// says what matching and storing cost beside extraction; pipeline/raw ≥ 0.9
// at 20 ms, a marketplace's best answer time, where the fetches are the
// limit and the ratio says what the whole pipeline loses to them.
//
// A first run before the timer stores the 8,000 listings (first/crawl is
// its pages/s against crawl alone's), a second re-sights them with the
// store's resight cache still empty (second/crawl); every iteration then
// re-sights them unchanged, as a running daemon's scheduled re-crawls
// mostly do. (They are 10 titles at 40
// prices by one shop, 400 listings as the matcher reads them, so the
// matcher's memo answers most of the first iteration too.)
func BenchmarkPipelineVsRawColly(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchPipeline(b, 0) })
	b.Run("latency_20ms", func(b *testing.B) { benchPipeline(b, 20*time.Millisecond) })
}

func benchPipeline(b *testing.B, latency time.Duration) {
	const pagesPerIter = crawltest.PagesPerRun
	base, queries := crawltest.ProcessServer(b, benchTitles, latency)
	src, err := crawl.ParseSource("bench.yaml", []byte(crawltest.SourceYAML(base)))
	if err != nil {
		b.Fatal(err)
	}
	_, matcher, err := buildMatcher("", 0)
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfigForBench(b)
	db, err := openStore(context.Background(), cfg, true)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	crawler := crawl.New(crawl.Options{AllowPrivate: true, Transport: crawltest.Transport()})
	// the daemon's matcher as newRunner wires it: swapped on registry
	// changes, its verdicts remembered
	var swap swapMatcher
	swap.p.Store(matcher)
	runner := &pipeline.Runner{
		Crawler: &sourceCrawler{
			sources: map[string]crawl.Source{src.ID: src}, runs: map[string]int{},
			crawler: func(crawl.Source) *crawl.Crawler { return crawler },
			plan:    func(crawl.Source, int) []string { return queries },
		},
		Matcher: memoized(&swap),
		Store:   storeAdapter{db},
		Log:     zap.NewNop(),
		Now:     time.Now,
	}
	rawTransport := crawltest.Transport()

	// untimed runs crawl alone and then the pipeline once, and returns
	// how long each took.
	untimed := func() (crawled, piped time.Duration) {
		start := time.Now()
		if _, err := crawler.Run(context.Background(), src, queries, func(domain.Listing) error { return nil }); err != nil {
			b.Fatal(err)
		}
		crawled, start = time.Since(start), time.Now()
		if _, err := runner.Run(context.Background(), src.ID); err != nil {
			b.Fatal(err)
		}
		return crawled, time.Since(start)
	}
	// The first run sees every listing for the first time; it is timed
	// on its own (first/crawl), so the ratios are those of a re-crawl
	// however many iterations the benchmark runs.
	firstCrawl, firstPipe := untimed()
	// The second run is the first re-crawl: the store's resight cache
	// holds only what a re-sighting saved, so it reads every listing
	// from SQLite (second/crawl). The iterations are the re-crawls after
	// it, as a running daemon's scheduled re-crawls are.
	secondCrawl, secondPipe := untimed()
	var rawTime, crawlTime, pipeTime, crawlCPU, pipeCPU time.Duration
	b.ResetTimer()
	for range b.N {
		rawTime += crawltest.RawFetch(b, rawTransport, base, queries)

		start, cpu := time.Now(), processCPU(b)
		st, err := crawler.Run(context.Background(), src, queries, func(domain.Listing) error { return nil })
		crawlTime += time.Since(start)
		crawlCPU += processCPU(b) - cpu
		if err != nil || st.Pages != pagesPerIter || st.Listings != crawltest.CardsPerPage*pagesPerIter {
			b.Fatalf("crawl alone: %+v %v", st, err)
		}

		start, cpu = time.Now(), processCPU(b)
		run, err := runner.Run(context.Background(), src.ID)
		pipeTime += time.Since(start)
		pipeCPU += processCPU(b) - cpu
		if err != nil || run.Status != domain.RunSucceeded || run.Pages != pagesPerIter || run.Listings != crawltest.CardsPerPage*pagesPerIter {
			b.Fatalf("pipeline run: %+v %v", run, err)
		}
	}
	total := float64(b.N * pagesPerIter)
	raw := total / rawTime.Seconds()
	crawled := total / crawlTime.Seconds()
	piped := total / pipeTime.Seconds()
	b.ReportMetric(raw, "raw_pages/s")
	b.ReportMetric(crawled, "crawl_pages/s")
	b.ReportMetric(piped, "pipeline_pages/s")
	b.ReportMetric(piped/raw, "pipeline/raw")
	b.ReportMetric(piped/crawled, "pipeline/crawl")
	b.ReportMetric(firstCrawl.Seconds()/firstPipe.Seconds(), "first/crawl")
	b.ReportMetric(secondCrawl.Seconds()/secondPipe.Seconds(), "second/crawl")
	// CPU per listing and cores busy say whether a stage is CPU-bound
	// (both cores busy) or waits on something.
	listings := float64(b.N * pagesPerIter * crawltest.CardsPerPage)
	b.ReportMetric(float64(crawlCPU.Microseconds())/listings, "crawl_cpu_µs/listing")
	b.ReportMetric(float64(pipeCPU.Microseconds())/listings, "pipeline_cpu_µs/listing")
	b.ReportMetric(crawlCPU.Seconds()/crawlTime.Seconds(), "crawl_cores")
	b.ReportMetric(pipeCPU.Seconds()/pipeTime.Seconds(), "pipeline_cores")
	b.ReportMetric(0, "ns/op")
}

func testConfigForBench(b *testing.B) config.Config {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(b.TempDir(), "data")
	return cfg
}
