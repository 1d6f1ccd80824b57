package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/notify"
	"github.com/markwatch/markwatch/internal/pipeline"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
	"github.com/markwatch/markwatch/internal/web"
)

// daemon is markwatch serve: every part, built in flow order and stopped in
// reverse. Each goroutine it starts is owned here and waited for in stop.
type daemon struct {
	cfg config.Config
	log *zap.Logger
	now func() time.Time

	marks   []domain.Mark
	sources []crawl.Source
	db      *store.DB
	meili   *index.Managed // nil when an external server is configured
	search  *index.Client
	indexer *index.Indexer
	demo    *demo.Server
	runner  *pipeline.Runner
	sched   *schedule.Scheduler
	notify  *notify.Set
	http    *http.Server
	httpURL string

	// onRun is told about every finished run (serve prints where to look
	// after the first one).
	onRun func(domain.CrawlRun)

	bg     sync.WaitGroup
	cancel context.CancelFunc
}

// startDaemon builds and starts everything. On error, whatever was started is
// stopped again.
func startDaemon(ctx context.Context, cfg config.Config, log *zap.Logger, onRun func(domain.CrawlRun)) (d *daemon, err error) {
	d = &daemon{cfg: cfg, log: log, now: time.Now, onRun: onRun}
	bgCtx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	defer func() {
		if err != nil {
			d.stop(context.Background())
		}
	}()

	// The registry first: a broken one must stop startup before anything runs.
	var matcher *match.Matcher
	if d.marks, matcher, err = buildMatcher(cfg.Registry.Path, cfg.Match.AlertThreshold); err != nil {
		return d, err
	}
	if d.sources, err = loadSources(cfg); err != nil {
		return d, err
	}
	if d.db, err = openStore(ctx, cfg, true); err != nil {
		return d, err
	}
	if n, err := d.db.InterruptRunningRuns(ctx, "markwatch stopped while the run was going"); err != nil {
		return d, fmt.Errorf("closing runs left open by a previous process: %w", err)
	} else if n > 0 {
		log.Warn("runs left running by a previous process marked interrupted", zap.Int("runs", n))
	}

	if err := d.startIndex(ctx, bgCtx); err != nil {
		return d, err
	}
	if err := d.startDemo(); err != nil {
		return d, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "markwatch_index_outbox_pending",
		Help: "Hit changes stored but not yet in Meilisearch; grows while the index is down.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := d.db.OutboxLen(ctx)
		if err != nil {
			return -1 // scrape still answers; -1 says the store did not
		}
		return float64(n)
	}))
	notifiers, err := d.startNotify(reg)
	if err != nil {
		return d, err
	}
	d.runner = &pipeline.Runner{
		Crawler: d.newSourceCrawler(),
		Matcher: matcher,
		Store:   storeAdapter{d.db},
		Alerts:  &alert.Dispatcher{Log: log, Notifiers: notifiers},
		Index:   d.indexer,
		Metrics: pipeline.NewMetrics(reg),
		Log:     log.Named("pipeline"),
		Now:     d.now,
	}
	if err := d.startSchedule(ctx); err != nil {
		return d, err
	}
	if err := d.startHTTP(reg); err != nil {
		return d, err
	}
	return d, nil
}

// startNotify builds a delivery chain per configured webhook and starts its
// queue worker; the chains' Notify only enqueues, so a slow receiver never
// stalls the crawl's store writer. The log notifier stays first.
func (d *daemon) startNotify(reg prometheus.Registerer) ([]alert.Notifier, error) {
	hooks := make([]notify.WebhookConfig, len(d.cfg.Notify.Webhooks))
	for i, w := range d.cfg.Notify.Webhooks {
		hooks[i] = notify.WebhookConfig{URL: w.URL, Secret: w.Secret.Value()}
	}
	names := make(map[string]string, len(d.marks))
	for _, m := range d.marks {
		names[m.ID] = m.Name
	}
	set, err := notify.Build(hooks, reg, d.log.Named("notify"), notify.Options{
		Now:   d.now,
		Rand:  rand.Float64,
		Marks: func(id string) string { return names[id] },
	})
	if err != nil {
		return nil, fmt.Errorf("building webhook notifiers: %w", err)
	}
	d.notify = set
	set.Start()
	notifiers := []alert.Notifier{alert.LogNotifier{Log: d.log.Named("alert")}}
	for _, n := range set.Notifiers() {
		notifiers = append(notifiers, n)
	}
	return notifiers, nil
}

// startIndex connects to Meilisearch, running the pinned binary when no URL
// is configured. A search outage must not block crawling: settings that
// cannot be applied now are retried by the indexer's first successful batch.
func (d *daemon) startIndex(ctx, bgCtx context.Context) error {
	c, managed, err := connectIndex(ctx, d.cfg, d.log)
	if err != nil {
		return err
	}
	d.meili = managed
	d.search = c
	if err := c.ApplySettings(ctx); err != nil {
		d.log.Warn("Meilisearch settings not applied; hits stay in the outbox until it answers", zap.Error(err))
	}
	d.indexer = index.NewIndexer(c, d.db, d.log.Named("indexer"), index.IndexerOptions{})
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if err := d.indexer.Run(bgCtx); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Error("indexer stopped", zap.Error(err))
		}
	}()
	return nil
}

func (d *daemon) startDemo() error {
	if !d.cfg.Sources.Demo.Enabled {
		return nil
	}
	d.demo = demo.NewServer(demo.Options{Addr: d.cfg.Sources.Demo.Listen, Log: d.log.Named("demo")})
	base, err := d.demo.Start()
	if err != nil {
		d.demo = nil
		return fmt.Errorf("starting the demo marketplace (sources.demo.listen %s; set MARKWATCH_SOURCES_DEMO_LISTEN to another port): %w", d.cfg.Sources.Demo.Listen, err)
	}
	for i := range d.sources {
		if d.sources[i].ID == demoSourceID {
			d.sources[i].BaseURL = base
		}
	}
	return nil
}

func (d *daemon) newSourceCrawler() *sourceCrawler {
	opts := crawl.Options{Log: d.log.Named("crawl"), AllowPrivate: d.cfg.Crawl.AllowPrivateAddresses, Now: d.now}
	normal := crawl.New(opts)
	opts.AllowPrivate = true // the demo marketplace lives on loopback by design
	demoCrawler := crawl.New(opts)
	byID := make(map[string]crawl.Source, len(d.sources))
	for _, s := range d.sources {
		byID[s.ID] = s
	}
	return &sourceCrawler{
		sources: byID,
		runs:    map[string]int{},
		plan: func(src crawl.Source, run int) []string {
			return crawl.PlanQueries(d.marks, queryBudget, run)
		},
		crawler: func(src crawl.Source) *crawl.Crawler {
			if src.ID == demoSourceID && d.demo != nil {
				return demoCrawler
			}
			return normal
		},
	}
}

func (d *daemon) startHTTP(reg *prometheus.Registry) error {
	h := httpapi.New(httpapi.Deps{
		Alerts: d.db,
		Hits:   hitSearcher{d.search},
		Checks: []httpapi.Check{
			{Name: "store", Fn: d.db.Ping},
			{Name: "index", Fn: d.search.Healthy},
		},
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
	}, d.log.Named("http"))
	h = httpapi.WithSources(h, newSourceControl(d.sched, d.db, d.log.Named("sources")), d.log.Named("http"))
	h = httpapi.WithReview(h, d.db, d.log.Named("http"))
	// The API, probes and metrics keep their paths; the supervisors' console
	// answers everything else.
	root := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		root.Handle(p, h)
	}
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	root.Handle("/", web.New(web.Deps{Alerts: d.db, Hits: d.db, Marks: d.marks, Sources: d.db, Location: loc}, d.log.Named("web")))
	ln, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listening on http.listen %s (set MARKWATCH_HTTP_LISTEN to another address): %w", d.cfg.HTTP.Listen, err)
	}
	d.httpURL = "http://" + ln.Addr().String()
	d.http = &http.Server{Handler: root, ReadHeaderTimeout: 10 * time.Second}
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if err := d.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("HTTP server stopped", zap.Error(err))
		}
	}()
	d.log.Info("HTTP API listening", zap.String("url", d.httpURL))
	return nil
}

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
	}, schedule.Options{Location: loc, Jitter: d.cfg.Schedule.Jitter, Log: d.log.Named("schedule")})
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

// flushTimeout bounds draining the index outbox at shutdown; what is left
// stays in the outbox for the next start.
const flushTimeout = 10 * time.Second

// notifyDrainTimeout bounds delivering queued notifications at shutdown;
// what is left is logged as dropped and stays open in the store.
const notifyDrainTimeout = 10 * time.Second

// stop shuts everything down in reverse flow order: no new runs; running
// crawls finish within the grace period or are cancelled; the API stops; the
// outbox is flushed; Meilisearch and the store close last.
func (d *daemon) stop(ctx context.Context) {
	if d.sched != nil {
		grace, cancel := context.WithTimeout(ctx, d.cfg.Crawl.ShutdownGrace)
		if err := d.sched.Stop(grace); err != nil {
			d.log.Warn("stopping scheduler", zap.Error(err))
		}
		cancel()
	}
	// After the scheduler, so no run raises alerts any more; before the
	// store closes, so shutdown reads in flow order.
	if d.notify != nil {
		nctx, cancel := context.WithTimeout(ctx, notifyDrainTimeout)
		d.notify.Stop(nctx)
		cancel()
	}
	if d.http != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := d.http.Shutdown(sctx); err != nil {
			d.log.Warn("stopping HTTP server", zap.Error(err))
		}
		cancel()
	}
	if d.indexer != nil {
		fctx, cancel := context.WithTimeout(ctx, flushTimeout)
		if err := d.indexer.Flush(fctx); err != nil {
			d.log.Warn("index outbox not fully flushed; the rest is indexed at next start", zap.Error(err))
		}
		cancel()
	}
	if d.cancel != nil {
		d.cancel()
	}
	d.bg.Wait()
	if d.demo != nil {
		if err := d.demo.Close(); err != nil {
			d.log.Warn("stopping demo marketplace", zap.Error(err))
		}
	}
	if d.meili != nil {
		mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := d.meili.Stop(mctx); err != nil {
			d.log.Warn("stopping managed Meilisearch", zap.Error(err))
		}
		cancel()
	}
	if d.db != nil {
		if err := d.db.Close(); err != nil {
			d.log.Warn("closing store", zap.Error(err))
		}
	}
}
