package pipeline

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
)

// Metrics are the per-source crawl metrics operators graph and alert on.
type Metrics struct {
	runs     *prometheus.CounterVec
	pages    *prometheus.CounterVec
	listings *prometheus.CounterVec
	hits     *prometheus.CounterVec
	alerts   *prometheus.CounterVec
	errors   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lastRun  *prometheus.GaugeVec
	// degradedRuns counts runs found degraded; sourceDegraded is 1 while a
	// source's latest judged run is, so an alert rule can fire on it and
	// clear when the definition is fixed.
	degradedRuns   *prometheus.CounterVec
	sourceDegraded *prometheus.GaugeVec
	imageResults   *prometheus.CounterVec
}

// NewMetrics registers the pipeline's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_runs_total", Help: "Crawl runs by source and final status.",
		}, []string{"source", "status"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_pages_total", Help: "Pages fetched and extracted, by source.",
		}, []string{"source"}),
		listings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_listings_total", Help: "Listings extracted and stored, by source.",
		}, []string{"source"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_match_hits_total", Help: "Listings that resemble a protected mark, by source.",
		}, []string{"source"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_alerts_raised_total", Help: "New alerts, by source.",
		}, []string{"source"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_errors_total", Help: "Crawl errors by source and kind (http_429, http_5xx, timeout, parse, robots, ...).",
		}, []string{"source", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "markwatch_crawl_run_duration_seconds", Help: "Duration of crawl runs.",
			Buckets: prometheus.ExponentialBuckets(0.5, 2, 12),
		}, []string{"source"}),
		lastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "markwatch_crawl_last_run_timestamp_seconds", Help: "When the last run of a source ended.",
		}, []string{"source"}),
		degradedRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_runs_degraded_total", Help: "Crawl runs whose selectors stopped matching (read by auto-detection, fewer listings per page, a field gone empty), by source.",
		}, []string{"source"}),
		sourceDegraded: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "markwatch_source_degraded", Help: "1 while the latest judged run of a source was degraded, else 0.",
		}, []string{"source"}),
		imageResults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_crawl_images_total", Help: "Listing images for the image signal, by source and result (fetched, cached, or a failure's kind).",
		}, []string{"source", "result"}),
	}
	reg.MustRegister(m.runs, m.pages, m.listings, m.hits, m.alerts, m.errors, m.duration, m.lastRun,
		m.degradedRuns, m.sourceDegraded, m.imageResults)
	return m
}

func (m *Metrics) counted(source string, listings, hits, newAlerts int) {
	if m == nil {
		return
	}
	m.listings.WithLabelValues(source).Add(float64(listings))
	m.hits.WithLabelValues(source).Add(float64(hits))
	m.alerts.WithLabelValues(source).Add(float64(newAlerts))
}

func (m *Metrics) images(source string, byResult map[string]int) {
	if m == nil {
		return
	}
	for result, n := range byResult {
		m.imageResults.WithLabelValues(source, result).Add(float64(n))
	}
}

func (m *Metrics) run(r domain.CrawlRun, d time.Duration) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(r.SourceID, string(r.Status)).Inc()
	m.pages.WithLabelValues(r.SourceID).Add(float64(r.Pages))
	for kind, n := range r.Errors {
		m.errors.WithLabelValues(r.SourceID, kind).Add(float64(n))
	}
	m.duration.WithLabelValues(r.SourceID).Observe(d.Seconds())
	if r.FinishedAt != nil {
		m.lastRun.WithLabelValues(r.SourceID).Set(float64(r.FinishedAt.Unix()))
	}
}

// health records the verdict on a judged run.
func (m *Metrics) health(r domain.CrawlRun) {
	if m == nil {
		return
	}
	if r.Degraded {
		m.degradedRuns.WithLabelValues(r.SourceID).Inc()
		m.sourceDegraded.WithLabelValues(r.SourceID).Set(1)
		return
	}
	// Touch the counter so a source shows 0 rather than no series.
	m.degradedRuns.WithLabelValues(r.SourceID)
	m.sourceDegraded.WithLabelValues(r.SourceID).Set(0)
}
