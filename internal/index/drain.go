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
	// defaultInFlight tasks queued at once: Meilisearch merges queued
	// additions to one index into one batch, so the drain waits only when
	// this many are ahead of it. Measured by BenchmarkDrain.
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

// drainRound reads the outbox page by page, enqueues each page's upserts and
// deletes as tasks and, once InFlight tasks are queued, waits for the oldest
// and acknowledges its entries. Entries are acknowledged only after their
// task succeeded; a failed task's entries are retried alone to isolate the
// ones Meilisearch refuses. Per document order is Meilisearch's: tasks on
// one index run in the order they were enqueued.
//
// It returns how many entries it read and acknowledged, whether the last
// page was full (more may be waiting), and err when Meilisearch or the store
// could not be reached; unacknowledged entries stay queued.
func (ix *Indexer) drainRound(ctx context.Context) (fetched, acked int, more bool, err error) {
	ix.batch.Lock()
	defer ix.batch.Unlock()
	pager, canPage := ix.ob.(OutboxPager)
	var queue, done, failed []sent
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
	var after int64
	for {
		var entries []domain.OutboxEntry
		if canPage {
			entries, err = pager.NextOutboxAfter(ctx, after, ix.opts.BatchSize)
		} else {
			entries, err = ix.ob.NextOutbox(ctx, ix.opts.BatchSize)
		}
		if err != nil {
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
		groups, err := ix.send(ctx, entries)
		queue = append(queue, groups...)
		if err != nil {
			return fetched, acked, false, err
		}
		for len(queue) > ix.opts.InFlight {
			if err := settleOldest(); err != nil {
				return fetched, acked, false, err
			}
		}
		if !more || !canPage {
			break
		}
		after = entries[len(entries)-1].ID
	}
	for len(queue) > 0 {
		if err := settleOldest(); err != nil {
			return fetched, acked, false, err
		}
	}
	n, err := ix.retryFailed(ctx, failed, done)
	acked += n
	if err != nil {
		return fetched, acked, false, err
	}
	ix.down.Store(false)
	return fetched, acked, more, nil
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

// send enqueues one page: its upserts in one task, its deletes in another.
// An unreachable server fails the page and ends the round.
func (ix *Indexer) send(ctx context.Context, entries []domain.OutboxEntry) ([]sent, error) {
	var ups, dels []domain.OutboxEntry
	for _, e := range entries {
		if e.Op == domain.OutboxDelete {
			dels = append(dels, e)
		} else {
			ups = append(ups, e)
		}
	}
	var out []sent
	for _, g := range []sent{
		{entries: ups, enqueue: ix.sendUpsert, apply: ix.upsert, count: &ix.upserted},
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
			return out, err
		}
		g.sendErr = err
		out = append(out, g)
	}
	return out, nil
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

func (ix *Indexer) sendUpsert(ctx context.Context, es []domain.OutboxEntry) (task, error) {
	return ix.c.sendUpsert(ctx, ix.c.name, hitsOf(es))
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

func hitsOf(es []domain.OutboxEntry) []domain.Hit {
	hits := make([]domain.Hit, len(es))
	for i, e := range es {
		hits[i] = e.Hit
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
