package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// demoHealthy is a healthy run of the demo source: 3 queries × 3 pages of
// 10, 10 and 4 listings, images on all, one fallback title selector that
// never matches.
func demoHealthy() *domain.RunHealth {
	return &domain.RunHealth{Pages: 9, Listings: 72, ListingsPerPage: 8,
		Unmatched: []string{"title: a.title@data-full"}}
}

func runsOf(hs ...*domain.RunHealth) []domain.CrawlRun {
	out := make([]domain.CrawlRun, len(hs))
	for i, h := range hs {
		out[i] = domain.CrawlRun{ID: int64(i + 1), SourceID: "demo", Status: domain.RunSucceeded, Health: h}
	}
	return out
}

func TestJudgeHealth(t *testing.T) {
	jdRecent := runsOf(
		&domain.RunHealth{Pages: 30, Listings: 900, ListingsPerPage: 30, EmptyFields: map[string]int{"location": 12, "image": 3}},
		&domain.RunHealth{Pages: 30, Listings: 870, ListingsPerPage: 29, EmptyFields: map[string]int{"location": 20}},
		&domain.RunHealth{Pages: 28, Listings: 840, ListingsPerPage: 30, EmptyFields: map[string]int{"location": 9}},
	)
	for _, tc := range []struct {
		name   string
		h      *domain.RunHealth
		recent []domain.CrawlRun
		want   []string // substrings, one per reason, in order; nil: healthy
	}{
		{name: "healthy like before", h: demoHealthy(), recent: runsOf(demoHealthy(), demoHealthy())},
		{name: "first run, healthy", h: demoHealthy()},
		{name: "no page read", h: &domain.RunHealth{}},
		{
			name: "markup changed: every page read by auto-detection, first run",
			h: &domain.RunHealth{Pages: 9, PagesAuto: 9, Listings: 72, ListingsPerPage: 8,
				Unmatched: []string{"item: ul.result-list li.result-item"}, AutoItems: []string{"div.goods-card"}},
			want: []string{`item selector "ul.result-list li.result-item" matched nothing: 9 of 9 pages read by auto-detection (listings found as div.goods-card)`},
		},
		{
			name: "markup changed on some pages only, against history",
			h: &domain.RunHealth{Pages: 9, PagesAuto: 3, Listings: 72, ListingsPerPage: 8,
				Unmatched: []string{"title: a.title@data-full"}},
			recent: runsOf(demoHealthy()),
			want:   []string{`3 of 9 pages read by auto-detection: the item selectors found no listing`},
		},
		{
			name: "pages fetched, no listings",
			h: &domain.RunHealth{Pages: 3, PagesEmpty: 3, ListingsPerPage: 0,
				Unmatched: []string{"item: ul.result-list li.result-item", "title: a.title@data-full"}},
			recent: runsOf(demoHealthy(), demoHealthy(), demoHealthy()),
			want: []string{"listings per page fell to 0.0 from a recent median of 8.0 (3 of 3 pages fetched gave no listings)",
				`also stopped matching: "ul.result-list li.result-item"`},
		},
		{
			name:   "pages fetched, no listings, no history: not judged by drop",
			h:      &domain.RunHealth{Pages: 3, PagesEmpty: 3, Unmatched: []string{"item: ul.result-list li.result-item"}},
			recent: nil,
		},
		{
			name:   "a quieter day: 20 per page against a median of 30 is no drop",
			h:      &domain.RunHealth{Pages: 30, Listings: 600, ListingsPerPage: 20, EmptyFields: map[string]int{"location": 30}},
			recent: jdRecent,
		},
		{
			name:   "fewer listings: 12 per page against a median of 30",
			h:      &domain.RunHealth{Pages: 30, Listings: 360, ListingsPerPage: 12},
			recent: jdRecent,
			want:   []string{"listings per page fell to 12.0 from a recent median of 30.0"},
		},
		{
			name: "seller suddenly empty",
			h: &domain.RunHealth{Pages: 30, Listings: 900, ListingsPerPage: 30,
				EmptyFields: map[string]int{"seller": 897, "location": 10}, Unmatched: []string{"seller: .p-shop a", "seller: .p-shopnum a"}},
			recent: jdRecent,
			want:   []string{`field seller empty in 897 of 900 listings (filled in 100% of recent runs' listings): selector ".p-shop a", ".p-shopnum a" stopped matching`},
		},
		{
			name: "location was often missing: its going empty is not news",
			h: &domain.RunHealth{Pages: 10, Listings: 100, ListingsPerPage: 10,
				EmptyFields: map[string]int{"location": 100}},
			recent: runsOf(&domain.RunHealth{Pages: 10, Listings: 100, ListingsPerPage: 10, EmptyFields: map[string]int{"location": 40}}),
		},
		{
			name: "old fallback selectors that never matched are not named",
			h: &domain.RunHealth{Pages: 9, PagesAuto: 9, Listings: 72, ListingsPerPage: 8,
				Unmatched: []string{"item: ul.result-list li.result-item", "title: a.title@data-full", "seller: a.shop-name"}},
			recent: runsOf(demoHealthy()),
			want: []string{`item selector "ul.result-list li.result-item" matched nothing: 9 of 9 pages`,
				`also stopped matching: "a.shop-name"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judgeHealth(tc.h, tc.recent)
			if len(got) != len(tc.want) {
				t.Fatalf("judgeHealth = %q, want %d reasons like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("reason %d = %q, want it to hold %q", i, got[i], w)
				}
			}
		})
	}
}

type healthCrawler struct {
	fakeCrawler
	health *domain.RunHealth
}

func (c healthCrawler) Crawl(ctx context.Context, id string, emit func(domain.Listing) error) (CrawlResult, error) {
	res, err := c.fakeCrawler.Crawl(ctx, id, emit)
	res.Health = c.health
	return res, err
}

type fakeHistory []domain.CrawlRun

func (h fakeHistory) RecentHealthyRuns(_ context.Context, _ string, n int) ([]domain.CrawlRun, error) {
	return h[:min(n, len(h))], nil
}

// TestRunMarksDegraded runs a healthy crawl then one whose pages were read
// by auto-detection: the second is recorded degraded with its reasons, its
// listings are still stored and its alerts raised, and the metrics say so.
func TestRunMarksDegraded(t *testing.T) {
	st := &memStore{alerts: map[string]bool{}}
	al := &alertRecorder{}
	reg := prometheus.NewRegistry()
	r := &Runner{Matcher: keywordMatcher{}, Store: st, Alerts: al, Metrics: NewMetrics(reg), Log: zap.NewNop(),
		Now: time.Now, History: fakeHistory(runsOf(demoHealthy()))}

	r.Crawler = healthCrawler{fakeCrawler{listings: listings}, demoHealthy()}
	run, err := r.Run(context.Background(), "demo")
	if err != nil || run.Degraded || run.Health == nil || len(run.Health.Reasons) != 0 {
		t.Fatalf("healthy run = %+v, %v", run, err)
	}
	if got := gathered(t, reg, "markwatch_source_degraded"); got != 0 {
		t.Errorf("markwatch_source_degraded after a healthy run = %v", got)
	}

	st.alerts = map[string]bool{} // the same listings raise their alert again
	r.Crawler = healthCrawler{fakeCrawler{listings: listings}, &domain.RunHealth{Pages: 2, PagesAuto: 2, Listings: 3,
		ListingsPerPage: 1.5, Unmatched: []string{"item: ul.result-list li.result-item"}}}
	run, err = r.Run(context.Background(), "demo")
	if err != nil || run.Status != domain.RunSucceeded || !run.Degraded {
		t.Fatalf("run after the markup changed = %+v, %v; want succeeded and degraded", run, err)
	}
	if len(run.Health.Reasons) == 0 || !strings.Contains(strings.Join(run.Health.Reasons, "; "), "ul.result-list li.result-item") {
		t.Errorf("reasons = %q, want the item selector named", run.Health.Reasons)
	}
	if last := st.finished[len(st.finished)-1]; !last.Degraded || last.Health == nil {
		t.Errorf("recorded run = %+v, want degraded with health", last)
	}
	if run.Listings != 3 || run.Alerts != 1 || len(al.got) != 2 {
		t.Errorf("degraded run stored %d listings, %d alerts (raised %d in all); want 3, 1, 2", run.Listings, run.Alerts, len(al.got))
	}
	if got := gathered(t, reg, "markwatch_crawl_runs_degraded_total"); got != 1 {
		t.Errorf("markwatch_crawl_runs_degraded_total = %v, want 1", got)
	}
	if got := gathered(t, reg, "markwatch_source_degraded"); got != 1 {
		t.Errorf("markwatch_source_degraded = %v, want 1", got)
	}

	// A failed run is not judged: it failed, and says so.
	r.Crawler = healthCrawler{fakeCrawler{listings: listings, err: context.DeadlineExceeded}, &domain.RunHealth{Pages: 1, PagesAuto: 1}}
	if run, _ := r.Run(context.Background(), "demo"); run.Degraded {
		t.Errorf("failed run marked degraded: %+v", run)
	}
}

// gathered reads the demo source's value of one metric from reg.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" && l.GetValue() == "demo" {
					if g := m.GetGauge(); g != nil {
						return g.GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{source=\"demo\"} gathered", name)
	return 0
}
