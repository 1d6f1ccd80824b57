package sources

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Slot is one due run of a source: the time its schedule planned it.
// Every scheduler planning from the same store names the same slot, so a
// queue unique per (source, slot) holds it once however many plan it.
type Slot struct {
	SourceID string
	At       time.Time
}

// Plan is the distributed mode's clock (serve --role scheduler; jobs
// enqueue what it returns): instead of a cron in this process, each tick
// reads every configured source's state from the store, returns the run
// due at its stored next run when that has come, and moves the stored next
// run past now. It keeps the lifecycle's rules: a paused source plans
// nothing, a source backing off after failures skips its slot (counted,
// not queued), a schedule changed through any process's API is read
// afresh, and a scheduler that was down makes up one run, not every one
// it missed.
func (c *Control) Plan(ctx context.Context) ([]Slot, error) {
	states, err := c.store.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("planning runs: reading stored schedules: %w", err)
	}
	configured := map[string]bool{}
	for _, e := range c.sched.Entries() {
		configured[e.SourceID] = true
	}
	now := c.now()
	var due []Slot
	for _, st := range states {
		if !configured[st.ID] || st.Paused || st.Schedule == "" {
			continue
		}
		if st.NextRunAt != nil && st.NextRunAt.After(now) {
			continue
		}
		next, err := c.sched.NextAfter(st.ID, st.Schedule, now)
		if err != nil {
			c.log.Warn("not planning a source whose stored schedule is refused", zap.String("source_id", st.ID),
				zap.String("schedule", st.Schedule), zap.Error(err))
			continue
		}
		if st.NextRunAt != nil {
			if until, skip := backoffUntil(st, now); skip {
				c.log.Info("skipping scheduled run: source keeps failing", zap.String("source_id", st.ID), zap.Time("until", until))
			} else {
				due = append(due, Slot{SourceID: st.ID, At: st.NextRunAt.UTC()})
			}
		}
		if err := c.store.SetSourceNextRun(ctx, st.ID, next); err != nil {
			return due, fmt.Errorf("planning runs: storing the next run of %s: %w", st.ID, err)
		}
	}
	return due, nil
}
