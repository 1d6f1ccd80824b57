package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/zap"
)

// tickTimeout bounds one schedule tick: a planner reading the store that
// takes longer is stuck, and the next tick waits on it (ticks are unique).
const tickTimeout = time.Minute

// tickWorker works schedule_tick jobs, which River's leader enqueues every
// TickEvery: it asks the planner for the due slots and enqueues them. Any
// scheduling process may work a tick; the slots' uniqueness makes it safe.
type tickWorker struct {
	river.WorkerDefaults[scheduleTickArgs]
	planner Planner
	metrics *metrics
	log     *zap.Logger
	now     func() time.Time
	timeout time.Duration
}

func (w *tickWorker) Timeout(*river.Job[scheduleTickArgs]) time.Duration { return w.timeout }

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[scheduleTickArgs]) error {
	started := w.now()
	err := w.tick(ctx, started)
	result := resultOK
	if err != nil {
		result = failure(ctx)
	}
	w.metrics.duration.WithLabelValues(kindScheduleTick, result).Observe(w.now().Sub(started).Seconds())
	return err
}

func (w *tickWorker) tick(ctx context.Context, now time.Time) error {
	slots, err := w.planner.Due(ctx, now)
	if err != nil {
		return fmt.Errorf("planning due slots: %w", err)
	}
	if len(slots) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, len(slots))
	for _, s := range slots {
		if err := validSlot(s); err != nil {
			return fmt.Errorf("planner returned a bad slot: %w", err)
		}
		params = append(params, river.InsertManyParams{Args: newCrawlRunArgs(s)})
	}
	res, err := river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("enqueueing %d due slots: %w", len(slots), err)
	}
	inserted := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	if inserted > 0 {
		w.log.Info("enqueued due crawl runs", zap.Int("due", len(slots)), zap.Int("enqueued", inserted))
	}
	return nil
}
