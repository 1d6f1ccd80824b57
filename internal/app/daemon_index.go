package app

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/index"
)

// startIndex connects to Meilisearch, running the pinned binary when no URL
// is configured. A search outage must not block crawling: settings that
// cannot be applied now are retried by the indexer's first successful batch.
func (d *daemon) startIndex(ctx, bgCtx context.Context) error {
	c, managed, err := connectIndex(ctx, d.cfg, d.log)
	if err != nil {
		return err
	}
	d.meili = managed
	d.search = c
	if err := c.ApplySettings(ctx); err != nil {
		d.log.Warn("Meilisearch settings not applied; hits stay in the outbox until it answers", zap.Error(err))
	}
	d.indexer = index.NewIndexer(c, d.db, d.log.Named("indexer"), index.IndexerOptions{})
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if err := d.indexer.Run(bgCtx); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Error("indexer stopped", zap.Error(err))
		}
	}()
	return nil
}
