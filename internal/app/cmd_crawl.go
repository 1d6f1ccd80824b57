package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
)

// runCrawl runs one source once, now, through the same pipeline as the
// daemon; or, with --plan, prints the searches the next runs would make.
// Hits go to the store and its outbox; the daemon indexes them when it runs.
const crawlUsage = `usage: markwatch crawl --source ID [--demo] [--config FILE]   crawl one source now, through the daemon's pipeline
       markwatch crawl --plan [--source ID] [--runs N] [--json]  the searches the next runs would make`

func runCrawl(ctx context.Context, env Env, args []string) error {
	fs := newFlags("crawl", env)
	cfgPath := configFlag(fs)
	sourceID := fs.String("source", "", "source id to crawl (see config/sources)")
	plan := fs.Bool("plan", false, "print the query plan instead of crawling")
	runs := fs.Int("runs", 3, "with --plan: how many consecutive runs to show")
	asJSON := fs.Bool("json", false, "with --plan: JSON lines (one per source and run) instead of a table")
	demoFlag := fs.Bool("demo", false, "use the demo marketplace's sources (same as sources.demo.enabled: true)")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, crawlUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*plan && *sourceID == "" {
		fs.Usage()
		return usagef("say what to do: --source ID to crawl one source now, or --plan to show the query plan")
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	if *demoFlag {
		cfg.Sources.Demo.Enabled = true
	}
	marks, matcher, err := buildMatcher(cfg.Registry.Path, cfg.Match.AlertThreshold)
	if err != nil {
		return err
	}
	srcs, demoFiles, err := loadSources(cfg)
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return usagef("no sources configured: set sources.dir to a folder of source definitions, or pass --demo for the demo marketplace's")
	}
	if *plan {
		return printPlan(env.Stdout, marks, srcs, *sourceID, *runs, *asJSON)
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
	var allowDemo netip.AddrPort // the demo's listener, the one private address the demo may be read at
	if isDemoSource(demoFiles, *src) {
		// The demo at the configured address: the running daemon's own if
		// it serves one, so both read the same offers at the same URLs.
		base, stopDemo, err := demoAt(cfg.Sources.Demo.Listen, log)
		if err != nil {
			return err
		}
		defer stopDemo()
		src.BaseURL = base
		if allowDemo, err = demoAddr(base); err != nil {
			return err
		}
	}
	opts, err := storeOptions(marks, cfg)
	if err != nil {
		return err
	}
	// New alerts get their subscribers' notifications (the daemon delivers
	// them) and their evidence, exactly as from the daemon's own crawls.
	db, err := openStoreWith(ctx, cfg, true, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := mergeIdentities(ctx, db, srcs, log); err != nil {
		return err
	}
	kit, err := openEvidence(cfg)
	if err != nil {
		return err
	}
	copts := crawlOptions(log, allowPrivate, time.Now)
	if allowDemo.IsValid() {
		copts.AllowAddresses = []netip.AddrPort{allowDemo}
	}
	crawler := crawl.New(copts)
	r := newRunner(runnerParts{
		crawler: &sourceCrawler{
			sources: map[string]crawl.Source{src.ID: *src}, runs: map[string]int{}, runIndex: db.FinishedRuns,
			crawler: func(crawl.Source) *crawl.Crawler { return crawler },
			plan:    func(src crawl.Source, run int) []string { return crawl.PlanQueries(marks, src.QueriesPerRun, run) },
		},
		matcher: matcher, db: db, blobs: kit.blobs,
		notifiers: []alert.Notifier{alert.LogNotifier{Log: log.Named("alert")}},
		log:       log, now: time.Now,
	})
	run, runErr := r.Run(ctx, src.ID)
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return err
	}
	return runErr
}

// printPlan shows the searches of the next runs of each source (or of
// source id): a table of one search a line, or with asJSON a JSON line per
// source and run.
func printPlan(w io.Writer, marks []domain.Mark, srcs []crawl.Source, id string, runs int, asJSON bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	tw := newTable(w)
	if !asJSON {
		fmt.Fprintln(tw, "SOURCE\tRUN\tMARK\tWHY\tQUERY")
	}
	found := false
	for _, s := range srcs {
		if id != "" && s.ID != id {
			continue
		}
		found = true
		for r := 0; r < runs; r++ {
			qs := crawl.Plan(marks, s.QueriesPerRun, r)
			if asJSON {
				if err := enc.Encode(map[string]any{"source": s.ID, "run": r, "queries": qs}); err != nil {
					return fmt.Errorf("writing plan: %w", err)
				}
				continue
			}
			for _, q := range qs {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.ID, r, q.MarkID, q.Why, q.Query)
			}
		}
	}
	if !found {
		return usagef("--source: no source %q; configured: %v", id, sourceIDs(srcs))
	}
	if asJSON {
		return nil
	}
	return tw.Flush()
}

func sourceIDs(srcs []crawl.Source) []string {
	ids := make([]string, len(srcs))
	for i, s := range srcs {
		ids[i] = s.ID
	}
	return ids
}

// demoAt returns the demo marketplace at addr: the one already listening
// there (a running daemon's), or a new one this command serves until stop.
func demoAt(addr string, log *zap.Logger) (base string, stop func(), err error) {
	if c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond); err == nil {
		c.Close()
		return "http://" + addr, func() {}, nil
	}
	srv := demo.NewServer(demo.Options{Addr: addr, Log: log.Named("demo")})
	base, err = srv.Start()
	if err != nil {
		return "", nil, fmt.Errorf("starting the demo marketplace on sources.demo.listen %s: %w", addr, err)
	}
	return base, func() { _ = srv.Close() }, nil
}
