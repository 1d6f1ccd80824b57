package sources

import (
	"context"
	"fmt"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
)

// Status is one source as an operator sees it, the one view the API and
// the console both show: the stored state with its schedule, pause and
// next run taken from the live scheduler (what actually happens), whether
// a run is going now, the newest run, and until when scheduled runs are
// held back after failures.
type Status struct {
	domain.SourceState
	Running bool
	LastRun *domain.CrawlRun // nil if the source never ran
	// BackoffUntil is set while scheduled runs are skipped because the
	// source keeps failing; nil otherwise.
	BackoffUntil *time.Time
}

// List returns the configured sources in id order.
func (c *Control) List(ctx context.Context) ([]Status, error) {
	stored, err := c.store.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	byID := make(map[string]domain.SourceState, len(stored))
	for _, st := range stored {
		byID[st.ID] = st
	}
	entries := c.sched.Entries()
	out := make([]Status, 0, len(entries))
	for _, e := range entries {
		s, err := c.status(ctx, e, byID[e.SourceID])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Get returns one configured source (ENOTFOUND for any other).
func (c *Control) Get(ctx context.Context, id string) (Status, error) {
	e, ok := c.entry(id)
	if !ok {
		return Status{}, notConfigured(id)
	}
	st, err := c.store.GetSource(ctx, id)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return Status{}, fmt.Errorf("getting source %s: %w", id, err)
	}
	return c.status(ctx, e, st)
}

func (c *Control) status(ctx context.Context, e schedule.Entry, st domain.SourceState) (Status, error) {
	st.ID, st.Schedule, st.Paused = e.SourceID, e.Spec, e.Paused
	st.NextRunAt = nil
	if !e.Paused && !e.Next.IsZero() {
		next := e.Next
		st.NextRunAt = &next
	}
	s := Status{SourceState: st, Running: e.Running}
	if until, ok := backoffUntil(st, c.now()); ok {
		s.BackoffUntil = &until
	}
	runs, err := c.store.ListRuns(ctx, e.SourceID, 1)
	if err != nil {
		return Status{}, fmt.Errorf("reading last run of source %s: %w", e.SourceID, err)
	}
	if len(runs) > 0 {
		s.LastRun = &runs[0]
	}
	return s, nil
}

// Runs returns the newest runs of id, newest first. A source no longer
// configured still has its history in the store, so only a source unknown
// to both is ENOTFOUND.
func (c *Control) Runs(ctx context.Context, id string, limit int) ([]domain.CrawlRun, error) {
	if _, ok := c.entry(id); !ok {
		if _, err := c.store.GetSource(ctx, id); err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil, notConfigured(id)
			}
			return nil, err
		}
	}
	return c.store.ListRuns(ctx, id, limit)
}

// RunIndex is where the query rotation of id stands: its count of ended
// runs, kept by the store, so a restart resumes the rotation instead of
// searching the registry's first window again.
func (c *Control) RunIndex(ctx context.Context, id string) (int, error) {
	n, err := c.store.FinishedRuns(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("reading the query rotation of %s: %w", id, err)
	}
	return n, nil
}
