// Package sources owns a marketplace source's lifecycle: its schedule (the
// operator's, kept over the configuration's), pause and resume, runs asked
// for now, runs missed while no daemon ran, back-off after failures, where
// its query rotation stands, and the one status view the API and the
// console both read. State that outlives a process is kept through Store;
// what actually runs is the scheduler's, which this package drives.
package sources

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
)

// RunFunc crawls a source once and returns the run as recorded. ctx is
// cancelled when the scheduler stops.
type RunFunc func(ctx context.Context, sourceID string) (domain.CrawlRun, error)

// Options configure a Control.
type Options struct {
	Store Store
	// Run crawls one source (the pipeline). Required.
	Run RunFunc
	// OnRun, when set, is told about every run that ended.
	OnRun func(domain.CrawlRun)
	// Schedule configures the scheduler Control owns (floor, jitter, zone).
	Schedule schedule.Options
	Now      func() time.Time // default time.Now
	// Planned: the store's next runs belong to a planner (Plan, the
	// distributed scheduler), not to this Control's clock, which never
	// starts. Restoring and running then leave them alone, so a worker or
	// api process starting cannot erase a slot the planner has not
	// enqueued yet; a change of schedule or pause clears it, and Plan
	// plans afresh from the stored spec.
	Planned bool
	Log     *zap.Logger
}

// Configured is a source as the configuration defines it: the schedule is
// only an initial value, File names where it was defined, for errors.
type Configured struct {
	ID       string
	Schedule string
	File     string
}

// Control is the lifecycle of the configured sources: every change is
// stored (so it survives restarts) and applied to the live scheduler, or
// neither. It is safe for concurrent use.
type Control struct {
	store Store
	sched *schedule.Scheduler
	run   RunFunc
	onRun func(domain.CrawlRun)
	now   func() time.Time
	log   *zap.Logger
	// planned is Options.Planned.
	planned bool

	// mu serialises changes: two operators changing one source at once must
	// leave the store and the scheduler agreeing on the same final value.
	mu sync.Mutex
	// missed are the sources whose stored next run had passed when Restore
	// read them, for Start to make up.
	missed map[string]bool
}

// New returns a Control with its own scheduler: Restore puts the sources on
// it, Start starts the clock, Stop stops it.
func New(opts Options) (*Control, error) {
	if opts.Store == nil || opts.Run == nil {
		return nil, errors.New("creating source control: Store and Run are required")
	}
	c := &Control{store: opts.Store, run: opts.Run, onRun: opts.OnRun, now: opts.Now, log: opts.Log, planned: opts.Planned}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	if opts.Schedule.Now == nil {
		opts.Schedule.Now = c.now
	}
	sched, err := schedule.New(c.runOnce, opts.Schedule)
	if err != nil {
		return nil, fmt.Errorf("creating scheduler: %w", err)
	}
	c.sched = sched
	return c, nil
}

// Scheduler is the live scheduler, for callers that only need to read it or
// start a run directly (tests, the daemon's first crawl).
func (c *Control) Scheduler() *schedule.Scheduler { return c.sched }

// Stop stops the clock; running crawls finish until ctx is done (the
// shutdown grace), then they are cancelled and waited for.
func (c *Control) Stop(ctx context.Context) error {
	if err := c.sched.Stop(ctx); err != nil {
		return fmt.Errorf("stopping source schedules: %w", err)
	}
	return nil
}

// runOnce is the scheduler's run: a scheduled run of a source that keeps
// failing is skipped while it backs off (an operator's run now never is);
// after the run the stored next run is brought up to date, since a run
// moves it.
func (c *Control) runOnce(ctx context.Context, id string) {
	if !schedule.Manual(ctx) {
		until, skip, err := c.BackingOff(ctx, id)
		if err != nil {
			c.log.Warn("reading source state before a run", zap.String("source_id", id), zap.Error(err))
		} else if skip {
			c.log.Info("skipping scheduled run: source keeps failing", zap.String("source_id", id), zap.Time("until", until))
			return
		}
	}
	run, err := c.run(ctx, id)
	if err != nil {
		c.log.Warn("crawl run failed", zap.String("source_id", id), zap.Error(err))
	}
	if !c.planned {
		c.noteNextRun(context.WithoutCancel(ctx), id)
	}
	if c.onRun != nil {
		c.onRun(run)
	}
}

func (c *Control) entry(id string) (schedule.Entry, bool) {
	for _, e := range c.sched.Entries() {
		if e.SourceID == id {
			return e, true
		}
	}
	return schedule.Entry{}, false
}

func notConfigured(id string) error {
	return domain.Errorf(domain.ENOTFOUND, "source %q is not configured; `markwatch sources list` shows the configured ones", id)
}
