package sources

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// SetSchedule checks spec with the scheduler before touching anything (a
// bad spec, or one under the source's floor, is EINVALID saying why), so a
// refused spec changes neither the store nor the running schedule; then
// stores it and applies it. A paused source keeps its pause.
func (c *Control) SetSchedule(ctx context.Context, id, spec string) error {
	if err := c.sched.Check(id, spec); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entry(id)
	if !ok {
		return notConfigured(id)
	}
	if err := c.store.SetSourceSchedule(ctx, id, spec); err != nil {
		return err
	}
	if err := c.sched.Set(id, spec); err != nil {
		// Check passed, so this is not expected; put the store back so it
		// keeps describing what runs.
		c.revert(ctx, id, func(ctx context.Context) error { return c.store.SetSourceSchedule(ctx, id, e.Spec) })
		return fmt.Errorf("applying schedule: %w", err)
	}
	c.noteNextRun(ctx, id)
	c.log.Info("source schedule changed", zap.String("source_id", id), zap.String("from", e.Spec), zap.String("to", spec))
	return nil
}

// Pause stops scheduled runs of id; a run going now finishes.
func (c *Control) Pause(ctx context.Context, id string) error {
	return c.setPaused(ctx, id, true)
}

// Resume restarts scheduled runs of id.
func (c *Control) Resume(ctx context.Context, id string) error {
	return c.setPaused(ctx, id, false)
}

func (c *Control) setPaused(ctx context.Context, id string, paused bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entry(id)
	if !ok {
		return notConfigured(id)
	}
	if err := c.store.SetSourcePaused(ctx, id, paused); err != nil {
		return err
	}
	apply, what := c.sched.Resume, "resumed"
	if paused {
		apply, what = c.sched.Pause, "paused"
	}
	if err := apply(id); err != nil {
		c.revert(ctx, id, func(ctx context.Context) error { return c.store.SetSourcePaused(ctx, id, e.Paused) })
		return fmt.Errorf("applying pause: %w", err)
	}
	c.noteNextRun(ctx, id)
	if e.Paused != paused {
		c.log.Info("source "+what, zap.String("source_id", id))
	}
	return nil
}

// Trigger starts a run of id now and returns without waiting for it, even
// when paused or backing off: an operator asking for a run means it.
// ECONFLICT while one is going.
func (c *Control) Trigger(_ context.Context, id string) error {
	if _, ok := c.entry(id); !ok {
		return notConfigured(id)
	}
	return c.sched.Trigger(id)
}

// revert undoes a stored change whose live half failed. It runs even if the
// request was cancelled meanwhile, and can only log: the caller is already
// returning the first error.
func (c *Control) revert(ctx context.Context, id string, undo func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := undo(ctx); err != nil {
		c.log.Error("store and scheduler disagree on a source; restart to reconcile",
			zap.String("source_id", id), zap.Error(err))
	}
}
