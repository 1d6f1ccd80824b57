package pipeline

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// blockingCrawler emits its listings, then waits for the run to be
// cancelled, like a crawl killed in the middle of a source.
type blockingCrawler struct {
	listings []domain.Listing
	pages    int
}

func (c blockingCrawler) Crawl(ctx context.Context, _ string, emit func(domain.Listing) error) (CrawlResult, error) {
	for _, l := range c.listings {
		if err := emit(l); err != nil {
			return CrawlResult{Pages: c.pages}, err
		}
	}
	<-ctx.Done()
	return CrawlResult{Pages: c.pages, EndReason: "cancelled"}, ctx.Err()
}

func onPage(u string, titles ...string) []domain.Listing {
	f := &domain.Fetch{RequestURL: u, FinalURL: u, Status: 200}
	out := make([]domain.Listing, len(titles))
	for i, t := range titles {
		out[i] = domain.Listing{Title: t, URL: u + "#" + t, Fetch: f}
	}
	return out
}

func counts(r domain.CrawlRun) [4]int { return [4]int{r.Pages, r.Listings, r.Hits, r.Alerts} }

// A running run's counts reach the store as it goes: with each batch, and
// within a tick for what no batch carries (listings like no mark), so a
// run killed mid-way keeps them (issue 11 fault 7).
func TestRunRecordsProgressAsItGoes(t *testing.T) {
	cases := []struct {
		name string
		// pages of listings; 核桃 is a hit, 高仿 also an alert
		pages [][]domain.Listing
		// after the batches, before a tick: hits and alerts are exact,
		// listings at least this (a skip after the last batch may or may
		// not have been counted when it was stored)
		batchHits, batchAlerts, batchListings int
		// after a tick: pages, listings, hits, alerts
		want [4]int
	}{
		{
			name: "hits then a listing like no mark",
			pages: [][]domain.Listing{
				onPage("http://m.test/s?q=六个核桃&page=1", "高仿六个核桃 核桃乳 240ml*20罐", "华为手机壳"),
				onPage("http://m.test/s?q=六个核桃&page=2", "六个核桃 核桃乳 官方旗舰店", "高仿六个核桃 礼盒 清仓"),
				onPage("http://m.test/s?q=六个核桃&page=3", "旺仔牛奶 245ml*24 罐装"),
			},
			batchHits: 3, batchAlerts: 2, batchListings: 4,
			want: [4]int{3, 5, 3, 2},
		},
		{
			name: "nothing like a mark: only ticks record it",
			pages: [][]domain.Listing{
				onPage("http://m.test/s?q=露露&page=1", "露露 杏仁露 240ml*20", "旺仔牛奶 245ml*24 罐装", "今麦郎 红烧牛肉面 5连包"),
				onPage("http://m.test/s?q=露露&page=2", "金丝小枣 沧州特产 2斤 红枣"),
			},
			want: [4]int{2, 4, 0, 0},
		},
		{
			name: "detail pages interleave: a page counts once",
			pages: [][]domain.Listing{
				onPage("http://m.test/s?q=六个核桃&page=1", "高仿六个核桃 核桃乳", "六个核桃 精品型"),
				onPage("http://m.test/s?q=六个核桃&page=2", "衡水老白干 67度 白酒 500ml"),
				onPage("http://m.test/s?q=六个核桃&page=1", "六个核桃 2430 礼盒装 送礼"),
			},
			batchHits: 3, batchAlerts: 1, batchListings: 3,
			want: [4]int{2, 4, 3, 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var ls []domain.Listing
				for _, p := range tc.pages {
					ls = append(ls, p...)
				}
				st := &memStore{alerts: map[string]bool{}}
				r := newRunner(blockingCrawler{listings: ls, pages: 7}, st, &alertRecorder{})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel() // a failed check still lets the run end
				done := make(chan domain.CrawlRun, 1)
				go func() {
					run, _ := r.Run(ctx, "demo")
					done <- run
				}()

				synctest.Wait() // every listing emitted
				time.Sleep(lingerFor)
				synctest.Wait() // every batch stored, its linger over
				got, writes := st.lastProgress()
				if got.Hits != tc.batchHits || got.Alerts != tc.batchAlerts || got.Listings < tc.batchListings ||
					(writes > 0 && got.ID != 7) {
					t.Fatalf("after the batches: %+v, want run 7 with %d hits, %d alerts, >= %d listings",
						got, tc.batchHits, tc.batchAlerts, tc.batchListings)
				}

				time.Sleep(DefaultProgressEvery)
				synctest.Wait()
				got, writes = st.lastProgress()
				if counts(got) != tc.want {
					t.Fatalf("after a tick: pages/listings/hits/alerts %v, want %v", counts(got), tc.want)
				}
				// Nothing moved: no more writes.
				time.Sleep(10 * DefaultProgressEvery)
				synctest.Wait()
				if _, n := st.lastProgress(); n != writes {
					t.Fatalf("%d progress writes while nothing moved", n-writes)
				}

				cancel()
				run := <-done
				// The end is the crawler's word on pages.
				if run.Status != domain.RunInterrupted || run.Pages != 7 || run.Listings != tc.want[1] ||
					len(st.finished) != 1 || counts(st.finished[0]) != counts(run) {
					t.Fatalf("finished run %+v, recorded %+v", run, st.finished)
				}
			})
		})
	}
}

// failingProgress fails every progress write.
type failingProgress struct{ *memStore }

func (failingProgress) RecordProgress(context.Context, domain.CrawlRun) error {
	return errors.New("database is locked")
}

// A progress write that fails is not the run's failure: the run goes on and
// its end is recorded.
func TestRunProgressFailureDoesNotFailRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &memStore{alerts: map[string]bool{}}
		r := newRunner(blockingCrawler{listings: onPage("http://m.test/s?q=露露", "露露 杏仁露 240ml*20"), pages: 1}, st, &alertRecorder{})
		r.Store = failingProgress{st}
		r.Log = zap.NewNop()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan domain.CrawlRun, 1)
		go func() {
			run, _ := r.Run(ctx, "demo")
			done <- run
		}()
		time.Sleep(3 * DefaultProgressEvery)
		synctest.Wait()
		cancel()
		run := <-done
		if run.Status != domain.RunInterrupted || run.Listings != 1 || len(st.finished) != 1 {
			t.Fatalf("run %+v, finished %+v", run, st.finished)
		}
	})
}
