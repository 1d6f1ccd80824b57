package sources

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Start starts the clock and the first runs of the sources Restore put on
// the scheduler: every unpaused one when runOnStart, else those whose
// stored next run had passed while no daemon ran to start it. A paused
// source stays paused: an operator paused it, and that outlives restarts.
func (c *Control) Start(runOnStart bool) {
	c.mu.Lock()
	missed := c.missed
	c.mu.Unlock()
	c.sched.Start()
	for _, e := range c.sched.Entries() {
		if e.Paused || (!runOnStart && !missed[e.SourceID]) {
			continue
		}
		if missed[e.SourceID] {
			c.log.Info("making up a run missed while markwatch was down", zap.String("source_id", e.SourceID))
		}
		if err := c.sched.Trigger(e.SourceID); err != nil {
			c.log.Warn("first crawl not started", zap.String("source_id", e.SourceID), zap.Error(err))
		}
	}
}

// missedRuns lists the sources whose stored next run is past.
func (c *Control) missedRuns(ctx context.Context) (map[string]bool, error) {
	states, err := c.store.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading stored schedules: %w", err)
	}
	now := c.now()
	missed := map[string]bool{}
	for _, st := range states {
		if !st.Paused && st.NextRunAt != nil && st.NextRunAt.Before(now) {
			missed[st.ID] = true
		}
	}
	return missed, nil
}

// Restore puts every configured source on the scheduler with its effective
// schedule: the one stored by an operator if any, else the configuration's
// (which InitSource then stores). A source stored as paused stays paused. A
// stored spec the scheduler now refuses (edited by hand, written by another
// version, under a floor raised since) falls back to the configuration's
// with a warning, rather than keep the daemon from starting, since the API
// that would fix it needs the daemon running. Nothing runs until Start,
// which makes up the runs the store says were missed.
func (c *Control) Restore(ctx context.Context, srcs []Configured) error {
	// Read before the next runs are rewritten below.
	missed, err := c.missedRuns(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.missed = missed
	c.mu.Unlock()
	for _, src := range srcs {
		st, err := c.store.InitSource(ctx, src.ID, src.Schedule)
		if err != nil {
			return fmt.Errorf("restoring schedule of source %s: %w", src.ID, err)
		}
		if err := c.sched.Set(src.ID, st.Schedule); err != nil {
			if st.Schedule == src.Schedule {
				return fmt.Errorf("scheduling source %s (%s): %w", src.ID, src.File, err)
			}
			c.log.Warn("stored schedule refused; using the configured one",
				zap.String("source_id", src.ID), zap.String("stored", st.Schedule),
				zap.String("configured", src.Schedule), zap.Error(err))
			if err := c.sched.Set(src.ID, src.Schedule); err != nil {
				return fmt.Errorf("scheduling source %s (%s): %w", src.ID, src.File, err)
			}
			if err := c.store.SetSourceSchedule(ctx, src.ID, src.Schedule); err != nil {
				return fmt.Errorf("restoring schedule of source %s: %w", src.ID, err)
			}
		}
		if st.Paused {
			if err := c.sched.Pause(src.ID); err != nil {
				return fmt.Errorf("restoring pause of source %s: %w", src.ID, err)
			}
		}
		if c.planned {
			continue // the planner's (Options.Planned)
		}
		if err := c.recordNextRun(ctx, src.ID); err != nil {
			return err
		}
	}
	return nil
}

// recordNextRun stores when the scheduler will next run id (nothing while
// paused), so the store answers "when" even with the daemon down, and the
// next start can tell a run missed meanwhile.
func (c *Control) recordNextRun(ctx context.Context, id string) error {
	e, ok := c.entry(id)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "recording next run: source %q is not scheduled", id)
	}
	next := e.Next
	if e.Paused {
		next = time.Time{}
	}
	if err := c.store.SetSourceNextRun(ctx, id, next); err != nil {
		return fmt.Errorf("recording next run: %w", err)
	}
	return nil
}

// noteNextRun records the new next run after a change or a run. That has
// happened, so a failure here is logged, not returned: the stored next run
// is rewritten after the next run.
func (c *Control) noteNextRun(ctx context.Context, id string) {
	if err := c.recordNextRun(ctx, id); err != nil {
		c.log.Warn("next run not recorded", zap.String("source_id", id), zap.Error(err))
	}
}
