package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// sourcesWithRuns is a source list that also lists runs, like the store.
type sourcesWithRuns struct {
	fakeSources
	runs map[string][]domain.CrawlRun // newest first
}

func (s sourcesWithRuns) ListRuns(_ context.Context, id string, limit int) ([]domain.CrawlRun, error) {
	rs := s.runs[id]
	return rs[:min(limit, len(rs))], nil
}

// TestSourcesPageDegradedBanner: a source whose latest succeeded run was
// degraded gets the 选择器失效 banner naming the selectors that stopped
// matching; one whose latest succeeded run is healthy again does not.
func TestSourcesPageDegradedBanner(t *testing.T) {
	degraded := domain.CrawlRun{ID: 12, SourceID: "demo", Status: domain.RunSucceeded, Degraded: true,
		Health: &domain.RunHealth{Pages: 9, PagesAuto: 9, Unmatched: []string{"item: ul.result-list li.result-item"},
			Reasons: []string{`item selector "ul.result-list li.result-item" matched nothing: 9 of 9 pages read by auto-detection`}}}
	h := newHarness(t, func(d *Deps) {
		d.Sources = sourcesWithRuns{
			fakeSources: fakeSources{{ID: "demo", Schedule: "@every 10m"}, {ID: "jd", Schedule: "@every 1h"}},
			runs: map[string][]domain.CrawlRun{
				"demo": {{ID: 13, SourceID: "demo", Status: domain.RunFailed}, degraded},
				"jd":   {{ID: 5, SourceID: "jd", Status: domain.RunSucceeded}, {ID: 4, SourceID: "jd", Status: domain.RunSucceeded, Degraded: true}},
			},
		}
	})
	resp, body := h.get(t, "/sources")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"选择器失效", "run 12", "ul.result-list li.result-item", "9 of 9 pages read by auto-detection"} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
	if n := strings.Count(body, `class="banner degraded"`); n != 1 {
		t.Errorf("%d degraded banners, want 1 (demo only; jd is healthy again)", n)
	}
}

// lifecycleSources has the lifecycle's status view beside stored rows that
// lag it, as the daemon's store would: a source since removed from the
// configuration, a schedule changed since.
type lifecycleSources struct {
	fakeSources
	view []SourceStatus
}

func (s lifecycleSources) SourceStatuses(context.Context) ([]SourceStatus, error) { return s.view, nil }

// TestSourcesPageShowsTheLifecycleView: the page shows what the API answers
// (the lifecycle's view), not the stored rows: running, backing off and
// paused sources say so, and a source no longer configured is not listed.
func TestSourcesPageShowsTheLifecycleView(t *testing.T) {
	until := time.Date(2026, 11, 25, 16, 15, 0, 0, time.UTC) // 2026-11-26 00:15 in Beijing
	h := newHarness(t, func(d *Deps) {
		d.Sources = lifecycleSources{
			fakeSources: fakeSources{{ID: "pinduoduo", Schedule: "@hourly"}, {ID: "jd", Schedule: "@every 1h"}},
			view: []SourceStatus{
				{SourceState: domain.SourceState{ID: "demo", Schedule: "@every 10m"}, Running: true},
				{SourceState: domain.SourceState{ID: "jd", Schedule: "*/30 * * * *"}},
				{SourceState: domain.SourceState{ID: "taobao", Schedule: "@every 2h", ConsecutiveErrors: 3}, BackoffUntil: &until},
				{SourceState: domain.SourceState{ID: "tmall", Schedule: "@daily", Paused: true}},
			},
		}
	})
	resp, body := h.get(t, "/sources")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"抓取中 Crawling now", "*/30 * * * *", "失败退避 Backing off until 2026-11-26 00:15:00 &#43;08:00", "已暂停 Paused", "运行中 Active"} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
	for _, stale := range []string{"pinduoduo", "@every 1h"} {
		if strings.Contains(body, stale) {
			t.Errorf("sources page shows the stored row's %q, not the lifecycle's view", stale)
		}
	}
}
