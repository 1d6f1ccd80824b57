package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/index"
)

// startIndex connects to Meilisearch, running the pinned binary when no URL
// is configured, supervised so that a server that dies is started again. A
// search outage must not block crawling: settings that cannot be applied
// now are retried by the indexer's first successful batch. Only a process
// that drains (drain) runs the indexer; the api role only searches.
func (d *daemon) startIndex(ctx, bgCtx context.Context, drain bool) error {
	c, managed, err := connectIndex(ctx, d.cfg, d.log)
	if err != nil {
		return err
	}
	if managed != nil {
		d.meili = index.Supervise(managed, index.SuperviseOptions{Now: d.now, Log: d.log.Named("meilisearch")})
	}
	d.search = c
	if err := c.ApplySettings(ctx); err != nil {
		d.log.Warn("Meilisearch settings not applied; hits stay in the outbox until it answers", zap.Error(err))
	}
	if !drain {
		return nil
	}
	d.indexer = index.NewIndexer(c, d.db, d.log.Named("indexer"), index.IndexerOptions{})
	d.goDrain(bgCtx, "indexer", d.indexer.Run)
	return nil
}

// registerIndexMetrics shows what the drain cannot say in /readyz: entries
// Meilisearch refused (held back, each with its error in the outbox, so an
// operator finds them without reading logs), failed attempts, and, for the
// managed Meilisearch, its restarts — a rising count is a server that keeps
// dying (memory, disk) even while /readyz recovers each time.
func (d *daemon) registerIndexMetrics(reg prometheus.Registerer) {
	if d.indexer != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "markwatch_index_refused_entries",
			Help: "Index outbox entries held back because Meilisearch refused their documents.",
		}, func() float64 { return float64(d.indexer.Stats().Refused) }))
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "markwatch_index_failed_attempts_total",
			Help: "Index outbox entry attempts that failed (retried, or held back when refused).",
		}, func() float64 { return float64(d.indexer.Stats().Failed) }))
	}
	if d.meili == nil {
		return
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "markwatch_meilisearch_restarts_total",
		Help: "Times the managed Meilisearch died and was started again.",
	}, func() float64 { return float64(d.meili.Restarts()) }))
}
