package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/jobs"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/notify"
	"github.com/markwatch/markwatch/internal/pipeline"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/sources"
	"github.com/markwatch/markwatch/internal/store"
)

// daemon is markwatch serve: every part, built in flow order and stopped in
// reverse (each pushes its stop on stops as it starts). Each goroutine it
// starts is owned here and waited for in stop.
type daemon struct {
	cfg config.Config
	// role is what this process runs, parts the parts that follows from.
	role  role
	parts parts
	log   *zap.Logger
	now   func() time.Time

	// lock keeps the data dir to this daemon; taken before anything reads
	// or writes there, released after everything else has stopped.
	lock *datadir.Lock

	marks   []domain.Mark
	matcher swapMatcher
	sources []crawl.Source
	// demoFiles are the embedded demo definitions' files, empty when the
	// demo is off: only those sources may read the demo on loopback.
	demoFiles map[string]bool
	demoBase  string // the running demo's URL
	db        *store.DB
	meili     *index.Supervisor // nil when an external server is configured
	search    *index.Client
	indexer   *index.Indexer
	demo      *demo.Server
	runner    *pipeline.Runner
	// sourcesCtl is the sources' lifecycle; sched is its scheduler.
	sourcesCtl *sources.Control
	sched      *schedule.Scheduler
	http       *http.Server
	ln         net.Listener // opened by listen, served by startHTTP
	httpURL    string

	evidence *evidenceKit
	// jobPool and jobs are the distributed mode's queue (daemon_jobs.go);
	// nil in the embedded mode.
	jobPool *pgxpool.Pool
	jobs    *jobs.Queue
	// drainGate opens when this process may drain (daemon_drainlock.go);
	// the drains run on drainCtx, which ends with the background or when
	// the drain lock is lost.
	drainGate   chan struct{}
	drainCtx    context.Context
	drainCancel context.CancelFunc

	// authKey signs unsubscribe links.
	authKey []byte
	// logins are the first administrator's one-time password (only at
	// first start) and the demo users' passwords, for serve to print.
	admin      *login
	demoLogins []login
	deliverer  *notify.Deliverer

	// onRun is told about every finished run (serve prints where to look
	// after the first one).
	onRun func(domain.CrawlRun)

	bg     sync.WaitGroup
	cancel context.CancelFunc

	// stops holds what stops each started part, pushed as it starts.
	stops stopStack
}

// startDaemon builds and starts everything. Each part pushes its stop as
// soon as it has started, so on error whatever was started is stopped again,
// in reverse.
func startDaemon(ctx context.Context, cfg config.Config, log *zap.Logger, onRun func(domain.CrawlRun)) (d *daemon, err error) {
	return startDaemonAs(ctx, cfg, roleAll, log, onRun)
}

// startDaemonAs starts the parts of the daemon role r runs (partsOf).
func startDaemonAs(ctx context.Context, cfg config.Config, r role, log *zap.Logger, onRun func(domain.CrawlRun)) (d *daemon, err error) {
	d = &daemon{cfg: cfg, log: log, now: time.Now, onRun: onRun, role: r, parts: partsOf(r)}
	p := d.parts
	bgCtx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.drainGate = make(chan struct{})
	d.drainCtx, d.drainCancel = context.WithCancel(bgCtx)
	defer func() {
		if err != nil {
			d.stop(context.Background())
		}
	}()

	// The data dir's lock before anything else: a second daemon must not
	// open the store (it would mark the first one's live runs interrupted)
	// or start a Meilisearch beside the first one's.
	if d.lock, err = datadir.Acquire(cfg.DataDir); err != nil {
		return d, fmt.Errorf("starting markwatch: %w", err)
	}
	d.stops.push("data dir lock", func(context.Context) error { return d.lock.Release() })

	// The registry next: a broken one must stop startup before anything runs.
	var matcher *match.Matcher
	if d.marks, matcher, err = buildMatcher(cfg.Registry.Path, cfg.Match.AlertThreshold); err != nil {
		return d, err
	}
	d.matcher.p.Store(matcher)
	if d.sources, d.demoFiles, err = loadSources(cfg); err != nil {
		return d, err
	}
	opts, err := storeOptions(d.marks, cfg)
	if err != nil {
		return d, err
	}
	if d.db, err = openStoreWith(ctx, cfg, true, opts); err != nil {
		return d, err
	}
	d.stops.push("store", func(context.Context) error { return d.db.Close() })
	// The job queue's pool before anything that takes connections from it
	// (the drain lock, the pacer, the queue) starts, so it closes after
	// they have stopped: closing a pool waits for its connections.
	if err := d.startJobPool(ctx); err != nil {
		return d, err
	}
	if p.drains {
		if err := mergeIdentities(ctx, d.db, d.sources, log); err != nil {
			return d, err
		}
	}
	if err := d.rebuildMatcher(ctx); err != nil {
		return d, err
	}
	if d.evidence, err = openEvidence(cfg); err != nil {
		return d, err
	}
	if err := d.startIdentity(ctx, p.api); err != nil {
		return d, err
	}
	// Background goroutines (session sweep, indexer, delivery, evidence)
	// all end with bgCtx. Stopping them is pushed now, so a start that fails
	// before the parts below stops the sweep, and again after the demo, so a
	// full stop ends them before the demo and Meilisearch they use.
	d.stops.push("background goroutines", d.stopBackground)
	if p.api {
		d.startSessionSweep(bgCtx)
	}
	// Only the embedded mode may end every running run: in the distributed
	// one other workers' runs are live, and a retried job ends its own.
	if r == roleAll {
		if n, err := d.db.InterruptRunningRuns(ctx, "markwatch stopped while the run was going"); err != nil {
			return d, fmt.Errorf("closing runs left open by a previous process: %w", err)
		} else if n > 0 {
			log.Warn("runs left running by a previous process marked interrupted", zap.Int("runs", n))
		}
	}

	if p.index {
		if err := d.startIndex(ctx, bgCtx, p.drains); err != nil {
			return d, err
		}
	}
	if d.meili != nil {
		d.stops.push("managed Meilisearch", func(ctx context.Context) error {
			mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return d.meili.Stop(mctx)
		})
	}
	if p.crawl {
		if err := d.startDemo(); err != nil {
			return d, err
		}
	}
	if d.demo != nil {
		d.stops.push("demo marketplace", func(context.Context) error { return d.demo.Close() })
	}
	d.stops.push("index outbox and background goroutines", d.flushAndStopBackground)

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
	d.registerIndexMetrics(reg)
	notifiers, err := d.startNotify(ctx, p.drains)
	if err != nil {
		return d, err
	}
	if err := d.listen(); err != nil {
		return d, err
	}
	// Closed by the server's shutdown once it serves; this closes a
	// listener opened but never served (start failed in between).
	d.stops.push("HTTP listener", func(context.Context) error {
		if err := d.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	if p.drains {
		if err := d.startDelivery(bgCtx, reg); err != nil {
			return d, err
		}
		notifiers = append(notifiers, kickDelivery{d.deliverer})
	}
	d.startDrainGate(bgCtx)
	crawler := d.newSourceCrawler()
	var kick pipeline.Kicker
	if d.indexer != nil {
		kick = d.indexer
	}
	d.runner = newRunner(runnerParts{
		crawler: crawler, matcher: &d.matcher, db: d.db, blobs: d.evidence.blobs,
		notifiers: notifiers, index: kick, metrics: pipeline.NewMetrics(reg),
		log: log, now: d.now,
	})
	if p.drains {
		if err := d.startEvidence(bgCtx, crawler); err != nil {
			return d, err
		}
	}
	if err := d.startSchedule(ctx); err != nil {
		return d, err
	}
	if err := d.startJobs(ctx, reg); err != nil {
		return d, err
	}
	if err := d.startHTTP(reg, p.api); err != nil {
		return d, err
	}
	d.stops.push("HTTP server", func(ctx context.Context) error {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return d.http.Shutdown(sctx)
	})
	if p.clock {
		d.startRuns()
	}
	return d, nil
}

// flushTimeout bounds draining the index outbox at shutdown; what is left
// stays in the outbox for the next start.
const flushTimeout = 10 * time.Second

// stop shuts down whatever started, in reverse: no new runs, and running
// crawls finish within the grace period or are cancelled; the API stops;
// the outbox is flushed and the background goroutines end; the demo,
// Meilisearch, the store and the data dir's lock go last.
func (d *daemon) stop(ctx context.Context) {
	d.stops.run(ctx, d.log)
}

// stopBackground cancels the background goroutines and waits for them. It
// may run twice (see startDaemon); the second finds nothing to wait for.
func (d *daemon) stopBackground(context.Context) error {
	d.cancel()
	d.bg.Wait()
	return nil
}

// flushAndStopBackground flushes the index outbox while the indexer still
// runs, then ends the background goroutines.
func (d *daemon) flushAndStopBackground(ctx context.Context) error {
	var err error
	if d.indexer != nil && d.draining() {
		fctx, cancel := context.WithTimeout(ctx, flushTimeout)
		if ferr := d.indexer.Flush(fctx); ferr != nil {
			err = fmt.Errorf("index outbox not fully flushed; the rest is indexed at next start: %w", ferr)
		}
		cancel()
	}
	return errors.Join(err, d.stopBackground(ctx))
}

// stopStep stops one started part.
type stopStep struct {
	name string
	stop func(context.Context) error
}

// stopStack is the daemon's cleanup stack: each part pushes its stop as it
// starts, and run stops them newest first, since what started later may
// use what started earlier. The order of stopping is the order of
// starting, read backwards, rather than a second list kept by hand.
type stopStack struct{ steps []stopStep }

func (s *stopStack) push(name string, stop func(context.Context) error) {
	s.steps = append(s.steps, stopStep{name: name, stop: stop})
}

// run stops every pushed part, newest first, each once. A part that fails
// to stop is logged and the others still stop: a daemon going down must
// release its store and data dir whatever happened before.
func (s *stopStack) run(ctx context.Context, log *zap.Logger) {
	for len(s.steps) > 0 {
		st := s.steps[len(s.steps)-1]
		s.steps = s.steps[:len(s.steps)-1]
		if err := st.stop(ctx); err != nil {
			log.Warn("stopping "+st.name, zap.Error(err))
			continue
		}
		log.Debug("stopped", zap.String("part", st.name))
	}
}
