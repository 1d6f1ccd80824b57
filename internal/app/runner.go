package app

import (
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/evidence"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/pipeline"
	"github.com/markwatch/markwatch/internal/seller"
	"github.com/markwatch/markwatch/internal/store"
)

// runnerParts are what the daemon's runner and the crawl command's differ
// in; everything else about a run is built here once, so the two cannot
// drift (they did: the command's runner once lacked the seller signal).
type runnerParts struct {
	crawler   pipeline.Crawler
	matcher   pipeline.Matcher
	db        *store.DB
	blobs     evidence.Blobs
	notifiers []alert.Notifier
	index     pipeline.Kicker   // nil: nothing to kick (the crawl command)
	metrics   *pipeline.Metrics // nil: no metrics
	log       *zap.Logger
	now       func() time.Time
}

// crawlOptions are the crawler's options for the daemon and the crawl
// command alike: listing images hashed for the image signal, sellers'
// contacts read for the seller network.
func crawlOptions(log *zap.Logger, allowPrivate bool, now func() time.Time) crawl.Options {
	return crawl.Options{
		Log:          log.Named("crawl"),
		AllowPrivate: allowPrivate,
		Now:          now,
		// the hasher takes what the largest per-source images.max_bytes allows
		Images:   imagesig.Hasher{Limits: imagesig.Limits{MaxBytes: crawl.MaxImageMaxBytes}},
		Contacts: seller.Contacts,
	}
}

func newRunner(p runnerParts) *pipeline.Runner {
	return &pipeline.Runner{
		Crawler:  p.crawler,
		Matcher:  p.matcher,
		Store:    storeAdapter{p.db},
		Evidence: keeper{p.blobs},
		Alerts:   &alert.Dispatcher{Log: p.log, Notifiers: p.notifiers},
		Index:    p.index,
		Metrics:  p.metrics,
		Sellers:  p.db,
		Log:      p.log.Named("pipeline"),
		Now:      p.now,
	}
}
