package app

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/match"
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
// Every iteration after the first re-sights the same 8,000 listings
// unchanged, as a scheduled re-crawl mostly does. (They are 10 titles at 40
// prices by one shop, 400 listings as the matcher reads them, so the
// matcher's memo answers most of the first iteration too.)
func BenchmarkPipelineVsRawColly(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchPipeline(b, 0) })
	b.Run("latency_20ms", func(b *testing.B) { benchPipeline(b, 20*time.Millisecond) })
}

func benchPipeline(b *testing.B, latency time.Duration) {
	const pagesPerIter = crawltest.PagesPerRun
	srv, queries := crawltest.Server(b, benchTitles, latency)
	src, err := crawl.ParseSource("bench.yaml", []byte(crawltest.SourceYAML(srv.URL)))
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

	var rawTime, crawlTime, pipeTime time.Duration
	b.ResetTimer()
	for range b.N {
		rawTime += crawltest.RawFetch(b, rawTransport, srv.URL, queries)

		start := time.Now()
		st, err := crawler.Run(context.Background(), src, queries, func(domain.Listing) error { return nil })
		crawlTime += time.Since(start)
		if err != nil || st.Pages != pagesPerIter || st.Listings != crawltest.CardsPerPage*pagesPerIter {
			b.Fatalf("crawl alone: %+v %v", st, err)
		}

		start = time.Now()
		run, err := runner.Run(context.Background(), src.ID)
		pipeTime += time.Since(start)
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
	b.ReportMetric(0, "ns/op")
}

func testConfigForBench(b *testing.B) config.Config {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(b.TempDir(), "data")
	return cfg
}

// TestMemoizedFollowsMatcherSwap holds the wiring the daemon and the
// benchmark above share (memoized, in runner.go): a memo answers for the
// matcher the daemon holds now, so after a registry rebuild (an accepted
// seller) no verdict of the old one is served. It lives here, beside the
// benchmark that uses the wiring.
func TestMemoizedFollowsMatcherSwap(t *testing.T) {
	marks, before, err := buildMatcher("", 0)
	if err != nil {
		t.Fatal(err)
	}
	l := domain.Listing{Title: "六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料", Seller: "鑫源副食批发部", Location: "河南 周口", Price: 39.9}
	after, err := match.New(withAcceptedSellers(marks, map[string][]string{"liugehetao": {l.Seller}}), match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantBefore, wantAfter := before.Match(l), after.Match(l)
	if reflect.DeepEqual(wantBefore, wantAfter) {
		t.Fatalf("accepting %s does not change %q's verdict (%+v); the test needs one that does", l.Seller, l.Title, wantBefore)
	}

	var swap swapMatcher
	swap.p.Store(before)
	m := memoized(&swap)
	for range 2 { // matched, then remembered
		if got := m.Match(l); !reflect.DeepEqual(got, wantBefore) {
			t.Fatalf("before the rebuild: %+v, want %+v", got, wantBefore)
		}
	}
	swap.p.Store(after)
	for range 2 {
		if got := m.Match(l); !reflect.DeepEqual(got, wantAfter) {
			t.Fatalf("after the rebuild: %+v, want the new matcher's %+v", got, wantAfter)
		}
	}

	// swapping while crawl goroutines match: every answer is one of the
	// two matchers', and once the swapping stops, the last one's
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := m.Match(l); !reflect.DeepEqual(got, wantBefore) && !reflect.DeepEqual(got, wantAfter) {
					errs <- fmt.Sprintf("while swapping: %+v is neither matcher's", got)
					return
				}
			}
		})
	}
	for i := range 200 {
		if i%2 == 0 {
			swap.p.Store(before)
		} else {
			swap.p.Store(after)
		}
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := m.Match(l); !reflect.DeepEqual(got, wantAfter) {
		t.Fatalf("after the swapping: %+v, want the last matcher's %+v", got, wantAfter)
	}

	if _, ok := memoized(before).(*match.Memo); !ok {
		t.Errorf("a plain matcher (the crawl command's) is not memoised")
	}
}
