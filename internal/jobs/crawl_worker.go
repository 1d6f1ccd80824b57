package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// crawlWorker works crawl_run jobs: one run of a source for a slot.
type crawlWorker struct {
	river.WorkerDefaults[crawlRunArgs]
	pool        *pgxpool.Pool
	runner      Runner
	interrupter Interrupter
	metrics     *metrics
	log         *zap.Logger
	now         func() time.Time
	snooze      time.Duration // how long a job waits when its source is busy
	timeout     time.Duration // the job's own deadline: RescueAfter
}

// Timeout cancels a run still going at RescueAfter, when the leader would
// consider its job stuck and rescue it anyway; River rescues a job only
// once its timeout has passed, so a crawl job must have one.
func (w *crawlWorker) Timeout(*river.Job[crawlRunArgs]) time.Duration { return w.timeout }

func (w *crawlWorker) Work(ctx context.Context, job *river.Job[crawlRunArgs]) error {
	started := w.now()
	w.metrics.wait.Observe(max(started.Sub(job.ScheduledAt), 0).Seconds())
	result, err := w.work(ctx, job)
	w.metrics.duration.WithLabelValues(kindCrawlRun, result).Observe(w.now().Sub(started).Seconds())
	return err
}

func (w *crawlWorker) work(ctx context.Context, job *river.Job[crawlRunArgs]) (result string, err error) {
	a := job.Args
	lock, ok, err := trySourceLock(ctx, w.pool, a.SourceID)
	if err != nil {
		return failure(ctx), err
	}
	if !ok {
		w.log.Debug("source is being run by another job, snoozing",
			zap.String("source_id", a.SourceID), zap.Time("slot", a.Slot), zap.Duration("snooze", w.snooze))
		return resultSnoozed, river.JobSnooze(w.snooze)
	}
	defer func() {
		if rerr := lock.release(); rerr != nil {
			// The run is over and its result stands; the lock is gone
			// with its connection either way.
			w.log.Warn("releasing the source lock", zap.String("source_id", a.SourceID), zap.Error(rerr))
		}
	}()
	// Only now, holding the lock, is a run of this source left 'running'
	// known to be dead: its worker cannot be running it any more.
	if job.Attempt > 1 {
		if err := w.interrupter.InterruptRuns(ctx, a.SourceID); err != nil {
			return failure(ctx), fmt.Errorf("marking the runs of source %s left by attempt %d interrupted: %w", a.SourceID, job.Attempt-1, err)
		}
		w.log.Info("retrying a crawl run, earlier runs marked interrupted",
			zap.String("source_id", a.SourceID), zap.Time("slot", a.Slot), zap.Int("attempt", job.Attempt))
	}
	if err := w.runner.RunSource(ctx, a.SourceID, a.Slot); err != nil {
		err = fmt.Errorf("running source %s for slot %s: %w", a.SourceID, a.Slot.Format(time.RFC3339), err)
		if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ENOTFOUND {
			// A source gone or refused fails the same way every attempt.
			return resultError, river.JobCancel(err)
		}
		return failure(ctx), err
	}
	return resultOK, nil
}

// failure is the result of a failed execution: cancelled when its context
// ended (stop, timeout), which River retries like any error.
func failure(ctx context.Context) string {
	if ctx.Err() != nil {
		return resultCancelled
	}
	return resultError
}
