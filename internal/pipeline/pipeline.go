// Package pipeline runs one crawl of one source through the flow
// crawl → extract → match → store, and hands new alerts on. It records the
// run (pages, listings, hits, errors by kind, why it ended) whatever happens,
// so an operator can always read what a run did.
package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// CrawlResult is what the crawler reports about a finished crawl.
type CrawlResult struct {
	Pages     int
	Errors    map[string]int
	EndReason string
	// Health is what extraction reported over the crawl's pages; nil when
	// the crawler does not say, or read no page.
	Health *domain.RunHealth
	// Images counts listing images by result: fetched, cached, or the
	// failure's kind (too_large, content_type, timeout, …); nil when the
	// source fetches none. Image failures never fail a run.
	Images map[string]int
}

// Crawler fetches a source's pages and emits each extracted listing.
type Crawler interface {
	Crawl(ctx context.Context, sourceID string, emit func(domain.Listing) error) (CrawlResult, error)
}

// Matcher judges a listing against the registry.
type Matcher interface {
	Match(l domain.Listing) []domain.Match
}

// Store is the system of record for listings, hits, alerts and runs.
//
// A running run's counts are written as it goes, so a run killed mid-way
// (SIGKILL, power loss) keeps what it did up to its last batch instead of
// recording 0 pages and 0 listings.
type Store interface {
	// SaveListings stores a batch in one transaction; results in input
	// order. In the same transaction it records the progress of run (by
	// ID): run's Pages and Errors, and its Listings, Hits and Alerts apart
	// from this batch plus the batch's own.
	SaveListings(ctx context.Context, batch []Item, run domain.CrawlRun) ([]SaveResult, error)
	// RecordProgress records a running run's Pages, Listings, Hits, Alerts
	// and Errors so far; a run that has ended is left as it is.
	RecordProgress(ctx context.Context, run domain.CrawlRun) error
	StartRun(ctx context.Context, sourceID string) (domain.CrawlRun, error)
	FinishRun(ctx context.Context, run domain.CrawlRun) error
}

// Item is a listing with the matcher's verdicts, on its way to the store.
type Item struct {
	Listing domain.Listing
	Matches []domain.Match
	// Evidence is set for a listing with an alerting match whose page was
	// kept (see Evidence); nil otherwise, and whenever keeping it failed.
	Evidence *ItemEvidence
}

// ItemEvidence is what the store needs to record a capture of a listing:
// the page's fetch (Body cleared: the bytes are in the artefacts), the
// artefacts already stored (search page, detail page) and whether the
// source wants a screenshot job.
type ItemEvidence struct {
	Fetch      domain.Fetch
	Artefacts  []domain.ArtefactRef
	Screenshot bool
}

// Evidence keeps the raw pages listings were read from, durably, before
// the store's transaction refers to them.
//
// Keep stores the body of l.Fetch (role search_page) and of l.DetailFetch
// (role detail_page), whichever are set, and returns their refs. The writer
// calls it with one of the two set at a time, once per distinct Fetch and
// once per distinct DetailFetch of a batch, so a page read by many alerting
// listings is stored once. Calls for different pages may run concurrently.
type Evidence interface {
	Keep(ctx context.Context, l domain.Listing) ([]domain.ArtefactRef, error)
}

// ScreenshotPolicy may be implemented by the Crawler: Screenshot reports
// whether a source asks for screenshots of its alerts (crawl.Source's
// evidence.screenshot). A Crawler without it gets none.
type ScreenshotPolicy interface {
	Screenshot(sourceID string) bool
}

// ErrorKindEvidence counts failures to keep a page as evidence in a run's
// errors by kind.
const ErrorKindEvidence = "evidence"

// SaveResult is what the store reports about one saved listing.
type SaveResult struct {
	Hits int
	// HitIDs are the stored hits' ids, when the store says: a run counts
	// each hit once, however many of its searches found the listing (the
	// store keeps one hit per listing and mark). Without them Hits counts.
	HitIDs    []int64
	NewAlerts []domain.Alert
}

// AlertSink receives alerts that did not exist before this listing was saved.
type AlertSink interface {
	Raise(ctx context.Context, alerts []domain.Alert)
}

// Kicker is told that the index outbox has new rows.
type Kicker interface{ Kick() }

// Runner wires one run's stages together.
type Runner struct {
	Crawler Crawler
	Matcher Matcher
	Store   Store
	Alerts  AlertSink
	Index   Kicker
	Metrics *Metrics
	Log     *zap.Logger
	Now     func() time.Time
	// Evidence keeps the pages of alerting listings; nil keeps none.
	Evidence Evidence
	// History is the source's recent healthy runs, for telling a degraded
	// run (judgeHealth); nil means the Store, when it is a RunHistory, and
	// otherwise nothing to compare with, so only pages read by
	// auto-detection mark a run degraded.
	History RunHistory
	// Sellers is read once at run start for the seller-network signal
	// (Listing.SellerHistory); nil means no seller signal.
	Sellers SellerRisks
	// ProgressEvery is how often at most the writer records counts that
	// no batch carried (listings like no mark, pages); 0 means
	// DefaultProgressEvery. Every batch records them in its transaction.
	ProgressEvery time.Duration
}

// DefaultProgressEvery keeps a killed run's counts at most a second behind
// for one small write a second, and only while the counts move.
const DefaultProgressEvery = time.Second

// finishTimeout bounds recording a run after its context was cancelled.
const finishTimeout = 5 * time.Second

// Run crawls one source once. It returns the recorded run; the error is the
// reason the run failed, already recorded and logged.
func (r *Runner) Run(ctx context.Context, sourceID string) (domain.CrawlRun, error) {
	log := r.Log.With(zap.String("source_id", sourceID))
	run, err := r.Store.StartRun(ctx, sourceID)
	if err != nil {
		return run, fmt.Errorf("recording start of run for %s: %w", sourceID, err)
	}
	log = log.With(zap.Int64("run_id", run.ID))
	log.Info("crawl run started")
	start := r.Now()
	risks := r.snapshotSellers(ctx, log)

	// Fetch goroutines match what they extract and queue it; one writer
	// stores the queue in batches, since a commit per listing would make
	// SQLite, not the marketplace, the limit of a crawl.
	var mu sync.Mutex // guards run's counters, updated by the writer
	w := newWriter(r, sourceID, &run, &mu, log)
	emit := func(l domain.Listing) error {
		l.SourceID = sourceID
		if l.SeenAt.IsZero() {
			l.SeenAt = r.Now()
		}
		risks.history(&l)
		ms := r.Matcher.Match(l)
		if len(ms) == 0 {
			// Nothing like a protected name: counted, not stored. Most of
			// what a search returns is genuine or unrelated goods, and
			// keeping it would make the store the limit of a crawl.
			w.skip(l)
			return nil
		}
		return w.add(ctx, Item{Listing: l, Matches: ms})
	}

	cr, crawlErr := r.Crawler.Crawl(ctx, sourceID, emit)
	if err := w.close(); err != nil && crawlErr == nil {
		crawlErr = err
	}

	mu.Lock()
	run.Pages = cr.Pages
	run.Errors = mergeErrors(cr.Errors, w.errs)
	run.EndReason = cr.EndReason
	run.Health = cr.Health
	switch {
	case ctx.Err() != nil:
		run.Status = domain.RunInterrupted
		run.EndReason = "interrupted by shutdown"
	case crawlErr != nil:
		run.Status = domain.RunFailed
		run.EndReason = crawlErr.Error()
	default:
		run.Status = domain.RunSucceeded
		if run.EndReason == "" {
			run.EndReason = "completed"
		}
	}
	finished := r.Now()
	run.FinishedAt = &finished
	final := run
	mu.Unlock()

	// The run's own context may be cancelled (shutdown); still record it.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	judged := r.judge(fctx, &final, log)
	if err := r.Store.FinishRun(fctx, final); err != nil {
		log.Error("recording end of crawl run failed", zap.Error(err))
	}
	r.Metrics.run(final, finished.Sub(start))
	r.Metrics.images(sourceID, cr.Images)
	if judged {
		r.Metrics.health(final)
	}
	log.Info("crawl run ended",
		zap.String("status", string(final.Status)),
		zap.String("end_reason", final.EndReason),
		zap.Int("pages", final.Pages),
		zap.Int("listings", final.Listings),
		zap.Int("hits", final.Hits),
		zap.Int("new_alerts", final.Alerts),
		zap.Any("errors", final.Errors),
		zap.Bool("degraded", final.Degraded),
		zap.Duration("duration", finished.Sub(start)),
	)
	if final.Status == domain.RunFailed {
		return final, fmt.Errorf("crawling %s: %w", sourceID, crawlErr)
	}
	return final, nil
}

// judge holds a succeeded run's selector health against the source's recent
// healthy runs and marks it degraded when it falls short, telling operators
// which selectors stopped matching. It reports whether the run was judged:
// failed and interrupted runs, and runs that read no page, are not.
func (r *Runner) judge(ctx context.Context, run *domain.CrawlRun, log *zap.Logger) bool {
	h := run.Health
	if run.Status != domain.RunSucceeded || h == nil || h.Pages == 0 {
		return false
	}
	hist := r.History
	if hist == nil {
		hist, _ = r.Store.(RunHistory)
	}
	var recent []domain.CrawlRun
	if hist != nil {
		var err error
		if recent, err = hist.RecentHealthyRuns(ctx, run.SourceID, healthHistory); err != nil {
			// Judged against nothing rather than not at all: auto-detected
			// pages still flag the run.
			log.Warn("reading recent runs for selector health failed", zap.Error(err))
		}
	}
	h.Reasons = judgeHealth(h, recent)
	run.Degraded = len(h.Reasons) > 0
	if run.Degraded {
		log.Warn("crawl run degraded: the source's selectors stopped matching",
			zap.Strings("reasons", h.Reasons),
			zap.Strings("unmatched_selectors", h.Unmatched),
			zap.Int("pages", h.Pages),
			zap.Int("pages_auto", h.PagesAuto),
			zap.Int("pages_empty", h.PagesEmpty),
			zap.Float64("listings_per_page", h.ListingsPerPage),
			zap.Int("recent_runs", len(recent)),
		)
	}
	return true
}

// mergeErrors adds the writer's error counts to the crawler's.
func mergeErrors(crawl, writer map[string]int) map[string]int {
	if len(writer) == 0 {
		return crawl
	}
	out := make(map[string]int, len(crawl)+len(writer))
	for k, n := range crawl {
		out[k] += n
	}
	for k, n := range writer {
		out[k] += n
	}
	return out
}
