package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/index"
)

// connectIndex returns a client for the configured Meilisearch, first
// starting the pinned binary as a child process when no URL is configured.
// The caller stops the returned Managed (nil for an external server).
func connectIndex(ctx context.Context, cfg config.Config, log *zap.Logger) (*index.Client, *index.Managed, error) {
	url, key := cfg.Meilisearch.URL, cfg.Meilisearch.APIKey.Value()
	var managed *index.Managed
	if cfg.Meilisearch.Managed() {
		bin := cfg.Meilisearch.Binary
		if bin == "" {
			var err error
			if bin, err = index.FindBinary(); err != nil {
				return nil, nil, fmt.Errorf("finding the Meilisearch binary: %w", err)
			}
		}
		m, err := index.StartManaged(ctx, index.ManagedOptions{
			BinPath:           bin,
			DataDir:           filepath.Join(cfg.DataDir, "meilisearch"),
			MaxIndexingMemory: cfg.Meilisearch.MaxIndexingMemory,
			Log:               meiliLogger(log),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("starting managed Meilisearch: %w", err)
		}
		managed = m
		url, key = m.URL(), m.Key()
	}
	c, err := index.NewClient(url, key, index.ClientOptions{IndexName: cfg.Meilisearch.Index})
	if err != nil {
		if managed != nil {
			_ = managed.Stop(context.WithoutCancel(ctx))
		}
		return nil, nil, fmt.Errorf("connecting to Meilisearch at %s: %w", url, err)
	}
	return c, managed, nil
}

// reindexer rebuilds the index inside the running daemon, for POST
// /api/v1/admin/reindex: the daemon holds the data dir (and a managed
// Meilisearch's data), so `markwatch reindex` beside it asks it rather than
// starting a second Meilisearch. One rebuild runs at a time. stop cancels a
// running one and waits for it, so the store and Meilisearch it reads
// outlive it.
type reindexer struct {
	search *index.Client
	hits   index.HitSource
	log    *zap.Logger

	mu      sync.Mutex
	stopped bool
	cancel  context.CancelFunc // of the running rebuild; nil when none runs
	running sync.WaitGroup
}

// Reindex rebuilds the index from the store and swaps it in (index.Reindex:
// searches keep answering from the old one until then). Hits the daemon's
// indexer changes while the walk runs may show their older state until saved
// again, as index.Reindex says.
func (r *reindexer) Reindex(ctx context.Context) (int, error) {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return 0, domain.Errorf(domain.EUNAVAILABLE, "markwatch is stopping; reindex after it has started again")
	}
	if r.cancel != nil {
		r.mu.Unlock()
		return 0, domain.Errorf(domain.ECONFLICT, "a reindex is already running on this daemon; wait for it to finish")
	}
	ctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	r.running.Add(1)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.cancel = nil
		r.mu.Unlock()
		cancel()
		r.running.Done()
	}()
	n, err := index.Reindex(ctx, r.search, r.hits)
	if err != nil {
		return n, err // index.Reindex says "reindexing: …"
	}
	r.log.Info("reindexed hits from the store", zap.Int("hits", n))
	return n, nil
}

func (r *reindexer) stop(context.Context) error {
	r.mu.Lock()
	r.stopped = true
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	r.running.Wait()
	return nil
}

// reindexer is what serves the rebuild route: nil in a process without the
// index (the scheduler and worker roles), which leaves the route out. It is
// called while the HTTP server is being built, so its stop is pushed before
// the server's: stopping, the server goes first and no new rebuild starts.
func (d *daemon) reindexer() httpapi.Reindexer {
	if d.search == nil {
		return nil
	}
	r := &reindexer{search: d.search, hits: d.db, log: d.log.Named("reindex")}
	d.stops.push("reindex", r.stop)
	return r
}
