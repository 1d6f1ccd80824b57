package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/zap"
)

// Results of a job execution, the result label of markwatch_job_duration_seconds.
const (
	resultOK        = "ok"
	resultError     = "error"
	resultSnoozed   = "snoozed"   // its source was being run by another job
	resultCancelled = "cancelled" // stopped (SIGTERM past stop_timeout) or timed out; retried
)

// depthTimeout bounds the queue-depth query of one scrape.
const depthTimeout = 5 * time.Second

// metrics are the job metrics of docs/DISTRIBUTED.md. Per-worker page
// counts are the app's.
type metrics struct {
	wait     prometheus.Histogram
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "markwatch_job_wait_seconds",
			Help:    "Time a crawl job waited from when it was due (scheduled, retried or snoozed to) until a worker started it.",
			Buckets: prometheus.ExponentialBuckets(0.1, 4, 9), // 0.1 s … 1.8 h
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "markwatch_job_duration_seconds",
			Help:    "Time a job execution took, by kind and result (ok, error, snoozed, cancelled).",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10 ms … 44 min
		}, []string{"kind", "result"}),
	}
	for _, kind := range []string{kindCrawlRun, kindScheduleTick} {
		for _, r := range []string{resultOK, resultError, resultSnoozed, resultCancelled} {
			m.duration.WithLabelValues(kind, r)
		}
	}
	return m
}

// register puts the metrics and the queue-depth collector on reg.
func (m *metrics) register(reg prometheus.Registerer, pool *pgxpool.Pool, log *zap.Logger) error {
	for _, c := range []prometheus.Collector{m.wait, m.duration, &depthCollector{pool: pool, log: log}} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("registering job metrics: %w", err)
		}
	}
	return nil
}

// depthCollector reports markwatch_jobs{kind,state} by counting river_job
// at scrape time: the depth is the whole queue's, the same from every
// process, so a worker Deployment can scale on it. Every pair of a known
// kind and a state is reported, at zero when empty, so a series does not
// vanish when its queue drains.
type depthCollector struct {
	pool *pgxpool.Pool
	log  *zap.Logger
}

func (c *depthCollector) desc() *prometheus.Desc {
	return prometheus.NewDesc("markwatch_jobs", "Jobs in the queue, by kind and River state.", []string{"kind", "state"}, nil)
}

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc() }

func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := c.count()
	if err != nil {
		// A scrape goes on without the depth rather than failing whole.
		c.log.Warn("counting queued jobs for metrics", zap.Error(err))
		return
	}
	d := c.desc()
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(n), k.kind, k.state)
	}
}

type kindState struct{ kind, state string }

func (c *depthCollector) count() (map[kindState]int64, error) {
	counts := map[kindState]int64{}
	for _, kind := range []string{kindCrawlRun, kindScheduleTick} {
		for _, s := range rivertype.JobStates() {
			counts[kindState{kind, string(s)}] = 0
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), depthTimeout)
	defer cancel()
	rows, err := c.pool.Query(ctx, "SELECT kind, state::text, count(*) FROM river_job GROUP BY kind, state")
	if err != nil {
		return nil, fmt.Errorf("querying river_job: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k kindState
		var n int64
		if err := rows.Scan(&k.kind, &k.state, &n); err != nil {
			return nil, fmt.Errorf("reading river_job counts: %w", err)
		}
		counts[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading river_job counts: %w", err)
	}
	return counts, nil
}
