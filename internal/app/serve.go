package app

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"sync"
	"syscall"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// runServe is the daemon. It stops on SIGINT/SIGTERM or when ctx ends.
func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	cfgPath := configFlag(fs)
	demoFlag := fs.Bool("demo", false, "serve the demo marketplace and crawl it (same as sources.demo.enabled: true)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	if *demoFlag {
		cfg.Sources.Demo.Enabled = true
	}
	log, err := newLogger(cfg.Log, env.Stderr)
	if err != nil {
		return fmt.Errorf("configuring logs: %w", err)
	}
	defer log.Sync()
	log.Info("starting markwatch", zap.String("version", Version), zap.Object("config", cfg))

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	var once sync.Once
	var d *daemon
	d, err = startDaemon(ctx, cfg, log, func(run domain.CrawlRun) {
		once.Do(func() { printWhereToLook(env.Stdout, d, run) })
	})
	if err != nil {
		return err
	}
	log.Info("markwatch running", zap.Int("marks", len(d.marks)), zap.Int("sources", len(d.sources)), zap.String("http", d.httpURL))
	<-ctx.Done()
	log.Info("shutting down")
	d.stop(context.Background())
	log.Info("stopped")
	return nil
}

// printWhereToLook tells a new user, after the first crawl, where the results
// are. It goes to stdout, apart from the logs.
func printWhereToLook(w io.Writer, d *daemon, run domain.CrawlRun) {
	fmt.Fprintf(w, `
==> markwatch: first crawl of %q %s: %d pages, %d listings, %d hits, %d new alerts.
    Look at the results:
      %s/                (the supervisors' console)
      bin/markwatch alerts list%s
      curl -s %s/api/v1/alerts
      curl -s '%s/api/v1/hits?q=核桃'
      curl -s %s/metrics | grep markwatch_
    Ctrl-C stops the daemon.

`, run.SourceID, run.Status, run.Pages, run.Listings, run.Hits, run.Alerts,
		d.httpURL, dataDirHint(d), d.httpURL, d.httpURL, d.httpURL)
}

func dataDirHint(d *daemon) string {
	if d.cfg.DataDir == "./data" || d.cfg.DataDir == "data" {
		return ""
	}
	return " (with MARKWATCH_DATA_DIR=" + d.cfg.DataDir + ")"
}
