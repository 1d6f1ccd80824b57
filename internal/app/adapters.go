package app

import (
	"context"
	"fmt"
	"sync"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/pipeline"
	"github.com/markwatch/markwatch/internal/store"
)

// storeAdapter lets the pipeline save through *store.DB without pipeline
// knowing the store's result type.
type storeAdapter struct{ db *store.DB }

// SaveListings records the run's progress in the batch's transaction, so a
// killed run keeps its counts up to its last batch.
func (s storeAdapter) SaveListings(ctx context.Context, batch []pipeline.Item, run domain.CrawlRun) ([]pipeline.SaveResult, error) {
	in := make([]store.ListingMatches, len(batch))
	for i, it := range batch {
		in[i] = store.ListingMatches{Listing: it.Listing, Matches: it.Matches}
		if e := it.Evidence; e != nil {
			in[i].Evidence = &store.ListingEvidence{Fetch: e.Fetch, Artefacts: e.Artefacts, Screenshot: e.Screenshot}
		}
	}
	res, err := s.db.SaveListingsWithProgress(ctx, in, run)
	if err != nil {
		return nil, err
	}
	out := make([]pipeline.SaveResult, len(res))
	n := 0
	for _, r := range res {
		n += len(r.Hits)
	}
	all := make([]int64, 0, n) // one array for the batch's hit ids
	for i, r := range res {
		for _, h := range r.Hits {
			all = append(all, h.ID)
		}
		ids := all[len(all)-len(r.Hits) : len(all) : len(all)]
		out[i] = pipeline.SaveResult{Hits: len(r.Hits), HitIDs: ids, NewAlerts: r.NewAlerts}
	}
	return out, nil
}

func (s storeAdapter) RecordProgress(ctx context.Context, run domain.CrawlRun) error {
	return s.db.RecordRunProgress(ctx, run)
}

func (s storeAdapter) StartRun(ctx context.Context, id string) (domain.CrawlRun, error) {
	return s.db.StartRun(ctx, id)
}

func (s storeAdapter) FinishRun(ctx context.Context, r domain.CrawlRun) error {
	return s.db.FinishRun(ctx, r)
}

// RecentHealthyRuns is the yardstick the pipeline holds a run's selector
// health against.
func (s storeAdapter) RecentHealthyRuns(ctx context.Context, sourceID string, n int) ([]domain.CrawlRun, error) {
	return s.db.RecentHealthyRuns(ctx, sourceID, n)
}

// sourceCrawler runs a source by id: it plans the run's queries from the
// registry and hands the source to the crawler that may reach it.
type sourceCrawler struct {
	sources map[string]crawl.Source
	crawler func(src crawl.Source) *crawl.Crawler
	plan    func(src crawl.Source, run int) []string
	// runIndex is where a source's rotation stands: the store's count of
	// its ended runs, so it survives restarts. nil counts in memory (one
	// CLI crawl).
	runIndex func(ctx context.Context, sourceID string) (int, error)

	mu   sync.Mutex
	runs map[string]int // per source, when runIndex is nil
}

func (c *sourceCrawler) Crawl(ctx context.Context, id string, emit func(domain.Listing) error) (pipeline.CrawlResult, error) {
	src, ok := c.sources[id]
	if !ok {
		return pipeline.CrawlResult{}, domain.Errorf(domain.ENOTFOUND, "no source %q is configured", id)
	}
	var n int
	if c.runIndex != nil {
		var err error
		if n, err = c.runIndex(ctx, id); err != nil {
			return pipeline.CrawlResult{}, fmt.Errorf("reading where the query rotation of %s stands: %w", id, err)
		}
	} else {
		c.mu.Lock()
		n = c.runs[id]
		c.runs[id] = n + 1
		c.mu.Unlock()
	}
	queries := c.plan(src, n)
	// Every listing carries its offer's identity (platform:item id), so
	// the same offer through another URL form is the same alert.
	st, err := c.crawler(src).Run(ctx, src, queries, src.WithIdentity(emit))
	res := pipeline.CrawlResult{Pages: st.Pages, Errors: st.Errors, EndReason: st.EndReason, Health: st.Health, Images: imageResults(st.Images)}
	if err != nil {
		return res, fmt.Errorf("running source %s: %w", id, err)
	}
	return res, nil
}

// Screenshot tells the pipeline whether a source asks for screenshots of
// its alerts (evidence.screenshot in its definition).
func (c *sourceCrawler) Screenshot(sourceID string) bool {
	return c.sources[sourceID].Evidence.Screenshot
}

// hitSearcher answers /api/v1/hits from Meilisearch.
type hitSearcher struct{ c *index.Client }

// Scoped principals search with a Meilisearch tenant token, so the index
// itself keeps other owners' hits out.
// A total at the index's maxTotalHits is passed on as an estimate.
func (h hitSearcher) SearchHits(ctx context.Context, q string, f httpapi.HitQuery, scope domain.Scope) (httpapi.HitResult, error) {
	res, err := h.c.SearchScoped(ctx, q, index.SearchFilter(f), scope)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return httpapi.HitResult{}, err
		}
		return httpapi.HitResult{}, domain.Errorf(domain.EUNAVAILABLE, "search index unavailable: %v", err)
	}
	return httpapi.HitResult(res), nil
}

// imageResults flattens the crawler's image counts into results by name,
// for the pipeline's metric; nil when the source fetched no image.
func imageResults(st crawl.ImageStats) map[string]int {
	if st.Fetched == 0 && st.Cached == 0 && st.Failed == 0 {
		return nil
	}
	out := map[string]int{"fetched": st.Fetched, "cached": st.Cached}
	for kind, n := range st.Errors {
		out[kind] += n
	}
	return out
}
