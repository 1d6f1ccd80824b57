package index

import (
	"context"
	"fmt"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

const (
	// defaultOutboxBatch is the store's largest page (store.MaxPageSize).
	defaultOutboxBatch = 1000
	// defaultTaskSize entries go in one task at most. Each Meilisearch batch
	// costs a pass over the index besides its documents (measured by
	// BenchmarkIngest: a 1,000-document batch on a small index took as long
	// as 5,000 documents inside a large one), so a backlog goes in few large
	// batches: tasks sent while Meilisearch is busy merge into the next one.
	defaultTaskSize = maxDocsPerTask
	// defaultInFlight tasks are queued at once before the oldest is waited
	// on: enough for a 20,000-entry backlog to be queued while Meilisearch
	// indexes the first page.
	defaultInFlight = 8
)

// OutboxPager is an Outbox that can read past entries it has not yet
// acknowledged. With it a drain round keeps InFlight tasks queued in
// Meilisearch; with NextOutbox alone, which always answers the oldest
// pending entries, a round is one page.
type OutboxPager interface {
	// NextOutboxAfter is NextOutbox restricted to entries whose id is above
	// afterID, in id order.
	NextOutboxAfter(ctx context.Context, afterID int64, limit int) ([]domain.OutboxEntry, error)
}

// sent is a group of entries and the task carrying them; sendErr is set
// when Meilisearch (or toDocuments) refused the request itself.
type sent struct {
	entries []domain.OutboxEntry
	t       task
	sendErr error
	enqueue func(context.Context, []domain.OutboxEntry) (task, error)
	apply   applyFunc
	count   *atomic.Uint64
}

// drainRound reads the outbox page by page and enqueues the entries as
// tasks: the first at once, so Meilisearch starts indexing while later pages
// are read, the next ones gathered into tasks of up to TaskSize entries. Once
// more than InFlight tasks are queued it waits for the oldest and
// acknowledges its entries. Entries are acknowledged only after their task
// succeeded; a failed task's entries are retried alone to isolate the ones
// Meilisearch refuses. Per document order is Meilisearch's: tasks on one
// index run in the order they were enqueued.
//
// Entries refused earlier are held back, and entries whose documents are
// refused before sending (refused.go) are recorded at once.
//
// It returns what the round did (see round), and err when Meilisearch or
// the store could not be reached; unacknowledged entries stay queued.
func (ix *Indexer) drainRound(ctx context.Context) (round, error) {
	ix.batch.Lock()
	defer ix.batch.Unlock()
	ix.refused.startRound()
	fetched, acked, more, err := ix.drainPages(ctx)
	if err == nil && !more {
		ix.forgetUnseen() // the round read the whole outbox
	}
	return round{fetched: fetched, acked: acked, refused: ix.refused.count, more: more}, err
}

// round is what one drain round did: entries read, acknowledged, and held
// back or refused (see IsRefused), and whether the last page was full.
type round struct {
	fetched, acked, refused int
	more                    bool
}

// failedAll reports a round that read entries and moved none it could have:
// every entry not refused failed.
func (r round) failedAll() bool { return r.fetched > r.refused && r.acked == 0 }

// drainPages is drainRound's work, the lock held.
func (ix *Indexer) drainPages(ctx context.Context) (fetched, acked int, more bool, err error) {
	pager, canPage := ix.ob.(OutboxPager)
	var queue, done, failed []sent
	var pending []domain.OutboxEntry // read, not yet sent
	built := map[int64]document{}    // documents of pending upserts, by outbox id
	settleOldest := func() error {
		s := queue[0]
		queue = queue[1:]
		ok, err := ix.settle(ctx, s)
		switch {
		case ok:
			acked += len(s.entries)
			done = append(done, s)
		case err == nil:
			failed = append(failed, s)
		}
		return err
	}
	// flush sends what is pending, then settles the first idle tasks of the
	// queue (already finished, so no wait) and the oldest beyond InFlight.
	flush := func(idle int) error {
		if len(pending) == 0 {
			return nil
		}
		groups, err := ix.send(ctx, pending, built)
		pending = nil
		clear(built)
		queue = append(queue, groups...)
		if err != nil {
			return err
		}
		for ; idle > 0 || len(queue) > ix.opts.InFlight; idle-- {
			if err := settleOldest(); err != nil {
				return err
			}
		}
		return nil
	}
	var after int64
	for {
		var entries []domain.OutboxEntry
		if canPage {
			entries, err = pager.NextOutboxAfter(ctx, after, ix.opts.BatchSize)
		} else {
			entries, err = ix.ob.NextOutbox(ctx, ix.opts.BatchSize)
		}
		if err != nil {
			// Entries already queued are sent again next round: an upsert
			// or a delete is idempotent.
			return fetched, acked, false, fmt.Errorf("reading index outbox: %w", err)
		}
		fetched += len(entries)
		more = len(entries) == ix.opts.BatchSize
		if len(entries) == 0 {
			break
		}
		if err := ix.ensureSettings(ctx, entries); err != nil {
			return fetched, acked, false, err
		}
		for _, e := range entries {
			if ix.heldBack(e) {
				continue
			}
			if e.Op == domain.OutboxUpsert {
				d, err := ix.document(e.Hit)
				if err != nil {
					ix.refuse(ctx, e, err)
					continue
				}
				built[e.ID] = d
			}
			pending = append(pending, e)
		}
		// Send when Meilisearch has nothing of this round left to index, so
		// it never waits for pages being read; else gather up to TaskSize.
		idle := len(queue) == 0 || ix.c.finished(ctx, queue[len(queue)-1].t)
		if idle || len(pending) >= ix.opts.TaskSize {
			finished := 0
			if idle {
				finished = len(queue) // tasks of one index end in order
			}
			if err := flush(finished); err != nil {
				return fetched, acked, false, err
			}
		}
		if !more || !canPage {
			break
		}
		after = entries[len(entries)-1].ID
	}
	if err := flushAndSettle(flush, &queue, settleOldest); err != nil {
		return fetched, acked, false, err
	}
	n, err := ix.retryFailed(ctx, failed, done)
	acked += n
	if err != nil {
		return fetched, acked, false, err
	}
	ix.down.Store(false)
	return fetched, acked, more, nil
}

// flushAndSettle sends what is pending and waits for every queued task.
func flushAndSettle(flush func(int) error, queue *[]sent, settleOldest func() error) error {
	if err := flush(0); err != nil {
		return err
	}
	for len(*queue) > 0 {
		if err := settleOldest(); err != nil {
			return err
		}
	}
	return nil
}

// ensureSettings applies the index settings before the first document this
// Indexer sends.
func (ix *Indexer) ensureSettings(ctx context.Context, entries []domain.OutboxEntry) error {
	if ix.settingsOK.Load() {
		return nil
	}
	if err := ix.c.ApplySettings(ctx); err != nil {
		ix.down.Store(IsUnavailable(err))
		ix.fail(ctx, entries, err)
		return err
	}
	ix.settingsOK.Store(true)
	return nil
}

// send enqueues entries in outbox order: upserts in one task, deletes in
// another, a new pair of tasks wherever an upsert follows a delete of the
// same hit (upserts go first within a pair, which would otherwise undo the
// delete). An unreachable server fails the entries and ends the round.
//
// built holds documents made as their page was read, by outbox id, so that
// cost is paid while Meilisearch indexes earlier tasks; others are made now.
func (ix *Indexer) send(ctx context.Context, entries []domain.OutboxEntry, built map[int64]document) ([]sent, error) {
	var out []sent
	sendUpsert := func(ctx context.Context, es []domain.OutboxEntry) (task, error) { return ix.sendUpsert(ctx, es, built) }
	var ups, dels []domain.OutboxEntry
	deleted := map[int64]bool{}
	enqueue := func() error {
		for _, g := range []sent{
			{entries: ups, enqueue: sendUpsert, apply: ix.upsert, count: &ix.upserted},
			{entries: dels, enqueue: ix.sendDelete, apply: ix.delete, count: &ix.deleted},
		} {
			if len(g.entries) == 0 {
				continue
			}
			var err error
			g.t, err = g.enqueue(ctx, g.entries)
			if err != nil && (IsUnavailable(err) || ctx.Err() != nil) {
				ix.down.Store(IsUnavailable(err))
				ix.fail(ctx, entries, err)
				return err
			}
			g.sendErr = err
			out = append(out, g)
		}
		ups, dels = nil, nil
		clear(deleted)
		return nil
	}
	for _, e := range entries {
		if e.Op == domain.OutboxDelete {
			dels = append(dels, e)
			deleted[e.HitID] = true
			continue
		}
		if deleted[e.HitID] {
			if err := enqueue(); err != nil {
				return out, err
			}
		}
		ups = append(ups, e)
	}
	return out, enqueue()
}

// settle waits for s's task and acknowledges its entries; ok is false when
// the task failed, leaving the entries for retryFailed, or when err is set.
func (ix *Indexer) settle(ctx context.Context, s sent) (ok bool, err error) {
	err = s.sendErr
	if err == nil {
		err = ix.c.await(ctx, s.t)
	}
	if err == nil {
		s.count.Add(uint64(len(s.entries)))
		return true, ix.ack(ctx, s.entries)
	}
	if IsUnavailable(err) || ctx.Err() != nil {
		ix.down.Store(IsUnavailable(err))
		ix.fail(ctx, s.entries, err)
		return false, err
	}
	s.sendErr = err
	return false, nil
}

// retryFailed isolates the refused entries of failed tasks once the round's
// queue is empty, so a retry never lands after a later task in the queue.
// An entry whose hit a later entry of the round already carried is
// superseded (that entry sent the same or a newer state) and is only
// acknowledged: resending it would put the older state back.
func (ix *Indexer) retryFailed(ctx context.Context, failed, done []sent) (int, error) {
	if len(failed) == 0 {
		return 0, nil
	}
	latest := map[int64]int64{} // hit id → largest outbox id applied
	for _, s := range done {
		for _, e := range s.entries {
			latest[e.HitID] = max(latest[e.HitID], e.ID)
		}
	}
	acked := 0
	for _, s := range failed {
		var superseded, retry []domain.OutboxEntry
		for _, e := range s.entries {
			if latest[e.HitID] > e.ID {
				superseded = append(superseded, e)
			} else {
				retry = append(retry, e)
			}
		}
		if len(superseded) > 0 {
			if err := ix.ack(ctx, superseded); err != nil {
				return acked, err
			}
			acked += len(superseded)
		}
		if len(retry) == 0 {
			continue
		}
		var n int
		var err error
		if len(retry) < len(s.entries) {
			n, err = ix.applyOrIsolate(ctx, retry, s.apply)
		} else {
			n, err = ix.isolate(ctx, retry, s.apply, s.sendErr)
		}
		s.count.Add(uint64(n))
		acked += n
		if err != nil {
			return acked, err
		}
	}
	return acked, nil
}

// sendUpsert enqueues the documents of es, a hit queued twice once in its
// latest state (see hitsOf); built is as for send.
func (ix *Indexer) sendUpsert(ctx context.Context, es []domain.OutboxEntry, built map[int64]document) (task, error) {
	docs := make([]document, 0, len(es))
	at := make(map[int64]int, len(es))
	for _, e := range es {
		d, ok := built[e.ID]
		if !ok {
			var err error
			if d, err = ix.document(e.Hit); err != nil {
				return task{}, fmt.Errorf("indexing %d hits: %w", len(es), err)
			}
		}
		if i, dup := at[e.HitID]; dup {
			docs[i] = d
			continue
		}
		at[e.HitID] = len(docs)
		docs = append(docs, d)
	}
	return ix.c.sendDocuments(ctx, ix.c.name, docs)
}

func (ix *Indexer) sendDelete(ctx context.Context, es []domain.OutboxEntry) (task, error) {
	return ix.c.sendDelete(ctx, hitIDsOf(es))
}

// applyFunc sends entries to Meilisearch and waits for the task.
type applyFunc func(context.Context, []domain.OutboxEntry) error

func (ix *Indexer) upsert(ctx context.Context, es []domain.OutboxEntry) error {
	return ix.c.Upsert(ctx, hitsOf(es))
}

func (ix *Indexer) delete(ctx context.Context, es []domain.OutboxEntry) error {
	return ix.c.Delete(ctx, hitIDsOf(es))
}

// isolate retries entries whose task failed with cause, halving the group
// each time, so one refused entry costs about 2·log2(n) tasks, not n, and
// does not hold back the rest. It returns how many were acknowledged.
func (ix *Indexer) isolate(ctx context.Context, es []domain.OutboxEntry, apply applyFunc, cause error) (int, error) {
	if len(es) == 1 {
		if IsRefused(cause) {
			ix.refuse(ctx, es[0], cause)
			return 0, nil
		}
		ix.log.Warn("meilisearch rejected an index entry", zap.Int64("outbox_id", es[0].ID),
			zap.Int64("hit_id", es[0].HitID), zap.Error(cause))
		ix.fail(ctx, es, cause)
		return 0, nil
	}
	acked := 0
	half := len(es) / 2
	for _, part := range [][]domain.OutboxEntry{es[:half], es[half:]} {
		n, err := ix.applyOrIsolate(ctx, part, apply)
		acked += n
		if err != nil {
			return acked, err
		}
	}
	return acked, nil
}

// applyOrIsolate applies es in one task, isolating refused entries if it
// fails; it returns how many were acknowledged.
func (ix *Indexer) applyOrIsolate(ctx context.Context, es []domain.OutboxEntry, apply applyFunc) (int, error) {
	err := apply(ctx, es)
	if err == nil {
		return len(es), ix.ack(ctx, es)
	}
	if IsUnavailable(err) || ctx.Err() != nil {
		ix.down.Store(IsUnavailable(err))
		ix.fail(ctx, es, err)
		return 0, err
	}
	return ix.isolate(ctx, es, apply, err)
}

// hitsOf returns the hits of upsert entries, a hit queued twice once in its
// latest state (entries are in outbox order), so one task never relies on
// how Meilisearch orders two copies of a document inside it.
func hitsOf(es []domain.OutboxEntry) []domain.Hit {
	hits := make([]domain.Hit, 0, len(es))
	at := make(map[int64]int, len(es))
	for _, e := range es {
		if i, ok := at[e.HitID]; ok {
			hits[i] = e.Hit
			continue
		}
		at[e.HitID] = len(hits)
		hits = append(hits, e.Hit)
	}
	return hits
}

func hitIDsOf(es []domain.OutboxEntry) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.HitID
	}
	return ids
}
