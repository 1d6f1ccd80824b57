package app

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
)

// startSchedule puts every source on its stored (or configured) schedule and
// starts the first runs: all of them with crawl.run_on_start, else those
// missed while the daemon was down. Paused sources stay paused.
func (d *daemon) startSchedule(ctx context.Context) error {
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	sched, err := schedule.New(func(ctx context.Context, id string) {
		if !schedule.Manual(ctx) {
			until, skip, err := backingOff(ctx, d.db, id, d.now())
			if err != nil {
				d.log.Warn("reading source state before a run", zap.String("source_id", id), zap.Error(err))
			} else if skip {
				d.log.Info("skipping scheduled run: source keeps failing", zap.String("source_id", id), zap.Time("until", until))
				return
			}
		}
		run, err := d.runner.Run(ctx, id)
		if err != nil {
			d.log.Warn("crawl run failed", zap.String("source_id", id), zap.Error(err))
		}
		// A run moves the next one; keep the store's answer to "when" current.
		if err := recordNextRun(context.WithoutCancel(ctx), d.db, d.sched, id); err != nil {
			d.log.Warn("recording next run", zap.String("source_id", id), zap.Error(err))
		}
		if d.onRun != nil {
			d.onRun(run)
		}
	}, schedule.Options{
		Location: loc, Jitter: d.cfg.Schedule.Jitter, Log: d.log.Named("schedule"),
		MinInterval: d.cfg.Schedule.MinInterval, SourceMinInterval: d.cfg.Schedule.MinIntervals(),
	})
	if err != nil {
		return fmt.Errorf("creating scheduler: %w", err)
	}
	d.sched = sched
	// What the store says was due before this process started: runs missed
	// while the daemon was down are made up once, at start.
	missed, err := missedRuns(ctx, d.db, d.now())
	if err != nil {
		return err
	}
	if err := restoreSchedules(ctx, d.db, sched, d.sources, d.log.Named("schedule")); err != nil {
		return err
	}
	sched.Start()
	for _, e := range sched.Entries() {
		if e.Paused {
			continue // an operator paused it; that outlives restarts
		}
		if !d.cfg.Crawl.RunOnStart && !missed[e.SourceID] {
			continue
		}
		if missed[e.SourceID] {
			d.log.Info("making up a run missed while markwatch was down", zap.String("source_id", e.SourceID))
		}
		if err := sched.Trigger(e.SourceID); err != nil {
			d.log.Warn("first crawl not started", zap.String("source_id", e.SourceID), zap.Error(err))
		}
	}
	return nil
}

// missedRuns lists sources whose stored next run passed while no daemon was
// running to start it.
func missedRuns(ctx context.Context, db *store.DB, now time.Time) (map[string]bool, error) {
	states, err := db.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading stored schedules: %w", err)
	}
	missed := map[string]bool{}
	for _, st := range states {
		if !st.Paused && st.NextRunAt != nil && st.NextRunAt.Before(now) {
			missed[st.ID] = true
		}
	}
	return missed, nil
}
