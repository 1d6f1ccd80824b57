package index

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Outbox is the durable queue of index changes the Indexer drains;
// *store.DB satisfies it.
type Outbox interface {
	NextOutbox(ctx context.Context, limit int) ([]domain.OutboxEntry, error)
	AckOutbox(ctx context.Context, ids []int64) error
	FailOutbox(ctx context.Context, ids []int64, errMsg string) error
}

// IndexerOptions tune an Indexer. Zero values mean the defaults.
type IndexerOptions struct {
	BatchSize    int           // entries read from the outbox at once; default 1000, the store's page
	TaskSize     int           // most entries sent in one Meilisearch task; default 5000
	InFlight     int           // tasks queued in Meilisearch before the oldest is waited on; default 8
	PollInterval time.Duration // idle wait between looks at the outbox; default 2s
	MinBackoff   time.Duration // first wait after a failure; default 250ms
	MaxBackoff   time.Duration // longest wait while the server is down; default 30s
	// MaxDocumentBytes refuses, before sending, an entry whose document
	// encodes to more bytes; default 1 MiB (documents are about 550 bytes;
	// Meilisearch's own payload limit is 100 MB by default).
	MaxDocumentBytes int
	// RefusedRetry is how long an entry Meilisearch refused is held back
	// before it is sent again unchanged; default 1h. A change of its hit
	// is sent at once.
	RefusedRetry time.Duration
	// Now is the clock RefusedRetry is measured by; default time.Now.
	Now func() time.Time
}

// DefaultMaxDocumentBytes is IndexerOptions.MaxDocumentBytes' default.
const DefaultMaxDocumentBytes = 1 << 20

// IndexerStats are counters for metrics.
type IndexerStats struct {
	Upserted uint64 // documents written
	Deleted  uint64 // documents removed
	Failed   uint64 // entry attempts that failed
	Down     bool   // the last attempt could not reach Meilisearch
	// Refused are entries held back because Meilisearch refused their
	// documents (see IsRefused); each keeps its error in the outbox.
	Refused int
}

// Indexer moves outbox entries into Meilisearch. An entry is acknowledged
// only after its task succeeded, so a crash or an outage at any point at
// worst repeats an upsert, which is idempotent.
type Indexer struct {
	c    *Client
	ob   Outbox
	log  *zap.Logger
	opts IndexerOptions
	kick chan struct{}

	// batch serialises drains: Run and a shutdown Flush may overlap, and
	// sending the same entries twice would only waste work.
	batch sync.Mutex

	upserted, deleted, failed atomic.Uint64
	down                      atomic.Bool
	// refused are the entries held back (refused.go), guarded by batch;
	// held is their number, for Stats.
	refused refusals
	held    atomic.Int64
	// settingsOK is set once ApplySettings succeeded through this Indexer:
	// a daemon that started while Meilisearch was down gets its settings
	// before the first document, not an index auto-created without filters.
	settingsOK atomic.Bool
}

// NewIndexer returns an Indexer; start it with Run.
func NewIndexer(c *Client, ob Outbox, log *zap.Logger, opts IndexerOptions) *Indexer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultOutboxBatch
	}
	if opts.TaskSize <= 0 {
		opts.TaskSize = defaultTaskSize
	}
	if opts.InFlight <= 0 {
		opts.InFlight = defaultInFlight
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(30*time.Second, opts.MinBackoff)
	}
	if opts.MaxDocumentBytes <= 0 {
		opts.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if opts.RefusedRetry <= 0 {
		opts.RefusedRetry = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Indexer{
		c: c, ob: ob, log: log, opts: opts, kick: make(chan struct{}, 1),
		refused: refusals{at: map[int64]int64{}, seen: map[int64]bool{}},
	}
}

// Kick wakes Run early, e.g. after a crawl saved hits. It never blocks.
func (ix *Indexer) Kick() {
	select {
	case ix.kick <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (ix *Indexer) Stats() IndexerStats {
	return IndexerStats{
		Upserted: ix.upserted.Load(), Deleted: ix.deleted.Load(), Failed: ix.failed.Load(), Down: ix.down.Load(),
		Refused: int(ix.held.Load()),
	}
}

// Run drains the outbox until ctx ends, then returns nil. While Meilisearch
// is unreachable (or fails a whole batch) it waits with exponential
// backoff; crawling and alerting carry on, since the outbox holds the changes.
// Entries Meilisearch refuses are held back (see IsRefused) and do not
// count as failing.
func (ix *Indexer) Run(ctx context.Context) error {
	bo := ix.newBackoff()
	failing := false
	for {
		r, err := ix.drainRound(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil || r.failedAll() {
			wait := bo.NextBackOff()
			if err == nil {
				err = fmt.Errorf("all %d entries of the batch failed", r.fetched-r.refused)
			}
			if !failing {
				ix.log.Warn("indexing paused, retrying with backoff", zap.Error(err), zap.Duration("retry_in", wait))
			} else {
				ix.log.Debug("indexing still failing", zap.Error(err), zap.Duration("retry_in", wait))
			}
			failing = true
			if !sleep(ctx, wait, nil) {
				return nil
			}
			continue
		}
		if failing {
			ix.log.Info("indexing resumed")
			failing = false
		}
		bo.Reset()
		// Only a round that moved something goes on at once: a full page
		// of held-back entries would otherwise be read again and again.
		if r.more && r.acked > 0 {
			continue
		}
		if !sleep(ctx, ix.opts.PollInterval, ix.kick) {
			return nil
		}
	}
}

// Flush drains the outbox now, retrying with backoff while Meilisearch is
// unreachable, until it is empty or ctx ends. Entries Meilisearch refuses
// or fails outright stay queued and make Flush return an error.
func (ix *Indexer) Flush(ctx context.Context) error {
	bo := ix.newBackoff()
	for {
		r, err := ix.drainRound(ctx)
		switch {
		case ctx.Err() != nil:
			if err == nil {
				err = ctx.Err()
			}
			return fmt.Errorf("flushing index outbox: %w", err)
		case err != nil:
			if !sleep(ctx, bo.NextBackOff(), nil) {
				return fmt.Errorf("flushing index outbox: %w", err)
			}
		case r.fetched == 0:
			return nil
		case r.refused == r.fetched:
			return domain.Errorf(domain.EINVALID, "flushing index outbox: Meilisearch refused the documents of %d entries; they stay queued until their hits change, see index_outbox.last_error", r.refused)
		case r.acked == 0:
			return domain.Errorf(domain.EINTERNAL, "flushing index outbox: Meilisearch rejected %d entries; see index_outbox.last_error", r.fetched-r.refused)
		default:
			bo.Reset()
		}
	}
}

func (ix *Indexer) newBackoff() *backoff.ExponentialBackOff {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = ix.opts.MinBackoff
	bo.MaxInterval = ix.opts.MaxBackoff
	bo.Multiplier = 2
	bo.Reset()
	return bo
}

func (ix *Indexer) ack(ctx context.Context, es []domain.OutboxEntry) error {
	if err := ix.ob.AckOutbox(ctx, entryIDs(es)); err != nil {
		// Unacknowledged entries are sent again later; the upsert is idempotent.
		return fmt.Errorf("acknowledging %d index entries: %w", len(es), err)
	}
	return nil
}

// fail records the attempt; a store error here only loses the bookkeeping,
// the entries stay queued either way.
func (ix *Indexer) fail(ctx context.Context, es []domain.OutboxEntry, cause error) {
	ix.failed.Add(uint64(len(es)))
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if err := ix.ob.FailOutbox(context.WithoutCancel(ctx), entryIDs(es), msg); err != nil {
		ix.log.Warn("recording index failure in the outbox", zap.Error(err))
	}
}

func entryIDs(es []domain.OutboxEntry) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// sleep waits d, or until wake fires (nil never does); false if ctx ended.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}
