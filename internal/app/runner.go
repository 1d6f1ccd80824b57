package app

import (
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/match"
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
		Matcher:  memoized(p.matcher),
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

// memoEntries is how many listings' verdicts a run's matcher remembers:
// more than a source's re-crawl sees (200 pages of 40 cards is 8,000), for
// about 9 MiB when they are like no mark and 20 MiB when most are hits
// (match.BenchmarkMemoMemory).
const memoEntries = 100_000

// memoized gives the pipeline a matcher that does not match again a listing
// it judged recently with the same fields: a scheduled re-crawl mostly sees
// what the last one did, and matching was a third of extraction's CPU. The
// daemon's swapped matcher gets a memo per matcher it holds, so a rebuilt
// registry starts with an empty memory; a matcher of another kind (a
// test's) is used as it is.
func memoized(m pipeline.Matcher) pipeline.Matcher {
	switch m := m.(type) {
	case *match.Matcher:
		return match.NewMemo(m, memoEntries)
	case *swapMatcher:
		return &memoSwap{src: m}
	}
	return m
}

// memoSwap remembers the verdicts of whichever matcher src holds, in a
// memo of that matcher's own.
type memoSwap struct {
	src  *swapMatcher
	memo atomic.Pointer[match.Memo]
}

func (s *memoSwap) Match(l domain.Listing) []domain.Match {
	for {
		m := s.src.p.Load()
		memo := s.memo.Load()
		if memo != nil && memo.Matcher() == m {
			return memo.Match(l)
		}
		fresh := match.NewMemo(m, memoEntries)
		// (a goroutine that loaded the matcher just before a swap must not
		// put the old one's memo back over the new one's)
		if s.src.p.Load() == m && s.memo.CompareAndSwap(memo, fresh) {
			return fresh.Match(l)
		}
	}
}
