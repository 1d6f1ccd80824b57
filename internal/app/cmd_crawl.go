package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/pipeline"
)

// runCrawl runs one source once, now, through the same pipeline as the
// daemon; or, with --plan, prints the searches the next runs would make.
// Hits go to the store and its outbox; the daemon indexes them when it runs.
func runCrawl(ctx context.Context, env Env, args []string) error {
	fs := newFlags("crawl", env)
	cfgPath := configFlag(fs)
	sourceID := fs.String("source", "", "source id to crawl (see config/sources)")
	plan := fs.Bool("plan", false, "print the query plan instead of crawling")
	runs := fs.Int("runs", 3, "with --plan: how many consecutive runs to show")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	marks, matcher, err := buildMatcher(cfg.Registry.Path, cfg.Match.AlertThreshold)
	if err != nil {
		return err
	}
	srcs, err := loadSources(cfg)
	if err != nil {
		return err
	}
	if *plan {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, s := range srcs {
			if *sourceID != "" && s.ID != *sourceID {
				continue
			}
			for r := 0; r < *runs; r++ {
				if err := enc.Encode(map[string]any{"source": s.ID, "run": r, "queries": crawl.Plan(marks, s.QueriesPerRun, r)}); err != nil {
					return fmt.Errorf("writing plan: %w", err)
				}
			}
		}
		return nil
	}
	var src *crawl.Source
	for i := range srcs {
		if srcs[i].ID == *sourceID {
			src = &srcs[i]
		}
	}
	if src == nil {
		return usagef("--source: no source %q; configured: %v", *sourceID, sourceIDs(srcs))
	}
	log, err := newLogger(cfg.Log, env.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	allowPrivate := cfg.Crawl.AllowPrivateAddresses
	if src.ID == demoSourceID {
		srv := demo.NewServer(demo.Options{Log: log.Named("demo")})
		base, err := srv.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		src.BaseURL, allowPrivate = base, true
	}
	db, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	crawler := crawl.New(crawl.Options{Log: log.Named("crawl"), AllowPrivate: allowPrivate})
	r := &pipeline.Runner{
		Crawler: &sourceCrawler{
			sources: map[string]crawl.Source{src.ID: *src}, runs: map[string]int{},
			crawler: func(crawl.Source) *crawl.Crawler { return crawler },
			plan:    func(src crawl.Source, run int) []string { return crawl.PlanQueries(marks, src.QueriesPerRun, run) },
		},
		Matcher: matcher,
		Store:   storeAdapter{db},
		Alerts:  &alert.Dispatcher{Log: log, Notifiers: []alert.Notifier{alert.LogNotifier{Log: log.Named("alert")}}},
		Log:     log.Named("pipeline"),
		Now:     time.Now,
	}
	run, runErr := r.Run(ctx, src.ID)
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return err
	}
	return runErr
}

func sourceIDs(srcs []crawl.Source) []string {
	ids := make([]string, len(srcs))
	for i, s := range srcs {
		ids[i] = s.ID
	}
	return ids
}
