package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pipeline"
)

// stuckCrawler emits its listings and then hangs until the run is
// cancelled: a marketplace that stops answering mid-crawl.
type stuckCrawler struct{ listings []domain.Listing }

func (c stuckCrawler) Crawl(ctx context.Context, _ string, emit func(domain.Listing) error) (pipeline.CrawlResult, error) {
	for _, l := range c.listings {
		if err := emit(l); err != nil {
			return pipeline.CrawlResult{}, err
		}
	}
	<-ctx.Done()
	return pipeline.CrawlResult{Pages: 2, EndReason: "cancelled"}, ctx.Err()
}

// kickSignal is the index kicker: told after each stored batch with hits.
type kickSignal chan struct{}

func (k kickSignal) Kick() {
	select {
	case k <- struct{}{}:
	default: // one pending kick already says "look again"
	}
}

func resultsPage(u string, titles ...string) []domain.Listing {
	f := &domain.Fetch{RequestURL: u, FinalURL: u, Status: 200, Body: []byte("<html>" + u + "</html>"),
		Headers: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}}, FetchedAt: time.Now()}
	out := make([]domain.Listing, len(titles))
	for i, t := range titles {
		out[i] = domain.Listing{Platform: "demo", Title: t, URL: u + "&item=" + t, Query: "六个核桃", Fetch: f}
	}
	return out
}

// A run killed mid-way keeps what it did: while the crawl hangs, its row
// in SQLite already shows the pages, listings, hits and alerts stored so
// far; the process then dies without FinishRun, and the next start's
// InterruptRunningRuns marks it interrupted with those counts kept (issue
// 11 fault 7; before, it recorded 0 pages and 0 listings).
func TestKilledRunKeepsProgress(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	db, err := openStore(ctx, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	kit, err := openEvidence(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, matcher, err := buildMatcher("", 0)
	if err != nil {
		t.Fatal(err)
	}
	// The last listing is a hit, so the last batch carries every count.
	listings := append(resultsPage("http://127.0.0.1:1/s?q=六个核桃&page=1",
		"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发", // liugehetao, alert
		"华为 Mate 60 手机壳 硅胶 防摔",
		"小米 充电宝 20000毫安 快充"),
		resultsPage("http://127.0.0.1:1/s?q=六个核桃&page=2",
			"新疆薄皮核桃 2斤装 纸皮核桃 生核桃",
			"六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料", // liugehetao, no alert
			"衡水老白乾 52度 500ml 高仿")...,       // hengshui-laobaigan, alert
	)
	want := [4]int{2, 6, 3, 2} // pages, listings, hits, alerts
	counts := func(r domain.CrawlRun) [4]int { return [4]int{r.Pages, r.Listings, r.Hits, r.Alerts} }

	kicks := make(kickSignal, 1)
	r := newRunner(runnerParts{
		crawler: stuckCrawler{listings: listings}, matcher: matcher, db: db, blobs: kit.blobs,
		index: kicks, log: zaptest.NewLogger(t), now: time.Now,
	})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(runCtx, "demo-progress")
		done <- err
	}()

	var got domain.CrawlRun
	for counts(got) != want {
		select {
		case <-kicks:
		case <-time.After(15 * time.Second):
			t.Fatalf("while the crawl hangs, its run reads %+v; want pages/listings/hits/alerts %v", got, want)
		}
		runs, err := db.ListRuns(ctx, "demo-progress", 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("ListRuns = %+v, %v", runs, err)
		}
		got = runs[0]
	}
	if got.Status != domain.RunRunning {
		t.Fatalf("run %+v, want it still running", got)
	}

	// The kill: the store goes away with the process, FinishRun never
	// reaches it (the run below fails to record its end on a closed store).
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the cancelled run did not return")
	}

	db, err = openStore(ctx, cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.InterruptRunningRuns(ctx, "markwatch stopped while the run was going"); err != nil || n != 1 {
		t.Fatalf("InterruptRunningRuns = %d, %v; want the killed run", n, err)
	}
	runs, err := db.ListRuns(ctx, "demo-progress", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns = %+v, %v", runs, err)
	}
	if r := runs[0]; r.Status != domain.RunInterrupted || counts(r) != want || r.FinishedAt == nil {
		t.Fatalf("after the restart: %+v; want interrupted with pages/listings/hits/alerts %v", r, want)
	}
}
