package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

type fakeCrawler struct {
	listings []domain.Listing
	block    bool // wait for cancellation after emitting, like a shutdown mid-crawl
	err      error
}

func (f fakeCrawler) Crawl(ctx context.Context, _ string, emit func(domain.Listing) error) (CrawlResult, error) {
	for _, l := range f.listings {
		if err := emit(l); err != nil {
			return CrawlResult{Pages: 1}, err
		}
	}
	if f.block {
		<-ctx.Done()
		return CrawlResult{Pages: 1, EndReason: "cancelled"}, ctx.Err()
	}
	return CrawlResult{Pages: 2, Errors: map[string]int{"http_5xx": 1}}, f.err
}

// keywordMatcher flags titles containing 核桃 as a hit on one mark, and alerts
// on those that also say 高仿.
type keywordMatcher struct{}

func (keywordMatcher) Match(l domain.Listing) []domain.Match {
	if !strings.Contains(l.Title, "核桃") {
		return nil
	}
	return []domain.Match{{MarkID: "liugehetao", Score: 0.9, Alert: strings.Contains(l.Title, "高仿")}}
}

type memStore struct {
	mu       sync.Mutex
	alerts   map[string]bool
	finished []domain.CrawlRun
	saveErr  error
	items    []Item // everything saved, in order
	batches  int    // SaveListings calls
	// progress is the run's row as each batch and progress write left it,
	// in order, as a SQL store would have it.
	progress []domain.CrawlRun
}

func (s *memStore) SaveListings(_ context.Context, batch []Item, run domain.CrawlRun) ([]SaveResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return nil, s.saveErr
	}
	s.items = append(s.items, batch...)
	s.batches++
	out := make([]SaveResult, len(batch))
	run.Listings += len(batch)
	for i, it := range batch {
		for _, m := range it.Matches {
			out[i].Hits++
			key := m.MarkID + "|" + it.Listing.URL
			if m.Alert && !s.alerts[key] {
				s.alerts[key] = true
				out[i].NewAlerts = append(out[i].NewAlerts, domain.Alert{MarkID: m.MarkID, URL: it.Listing.URL})
			}
		}
		run.Hits += out[i].Hits
		run.Alerts += len(out[i].NewAlerts)
	}
	s.progress = append(s.progress, run)
	return out, nil
}

func (s *memStore) RecordProgress(_ context.Context, run domain.CrawlRun) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.progress = append(s.progress, run)
	return nil
}

// lastProgress is the run's row as the last write left it.
func (s *memStore) lastProgress() (domain.CrawlRun, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.progress) == 0 {
		return domain.CrawlRun{}, 0
	}
	return s.progress[len(s.progress)-1], len(s.progress)
}

func (s *memStore) StartRun(_ context.Context, id string) (domain.CrawlRun, error) {
	return domain.CrawlRun{ID: 7, SourceID: id, Status: domain.RunRunning}, nil
}

func (s *memStore) FinishRun(ctx context.Context, r domain.CrawlRun) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = append(s.finished, r)
	return nil
}

type alertRecorder struct {
	mu  sync.Mutex
	got []domain.Alert
}

func (a *alertRecorder) Raise(_ context.Context, as []domain.Alert) {
	a.mu.Lock()
	a.got = append(a.got, as...)
	a.mu.Unlock()
}

func newRunner(c Crawler, st *memStore, al *alertRecorder) *Runner {
	return &Runner{
		Crawler: c, Matcher: keywordMatcher{}, Store: st, Alerts: al,
		Metrics: NewMetrics(prometheus.NewRegistry()), Log: zap.NewNop(), Now: time.Now,
	}
}

var listings = []domain.Listing{
	{Title: "高仿六个核桃 核桃乳 240ml*20罐", URL: "http://m.test/item/1"},
	{Title: "六个核桃 核桃乳 官方旗舰店", URL: "http://m.test/item/2"},
	{Title: "华为手机壳", URL: "http://m.test/item/3"},
}

func TestRunRecordsCountsAndRaisesNewAlertsOnce(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}}
	al := &alertRecorder{}
	r := newRunner(fakeCrawler{listings: listings}, st, al)
	for i := 0; i < 2; i++ { // the second run sees the same listings again
		run, err := r.Run(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != domain.RunSucceeded || run.Listings != 3 || run.Hits != 2 || run.Pages != 2 {
			t.Fatalf("run %d: %+v", i, run)
		}
		if run.Errors["http_5xx"] != 1 {
			t.Fatalf("errors by kind not carried: %v", run.Errors)
		}
	}
	if len(al.got) != 1 || al.got[0].URL != "http://m.test/item/1" {
		t.Fatalf("alerts raised: %+v, want exactly one for item/1", al.got)
	}
	if len(st.finished) != 2 {
		t.Fatalf("finished runs recorded: %d", len(st.finished))
	}
}

func TestRunCutShortIsRecordedAsInterrupted(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}}
	r := newRunner(fakeCrawler{listings: listings[:1], block: true}, st, &alertRecorder{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan domain.CrawlRun)
	go func() {
		run, _ := r.Run(ctx, "demo")
		done <- run
	}()
	cancel()
	run := <-done
	if run.Status != domain.RunInterrupted || run.FinishedAt == nil {
		t.Fatalf("run after shutdown: %+v", run)
	}
	if len(st.finished) != 1 || st.finished[0].Status != domain.RunInterrupted {
		t.Fatalf("interrupted run not recorded even though ctx was cancelled: %+v", st.finished)
	}
}

func TestRunFailsWhenStoreFails(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}, saveErr: errors.New("disk full")}
	r := newRunner(fakeCrawler{listings: listings}, st, &alertRecorder{})
	run, err := r.Run(context.Background(), "demo")
	if err == nil || !strings.Contains(err.Error(), "disk full") || run.Status != domain.RunFailed {
		t.Fatalf("got run %+v err %v, want failed with the store's error", run, err)
	}
	if !strings.Contains(run.EndReason, "disk full") {
		t.Fatalf("end reason does not say why: %q", run.EndReason)
	}
}
