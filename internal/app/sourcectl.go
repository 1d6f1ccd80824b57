package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
)

// sourceControl is what operators tune through /api/v1/sources: each change
// is stored (so it survives restarts) and applied to the live scheduler.
// The scheduler's set of sources is the configured one; the store adds what
// outlives a process (operator schedules, pause, last run, error count).
type sourceControl struct {
	sched *schedule.Scheduler
	db    *store.DB
	log   *zap.Logger

	// mu serialises changes: two operators changing one source at once must
	// leave the store and the scheduler agreeing on the same final value.
	mu sync.Mutex
}

var _ httpapi.SourceControl = (*sourceControl)(nil)

func newSourceControl(sched *schedule.Scheduler, db *store.DB, log *zap.Logger) *sourceControl {
	if log == nil {
		log = zap.NewNop()
	}
	return &sourceControl{sched: sched, db: db, log: log}
}

// restoreSchedules puts every configured source on the scheduler with its
// effective schedule: the one stored by an operator if any, else the
// configuration's (which InitSource then stores). A source stored as paused
// stays paused. A stored spec the scheduler now refuses (edited by hand, or
// written by another version) falls back to the configuration's with a
// warning, rather than keep the daemon from starting, since the API that
// would fix it needs the daemon running.
func restoreSchedules(ctx context.Context, db *store.DB, sched *schedule.Scheduler, srcs []crawl.Source, log *zap.Logger) error {
	if log == nil {
		log = zap.NewNop()
	}
	for _, src := range srcs {
		st, err := db.InitSource(ctx, src.ID, src.Schedule)
		if err != nil {
			return fmt.Errorf("restoring schedule of source %s: %w", src.ID, err)
		}
		if err := sched.Set(src.ID, st.Schedule); err != nil {
			if st.Schedule == src.Schedule {
				return fmt.Errorf("scheduling source %s (%s): %w", src.ID, src.File, err)
			}
			log.Warn("stored schedule refused; using the configured one",
				zap.String("source_id", src.ID), zap.String("stored", st.Schedule),
				zap.String("configured", src.Schedule), zap.Error(err))
			if err := sched.Set(src.ID, src.Schedule); err != nil {
				return fmt.Errorf("scheduling source %s (%s): %w", src.ID, src.File, err)
			}
			if err := db.SetSourceSchedule(ctx, src.ID, src.Schedule); err != nil {
				return fmt.Errorf("restoring schedule of source %s: %w", src.ID, err)
			}
		}
		if st.Paused {
			if err := sched.Pause(src.ID); err != nil {
				return fmt.Errorf("restoring pause of source %s: %w", src.ID, err)
			}
		}
		if err := recordNextRun(ctx, db, sched, src.ID); err != nil {
			return err
		}
	}
	return nil
}

// recordNextRun stores when the scheduler will next run id (nothing while
// paused), so the store answers "when" even with the daemon down. The daemon
// calls it after each run, since a run moves the next one.
func recordNextRun(ctx context.Context, db *store.DB, sched *schedule.Scheduler, id string) error {
	e, ok := findEntry(sched, id)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "recording next run: source %q is not scheduled", id)
	}
	next := e.Next
	if e.Paused {
		next = time.Time{}
	}
	if err := db.SetSourceNextRun(ctx, id, next); err != nil {
		return fmt.Errorf("recording next run: %w", err)
	}
	return nil
}

func findEntry(sched *schedule.Scheduler, id string) (schedule.Entry, bool) {
	for _, e := range sched.Entries() {
		if e.SourceID == id {
			return e, true
		}
	}
	return schedule.Entry{}, false
}

func notConfigured(id string) error {
	return domain.Errorf(domain.ENOTFOUND, "source %q is not configured; `markwatch sources list` shows the configured ones", id)
}

// ListSources lists the configured sources in id order.
func (c *sourceControl) ListSources(ctx context.Context) ([]httpapi.SourceStatus, error) {
	stored, err := c.db.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.SourceState, len(stored))
	for _, st := range stored {
		byID[st.ID] = st
	}
	entries := c.sched.Entries()
	out := make([]httpapi.SourceStatus, 0, len(entries))
	for _, e := range entries {
		s, err := c.status(ctx, e, byID[e.SourceID])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// GetSource returns one configured source.
func (c *sourceControl) GetSource(ctx context.Context, id string) (httpapi.SourceStatus, error) {
	e, ok := findEntry(c.sched, id)
	if !ok {
		return httpapi.SourceStatus{}, notConfigured(id)
	}
	st, err := c.db.GetSource(ctx, id)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return httpapi.SourceStatus{}, err
	}
	return c.status(ctx, e, st)
}

// status joins the live entry (schedule, pause, running, next run: the
// scheduler is what actually happens) with the stored state and newest run.
func (c *sourceControl) status(ctx context.Context, e schedule.Entry, st domain.SourceState) (httpapi.SourceStatus, error) {
	st.ID, st.Schedule, st.Paused = e.SourceID, e.Spec, e.Paused
	st.NextRunAt = nil
	if !e.Paused && !e.Next.IsZero() {
		next := e.Next
		st.NextRunAt = &next
	}
	s := httpapi.SourceStatus{SourceState: st, Running: e.Running}
	runs, err := c.db.ListRuns(ctx, e.SourceID, 1)
	if err != nil {
		return httpapi.SourceStatus{}, fmt.Errorf("reading last run of source %s: %w", e.SourceID, err)
	}
	if len(runs) > 0 {
		s.LastRun = &runs[0]
	}
	return s, nil
}

// SetSchedule validates spec before touching anything, so a refused spec
// changes neither the store nor the running schedule; then stores it and
// applies it.
func (c *sourceControl) SetSchedule(ctx context.Context, id, spec string) error {
	// Check refuses what Set would (a bad spec, or one under the source's
	// floor), so a refused spec never reaches the store.
	if err := c.sched.Check(id, spec); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := findEntry(c.sched, id)
	if !ok {
		return notConfigured(id)
	}
	if err := c.db.SetSourceSchedule(ctx, id, spec); err != nil {
		return err
	}
	if err := c.sched.Set(id, spec); err != nil {
		// Validate passed, so this is not expected; put the store back so
		// it keeps describing what runs.
		c.revert(ctx, id, func(ctx context.Context) error { return c.db.SetSourceSchedule(ctx, id, e.Spec) })
		return fmt.Errorf("applying schedule: %w", err)
	}
	c.noteNextRun(ctx, id)
	c.log.Info("source schedule changed", zap.String("source_id", id), zap.String("from", e.Spec), zap.String("to", spec))
	return nil
}

// Pause stops scheduled runs of id; a run going now finishes.
func (c *sourceControl) Pause(ctx context.Context, id string) error {
	return c.setPaused(ctx, id, true)
}

// Resume restarts scheduled runs of id.
func (c *sourceControl) Resume(ctx context.Context, id string) error {
	return c.setPaused(ctx, id, false)
}

func (c *sourceControl) setPaused(ctx context.Context, id string, paused bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := findEntry(c.sched, id)
	if !ok {
		return notConfigured(id)
	}
	if err := c.db.SetSourcePaused(ctx, id, paused); err != nil {
		return err
	}
	apply, what := c.sched.Resume, "resumed"
	if paused {
		apply, what = c.sched.Pause, "paused"
	}
	if err := apply(id); err != nil {
		c.revert(ctx, id, func(ctx context.Context) error { return c.db.SetSourcePaused(ctx, id, e.Paused) })
		return fmt.Errorf("applying pause: %w", err)
	}
	c.noteNextRun(ctx, id)
	if e.Paused != paused {
		c.log.Info("source "+what, zap.String("source_id", id))
	}
	return nil
}

// Trigger starts a run of id now, even when paused: an operator asking for
// a run means it. ECONFLICT while one is going.
func (c *sourceControl) Trigger(_ context.Context, id string) error {
	if _, ok := findEntry(c.sched, id); !ok {
		return notConfigured(id)
	}
	return c.sched.Trigger(id)
}

// Runs returns the newest runs of id. A source no longer configured still
// has its history in the store, so only a source unknown to both is
// ENOTFOUND.
func (c *sourceControl) Runs(ctx context.Context, id string, limit int) ([]domain.CrawlRun, error) {
	if _, ok := findEntry(c.sched, id); !ok {
		if _, err := c.db.GetSource(ctx, id); err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil, notConfigured(id)
			}
			return nil, err
		}
	}
	return c.db.ListRuns(ctx, id, limit)
}

// revert undoes a stored change whose live half failed. It runs even if the
// request was cancelled meanwhile, and can only log: the caller is already
// returning the first error.
func (c *sourceControl) revert(ctx context.Context, id string, undo func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := undo(ctx); err != nil {
		c.log.Error("store and scheduler disagree on a source; restart to reconcile",
			zap.String("source_id", id), zap.Error(err))
	}
}

// noteNextRun records the new next run after a change. The change itself has
// happened, so a failure here is logged, not returned: the stored next run
// is informational and rewritten after the next run.
func (c *sourceControl) noteNextRun(ctx context.Context, id string) {
	if err := recordNextRun(ctx, c.db, c.sched, id); err != nil {
		c.log.Warn("next run not recorded", zap.String("source_id", id), zap.Error(err))
	}
}
