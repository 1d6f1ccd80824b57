package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/jobs"
	"github.com/markwatch/markwatch/internal/sources"
	"github.com/markwatch/markwatch/internal/store"
)

// jobTick is how often the scheduler plans due slots. A slot is enqueued
// at most this long after its time; the slot itself, not the tick, names
// the run.
const jobTick = 10 * time.Second

// startJobPool opens the distributed mode's connection pool for the job
// queue and the cross-worker pacing, before the crawler is built (it
// paces through it). The embedded mode has none.
func (d *daemon) startJobPool(ctx context.Context) error {
	if d.role == roleAll {
		return nil
	}
	pcfg, err := pgxpool.ParseConfig(d.cfg.Store.URL)
	if err != nil {
		// not err: pgx's parse errors quote the URL, password and all
		return domain.Errorf(domain.EINVALID, "reading store.url for the job queue: it does not parse as a PostgreSQL connection string")
	}
	// a connection per running job (its source lock), the queue's own,
	// and the pacer's
	pcfg.MaxConns = int32(d.cfg.Jobs.Workers + 6)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("connecting the job queue to PostgreSQL: %w", err)
	}
	d.stops.push("job queue connections", func(context.Context) error { pool.Close(); return nil })
	if err := jobs.Migrate(ctx, pool); err != nil {
		return err
	}
	d.jobPool = pool
	return nil
}

// startJobs joins the queue in the role's part: the scheduler plans due
// slots (River runs the tick on its elected leader only), a worker runs
// crawl jobs, the api only enqueues an operator's run now.
func (d *daemon) startJobs(ctx context.Context, reg prometheus.Registerer) error {
	if d.jobPool == nil {
		return nil
	}
	host, _ := os.Hostname()
	q, err := jobs.New(jobs.Options{
		Pool:        d.jobPool,
		Runner:      jobRunner{d: d, pages: workerPages(reg)},
		Planner:     planner{d.sourcesCtl},
		Interrupter: interrupter{d.db},
		Schedule:    d.role == roleScheduler,
		Work:        d.role == roleWorker,
		Workers:     d.cfg.Jobs.Workers,
		TickEvery:   jobTick,
		RescueAfter: d.cfg.Jobs.RescueAfter,
		StopTimeout: d.cfg.Jobs.StopTimeout,
		Log:         d.log.Named("jobs"),
		Registerer:  reg,
		Now:         d.now,
		WorkerID:    fmt.Sprintf("%s-%s-%d", d.role, host, os.Getpid()),
	})
	if err != nil {
		return fmt.Errorf("creating the job queue: %w", err)
	}
	if err := q.Start(ctx); err != nil {
		return fmt.Errorf("starting the job queue: %w", err)
	}
	d.jobs = q
	// SIGTERM: stop taking jobs, let running ones finish until
	// jobs.stop_timeout, then cancel them (River retries them).
	d.stops.push("job queue", q.Stop)
	d.log.Info("joined the job queue", zap.String("role", d.role.String()), zap.String("runs", d.role.describe()))
	return nil
}

// enqueueRun is the sources lifecycle's run in the distributed roles: a
// run now (the api) or a due slot becomes a job a worker takes.
func (d *daemon) enqueueRun(ctx context.Context, id string) (domain.CrawlRun, error) {
	if d.jobs == nil {
		return domain.CrawlRun{SourceID: id}, domain.Errorf(domain.EUNAVAILABLE, "the job queue is not running yet")
	}
	slot := d.now().UTC().Truncate(time.Second)
	if _, err := d.jobs.Enqueue(ctx, jobs.Slot{SourceID: id, At: slot}); err != nil {
		return domain.CrawlRun{SourceID: id}, fmt.Errorf("enqueueing a run of %s: %w", id, err)
	}
	d.log.Info("crawl run enqueued", zap.String("source_id", id), zap.Time("slot", slot))
	return domain.CrawlRun{SourceID: id}, nil
}

// jobRunner runs a crawl job with the daemon's pipeline. A run that ended
// (even failed: blocked, changed markup) is recorded and counts against
// the source's back-off; only one cut short is returned as an error, so
// River retries it.
type jobRunner struct {
	d     *daemon
	pages prometheus.Counter
}

func (r jobRunner) RunSource(ctx context.Context, sourceID string, slot time.Time) error {
	run, err := r.d.runner.Run(ctx, sourceID)
	r.pages.Add(float64(run.Pages))
	if ctx.Err() != nil {
		return fmt.Errorf("crawl run of %s for %s cut short: %w", sourceID, slot.Format(time.RFC3339), ctx.Err())
	}
	if err != nil {
		r.d.log.Warn("crawl run failed", zap.String("source_id", sourceID), zap.Time("slot", slot), zap.Error(err))
	}
	return nil
}

// workerPages is markwatch_worker_pages_total{worker}: the pages this
// process fetched, for throughput per worker.
func workerPages(reg prometheus.Registerer) prometheus.Counter {
	host, _ := os.Hostname()
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name:        "markwatch_worker_pages_total",
		Help:        "Result pages fetched by crawl jobs in this worker process.",
		ConstLabels: prometheus.Labels{"worker": fmt.Sprintf("%s-%d", host, os.Getpid())},
	})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(prometheus.Counter)
		}
	}
	return c
}

// planner is the scheduler's tick: the slots the sources lifecycle finds
// due in the store.
type planner struct{ ctl *sources.Control }

func (p planner) Due(ctx context.Context, _ time.Time) ([]jobs.Slot, error) {
	due, err := p.ctl.Plan(ctx)
	out := make([]jobs.Slot, len(due))
	for i, s := range due {
		out[i] = jobs.Slot{SourceID: s.SourceID, At: s.At}
	}
	return out, err
}

// interrupter ends the run a dead worker left 'running' when its job is
// retried.
type interrupter struct{ db *store.DB }

func (i interrupter) InterruptRuns(ctx context.Context, sourceID string) error {
	_, err := i.db.InterruptSourceRuns(ctx, sourceID, "its worker stopped mid-run; the job was retried")
	return err
}
