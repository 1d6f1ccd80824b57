package app

import (
	"context"
	"fmt"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/sources"
	"github.com/markwatch/markwatch/internal/store"
	"github.com/markwatch/markwatch/internal/web"
)

// The source lifecycle lives in internal/sources; what is here only hands
// its one status view to the API and the console in their own types, so the
// two read the same thing and cannot disagree.

// apiSources serves /api/v1/sources from the lifecycle.
type apiSources struct{ *sources.Control }

var _ httpapi.SourceControl = apiSources{}

// ListSources lists the configured sources in id order.
func (a apiSources) ListSources(ctx context.Context) ([]httpapi.SourceStatus, error) {
	list, err := a.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]httpapi.SourceStatus, len(list))
	for i, s := range list {
		out[i] = apiStatus(s)
	}
	return out, nil
}

// GetSource returns one configured source.
func (a apiSources) GetSource(ctx context.Context, id string) (httpapi.SourceStatus, error) {
	s, err := a.Get(ctx, id)
	if err != nil {
		return httpapi.SourceStatus{}, err
	}
	return apiStatus(s), nil
}

func apiStatus(s sources.Status) httpapi.SourceStatus {
	return httpapi.SourceStatus{SourceState: s.SourceState, Running: s.Running, LastRun: s.LastRun, BackoffUntil: s.BackoffUntil}
}

// consoleSources serves the console's sources page from the lifecycle, and
// the store's run history for its selector-health banner.
type consoleSources struct {
	ctl *sources.Control
	db  *store.DB
}

// SourceStatuses is the page's view, the API's.
func (c consoleSources) SourceStatuses(ctx context.Context) ([]web.SourceStatus, error) {
	list, err := c.ctl.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.SourceStatus, len(list))
	for i, s := range list {
		out[i] = web.SourceStatus{SourceState: s.SourceState, Running: s.Running, BackoffUntil: s.BackoffUntil}
	}
	return out, nil
}

// ListSources is the same view as plain states, for web.SourceLister.
func (c consoleSources) ListSources(ctx context.Context) ([]domain.SourceState, error) {
	list, err := c.ctl.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.SourceState, len(list))
	for i, s := range list {
		out[i] = s.SourceState
	}
	return out, nil
}

// ListRuns is a source's newest runs, for the degraded-selectors banner.
func (c consoleSources) ListRuns(ctx context.Context, sourceID string, limit int) ([]domain.CrawlRun, error) {
	runs, err := c.db.ListRuns(ctx, sourceID, limit)
	if err != nil {
		return nil, fmt.Errorf("listing runs of source %s: %w", sourceID, err)
	}
	return runs, nil
}

// configured is the lifecycle's view of the source definitions.
func configured(srcs []crawl.Source) []sources.Configured {
	out := make([]sources.Configured, len(srcs))
	for i, s := range srcs {
		out[i] = sources.Configured{ID: s.ID, Schedule: s.Schedule, File: s.File}
	}
	return out
}

// entryOf is the scheduler's entry for id.
func entryOf(sched *schedule.Scheduler, id string) (schedule.Entry, bool) {
	for _, e := range sched.Entries() {
		if e.SourceID == id {
			return e, true
		}
	}
	return schedule.Entry{}, false
}
