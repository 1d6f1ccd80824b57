package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Runner runs one crawl run of a source for a schedule slot (the app's
// pipeline). It should end its run by itself well before RescueAfter. When
// ctx ends, it returns an error wrapping ctx's error: a run cancelled by a
// stop then goes back to the queue without spending an attempt.
type Runner interface {
	RunSource(ctx context.Context, sourceID string, slot time.Time) error
}

// Planner returns the slots due now, from the store's schedule state
// (paused, floors, backoff).
type Planner interface {
	Due(ctx context.Context, now time.Time) ([]Slot, error)
}

// Interrupter marks a source's runs left 'running' by a dead worker as
// interrupted (the app's store).
type Interrupter interface {
	InterruptRuns(ctx context.Context, sourceID string) error
}

// Defaults of Options' zero values.
const (
	defaultTickEvery = time.Minute
	defaultSnooze    = 5 * time.Second
)

// Options configure a Queue. A Queue with neither Schedule nor Work only
// enqueues (`markwatch sources run`, the api role).
type Options struct {
	Pool        *pgxpool.Pool
	Runner      Runner      // needed with Work
	Planner     Planner     // needed with Schedule
	Interrupter Interrupter // needed with Work

	// Schedule: this process takes part in River's leader election and
	// works the schedule ticks. Only the leader enqueues ticks, rescues
	// stuck jobs and makes retries due, so an installation needs at least
	// one scheduling process; worker-only processes never lead.
	Schedule bool
	// Work: this process runs crawl jobs, Workers at once. Each running job
	// holds a pool connection for its source lock, so Pool needs more than
	// Workers connections (New checks Workers+2).
	Work    bool
	Workers int

	TickEvery   time.Duration // schedule tick interval (schedule.min_interval); default a minute
	RescueAfter time.Duration // a job running this long is stuck: cancelled by its worker, rescued by the leader (jobs.rescue_after)
	StopTimeout time.Duration // how long Stop lets running jobs finish before cancelling them (jobs.stop_timeout)
	// Snooze is how long a crawl job waits when its source is being run by
	// another job; default 5 s. Up to 5 s the job stays available and any
	// worker may take it when it is due.
	Snooze time.Duration

	Log        *zap.Logger           // default: no logging
	Registerer prometheus.Registerer // default: no metrics
	Now        func() time.Time      // default time.Now
	WorkerID   string                // River client ID, unique per process; default a random one
}

// Queue is one process's River client for crawl runs.
type Queue struct {
	opts   Options
	client *river.Client[pgx.Tx]

	mu      sync.Mutex
	started bool
}

// New checks opts and makes the Queue's River client; it does not touch
// the database (Migrate does, before).
func New(opts Options) (*Queue, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	m := newMetrics()
	if opts.Registerer != nil {
		if err := m.register(opts.Registerer, opts.Pool, opts.Log); err != nil {
			return nil, err
		}
	}
	workers := river.NewWorkers()
	// Every Queue knows both kinds, whatever it works: River checks kinds
	// on insert, and a leader discards a stuck job of a kind it does not know.
	river.AddWorker(workers, &crawlWorker{
		pool: opts.Pool, runner: opts.Runner, interrupter: opts.Interrupter, metrics: m,
		log: opts.Log, now: opts.Now, snooze: opts.Snooze, timeout: opts.RescueAfter,
	})
	river.AddWorker(workers, &tickWorker{
		planner: opts.Planner, metrics: m, log: opts.Log, now: opts.Now,
		timeout: min(max(tickTimeout, opts.TickEvery), opts.RescueAfter),
	})
	cfg := &river.Config{
		ID:                     opts.WorkerID,
		Logger:                 newRiverLogger(opts.Log),
		Workers:                workers,
		JobTimeout:             opts.RescueAfter,
		RescueStuckJobsAfter:   opts.RescueAfter,
		SoftStopTimeout:        opts.StopTimeout,
		LeaderElectionDisabled: !opts.Schedule,
	}
	if opts.Schedule || opts.Work {
		cfg.Queues = map[string]river.QueueConfig{}
	}
	if opts.Work {
		cfg.Queues[queueCrawl] = river.QueueConfig{MaxWorkers: opts.Workers}
	}
	if opts.Schedule {
		cfg.Queues[queueSchedule] = river.QueueConfig{MaxWorkers: 1}
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(opts.TickEvery),
			func() (river.JobArgs, *river.InsertOpts) { return scheduleTickArgs{}, nil },
			&river.PeriodicJobOpts{ID: kindScheduleTick, RunOnStart: true},
		)}
	}
	client, err := river.NewClient(riverpgxv5.New(opts.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("making the River client: %w", err)
	}
	return &Queue{opts: opts, client: client}, nil
}

func withDefaults(o Options) (Options, error) {
	bad := func(format string, a ...any) (Options, error) {
		return o, domain.Errorf(domain.EINVALID, "jobs: "+format, a...)
	}
	if o.Pool == nil {
		return bad("no PostgreSQL pool")
	}
	if o.Work {
		if o.Runner == nil || o.Interrupter == nil {
			return bad("a working queue needs a Runner and an Interrupter")
		}
		if o.Workers < 1 {
			return bad("workers is %d; set at least 1", o.Workers)
		}
		if maxConns := int(o.Pool.Config().MaxConns); maxConns < o.Workers+2 {
			return bad("the pool has %d connections for %d workers; each running job holds one for its source lock, so set pool_max_conns to at least %d", maxConns, o.Workers, o.Workers+2)
		}
		if o.StopTimeout <= 0 {
			return bad("stop_timeout is %s; set how long a stop lets running jobs finish", o.StopTimeout)
		}
	}
	if o.Schedule && o.Planner == nil {
		return bad("a scheduling queue needs a Planner")
	}
	if o.RescueAfter <= 0 && (o.Work || o.Schedule) {
		return bad("rescue_after is %s; set it above the longest run", o.RescueAfter)
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = time.Hour // unused by an enqueue-only queue; River wants one
	}
	if o.TickEvery < 0 || o.Snooze < 0 {
		return bad("negative tick interval %s or snooze %s", o.TickEvery, o.Snooze)
	}
	if o.TickEvery == 0 {
		o.TickEvery = defaultTickEvery
	}
	if o.Snooze == 0 {
		o.Snooze = defaultSnooze
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// Start starts taking jobs and, with Schedule, standing for leader. ctx is
// the Queue's lifetime, not the start's: cancelling it stops the Queue as
// Stop does. An enqueue-only Queue has nothing to start.
func (q *Queue) Start(ctx context.Context) error {
	if !q.opts.Schedule && !q.opts.Work {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("starting the job queue: %w", err)
	}
	q.started = true
	return nil
}

// Stop stops taking jobs, lets running ones finish for StopTimeout, then
// cancels them, and returns once they have returned or ctx ends. River puts
// a job cancelled so back in the queue without spending an attempt, for
// another worker to run again. A Queue never started stops at once.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.started {
		return nil
	}
	if err := q.client.Stop(ctx); err != nil {
		return fmt.Errorf("stopping the job queue: %w", err)
	}
	q.started = false
	return nil
}

// Enqueue adds a crawl run of s.SourceID for slot s.At. It is not inserted
// (inserted false, no error) when the slot is already queued, running, done
// or out of attempts.
func (q *Queue) Enqueue(ctx context.Context, s Slot) (inserted bool, err error) {
	if err := validSlot(s); err != nil {
		return false, err
	}
	res, err := q.client.Insert(ctx, newCrawlRunArgs(s), nil)
	if err != nil {
		return false, fmt.Errorf("enqueueing a crawl run of source %s: %w", s.SourceID, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

func validSlot(s Slot) error {
	if s.SourceID == "" {
		return domain.Errorf(domain.EINVALID, "a crawl run needs a source id")
	}
	if s.At.IsZero() {
		return domain.Errorf(domain.EINVALID, "a crawl run of source %s needs a slot time", s.SourceID)
	}
	return nil
}
