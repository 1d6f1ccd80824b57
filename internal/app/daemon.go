package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/match"
	"github.com/markwatch/markwatch/internal/notify"
	"github.com/markwatch/markwatch/internal/pipeline"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
)

// daemon is markwatch serve: every part, built in flow order and stopped in
// reverse. Each goroutine it starts is owned here and waited for in stop.
type daemon struct {
	cfg config.Config
	log *zap.Logger
	now func() time.Time

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
	sched     *schedule.Scheduler
	http      *http.Server
	ln        net.Listener // opened by listen, served by startHTTP
	httpURL   string

	evidence *evidenceKit

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

	// The data dir's lock before anything else: a second daemon must not
	// open the store (it would mark the first one's live runs interrupted)
	// or start a Meilisearch beside the first one's.
	if d.lock, err = datadir.Acquire(cfg.DataDir); err != nil {
		return d, fmt.Errorf("starting markwatch: %w", err)
	}

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
	if err := mergeIdentities(ctx, d.db, d.sources, log); err != nil {
		return d, err
	}
	if err := d.rebuildMatcher(ctx); err != nil {
		return d, err
	}
	if d.evidence, err = openEvidence(cfg); err != nil {
		return d, err
	}
	if err := d.startIdentity(ctx); err != nil {
		return d, err
	}
	d.startSessionSweep(bgCtx)
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
	d.registerIndexMetrics(reg)
	notifiers, err := d.startNotify(ctx)
	if err != nil {
		return d, err
	}
	if err := d.listen(); err != nil {
		return d, err
	}
	if err := d.startDelivery(bgCtx, reg); err != nil {
		return d, err
	}
	notifiers = append(notifiers, kickDelivery{d.deliverer})
	crawler := d.newSourceCrawler()
	d.runner = newRunner(runnerParts{
		crawler: crawler, matcher: &d.matcher, db: d.db, blobs: d.evidence.blobs,
		notifiers: notifiers, index: d.indexer, metrics: pipeline.NewMetrics(reg),
		log: log, now: d.now,
	})
	if err := d.startEvidence(bgCtx, crawler); err != nil {
		return d, err
	}
	if err := d.startSchedule(ctx); err != nil {
		return d, err
	}
	if err := d.startHTTP(reg); err != nil {
		return d, err
	}
	return d, nil
}

// flushTimeout bounds draining the index outbox at shutdown; what is left
// stays in the outbox for the next start.
const flushTimeout = 10 * time.Second

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
	if d.http == nil && d.ln != nil {
		_ = d.ln.Close() // opened, never served: start-up failed in between
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
	if d.lock != nil {
		if err := d.lock.Release(); err != nil {
			d.log.Warn("releasing the data dir", zap.Error(err))
		}
	}
}
