package pipeline

import (
	"context"
	"maps"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// progressMark is the part of a run's progress the writer compares to skip
// writes that would change nothing. Error counts only grow, so their sum
// tells whether they moved.
type progressMark struct{ pages, listings, hits, alerts, errors int }

func markOf(run domain.CrawlRun) progressMark {
	m := progressMark{pages: run.Pages, listings: run.Listings, hits: run.Hits, alerts: run.Alerts}
	for _, n := range run.Errors {
		m.errors += n
	}
	return m
}

func (r *Runner) progressEvery() time.Duration {
	if r.ProgressEvery > 0 {
		return r.ProgressEvery
	}
	return DefaultProgressEvery
}

// sawPage counts the page f once, by URL: its listings arrive one by one,
// interleaved with other pages' when images or detail pages are fetched.
// Keyed by URL rather than by f, so the set does not keep page bodies
// alive. The caller holds w.mu.
func (w *writer) sawPage(f *domain.Fetch) {
	u := f.FinalURL
	if u == "" {
		u = f.RequestURL
	}
	if _, ok := w.pages[u]; ok {
		return
	}
	w.pages[u] = struct{}{}
	w.run.Pages++
}

// progress is the run's counts so far: pages listings came from, listings
// counted or stored, their hits and new alerts, and the writer's own errors
// (the crawler reports its errors only at the end). Writer goroutine only,
// since it reads errs.
func (w *writer) progress() domain.CrawlRun {
	w.mu.Lock()
	p := domain.CrawlRun{ID: w.run.ID, SourceID: w.sourceID, Pages: w.run.Pages,
		Listings: w.run.Listings, Hits: w.run.Hits, Alerts: w.run.Alerts}
	w.mu.Unlock()
	if len(w.errs) > 0 {
		p.Errors = maps.Clone(w.errs)
	}
	return p
}

// recordProgress writes the counts no batch carried: listings like no mark
// are counted without being stored, so a run that finds little would
// otherwise show nothing until it ends. Nothing is written while nothing
// moved. A failure is logged once until a write succeeds and never fails
// the run: the run's end is recorded whatever happens.
func (w *writer) recordProgress() {
	p := w.progress()
	m := markOf(p)
	if m == w.written {
		return
	}
	if err := w.r.Store.RecordProgress(context.Background(), p); err != nil {
		if !w.progressFailing {
			w.log.Warn("recording crawl run progress failed; its end is still recorded", zap.Error(err))
		}
		w.progressFailing = true
		return
	}
	w.written, w.progressFailing = m, false
}
