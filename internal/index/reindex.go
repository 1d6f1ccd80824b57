package index

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// HitSource yields every stored hit; *store.DB satisfies it.
type HitSource interface {
	AllHits(ctx context.Context, fn func(domain.Hit) error) error
}

// reindexFirst documents go in the first task, sent as soon as they are
// read so Meilisearch indexes them while the rest is read; later tasks carry
// reindexBatch each, up to defaultInFlight queued before the oldest is
// waited on (nobody searches tmp, and each Meilisearch batch costs a pass
// over the index besides its documents).
const (
	reindexFirst = defaultOutboxBatch
	reindexBatch = maxDocsPerTask
)

// Reindex rebuilds the index from src into a fresh index and swaps it in.
//
// Build-and-swap rather than clear-and-refill: searches keep answering from
// the old index until the swap, which Meilisearch makes atomic, and a failed
// rebuild leaves the live index untouched. It returns the number of hits
// indexed.
//
// Changes the Indexer writes to the live index while the rebuild runs are
// replaced by the swap; a hit whose change was indexed after the walk passed
// it shows its older state until it is saved again. Run it while the daemon's
// Indexer is stopped for an exact copy.
func Reindex(ctx context.Context, c *Client, src HitSource) (int, error) {
	prefix := c.name + "_reindex_"
	c.dropIndexes(ctx, prefix) // left behind by an interrupted rebuild
	suffix := make([]byte, 6)
	if _, err := rand.Read(suffix); err != nil {
		return 0, fmt.Errorf("reindexing: naming the new index: %w", err)
	}
	tmp := prefix + hex.EncodeToString(suffix)
	defer func() {
		// After a swap tmp holds the old documents; before it, a partial
		// rebuild. Either way it goes, even if ctx has ended.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.dropIndex(cleanup, tmp) // if this fails, the next Reindex removes it by prefix
	}()

	// tmp is new: its creation and settings are enqueued, not waited on,
	// and Meilisearch runs them before the documents queued behind them.
	setup, err := c.createWithSettings(ctx, tmp)
	if err != nil {
		return 0, fmt.Errorf("reindexing: %w", err)
	}
	n, queued := 0, 0
	var inFlight []task
	batch := make([]document, 0, reindexFirst)
	awaitOldest := func() error {
		for ; len(setup) > 0; setup = setup[1:] {
			if err := c.await(ctx, setup[0]); err != nil {
				return err
			}
		}
		if err := c.await(ctx, inFlight[0]); err != nil {
			return err
		}
		n += inFlight[0].hits
		inFlight = inFlight[1:]
		return nil
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		t, err := c.sendDocuments(ctx, tmp, batch)
		if err != nil {
			return err
		}
		t.hits = len(batch)
		queued += len(batch)
		inFlight = append(inFlight, t)
		batch = make([]document, 0, reindexBatch) // the request body is written
		for len(inFlight) > defaultInFlight {
			if err := awaitOldest(); err != nil {
				return err
			}
		}
		return nil
	}
	// Documents are made as the hits are read, and sent whenever
	// Meilisearch has finished what it was given (looked at every
	// reindexFirst documents), else gathered up to reindexBatch.
	err = src.AllHits(ctx, func(h domain.Hit) error {
		d, err := c.toDocument(h)
		if err != nil {
			return err
		}
		batch = append(batch, d)
		full := len(batch) >= reindexBatch
		if !full && (len(batch)%reindexFirst != 0 || len(inFlight) > 0 && !c.finished(ctx, inFlight[len(inFlight)-1])) {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	for err == nil && len(inFlight) > 0 {
		err = awaitOldest()
	}
	for ; err == nil && len(setup) > 0; setup = setup[1:] { // no hits at all
		err = c.await(ctx, setup[0])
	}
	if err != nil {
		return n, fmt.Errorf("reindexing after %d of %d hits sent: %w", n, queued, err)
	}
	if err := c.ensureIndex(ctx, c.name); err != nil {
		return n, fmt.Errorf("reindexing: %w", err)
	}
	what := "reindexing: swapping " + tmp + " in as " + c.name
	info, err := c.ms.SwapIndexes(ctx, []*ms.SwapIndexesParams{{Indexes: []string{c.name, tmp}}})
	if err != nil {
		return n, unavailable(what, err)
	}
	if err := c.wait(ctx, what, info); err != nil {
		return n, err
	}
	return n, nil
}

// createWithSettings enqueues the creation of index uid and its settings
// and returns both tasks, not waited on.
func (c *Client) createWithSettings(ctx context.Context, uid string) ([]task, error) {
	what := "creating index " + uid
	info, err := c.ms.CreateIndex(ctx, &ms.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
	if err != nil {
		return nil, unavailable(what, err)
	}
	created := task{what: what, info: info}
	what = "applying settings to index " + uid
	info, err = c.ms.Index(uid).UpdateSettings(ctx, settings(c.maxTotalHits))
	if err != nil {
		return nil, unavailable(what, err)
	}
	return []task{created, {what: what, info: info}}, nil
}

func (c *Client) dropIndex(ctx context.Context, uid string) error {
	what := "deleting index " + uid
	info, err := c.ms.DeleteIndex(ctx, uid)
	if err != nil {
		return unavailable(what, err)
	}
	return c.wait(ctx, what, info)
}

// dropIndexes deletes every index whose uid starts with prefix, best effort.
func (c *Client) dropIndexes(ctx context.Context, prefix string) {
	res, err := c.ms.ListIndexes(ctx, &ms.IndexesQuery{Limit: 1000})
	if err != nil {
		return
	}
	for _, ix := range res.Results {
		if strings.HasPrefix(ix.UID, prefix) {
			_ = c.dropIndex(ctx, ix.UID)
		}
	}
}
