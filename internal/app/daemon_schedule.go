package app

import (
	"context"

	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/sources"
)

// startSchedule hands the sources to their lifecycle (internal/sources),
// each on its stored (or configured) schedule, paused ones left paused.
// Nothing runs yet: startRuns starts the clock once the API is up.
func (d *daemon) startSchedule(ctx context.Context) error {
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	// In the distributed roles a run is a job: the lifecycle's run now
	// (and the scheduler's plan, daemon_jobs.go) enqueue it for a worker.
	run := d.runner.Run
	if d.role != roleAll {
		run = d.enqueueRun
	}
	ctl, err := sources.New(sources.Options{
		Store: d.db,
		Run:   run,
		OnRun: d.onRun,
		Schedule: schedule.Options{
			Location: loc, Jitter: d.cfg.Schedule.Jitter, Log: d.log.Named("schedule"),
			MinInterval: d.cfg.Schedule.MinInterval, SourceMinInterval: d.cfg.Schedule.MinIntervals(),
		},
		Now:     d.now,
		Log:     d.log.Named("sources"),
		Planned: d.role != roleAll,
	})
	if err != nil {
		return err
	}
	d.sourcesCtl, d.sched = ctl, ctl.Scheduler()
	return ctl.Restore(ctx, configured(d.sources))
}

// startRuns starts the clock and the first runs (all with
// crawl.run_on_start, else those missed while the daemon was down). It is
// the last part to start, so the first to stop: no new runs, and running
// crawls get the grace period (the API still answering) before they are
// cancelled.
func (d *daemon) startRuns() {
	ctl := d.sourcesCtl
	d.stops.push("scheduler", func(ctx context.Context) error {
		grace, cancel := context.WithTimeout(ctx, d.cfg.Crawl.ShutdownGrace)
		defer cancel()
		return ctl.Stop(grace)
	})
	ctl.Start(d.cfg.Crawl.RunOnStart)
}
