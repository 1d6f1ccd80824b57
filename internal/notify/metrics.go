package notify

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery counters, one series per receiver. Counts are of
// alerts, not requests, so sent + failed + dropped adds up to what was raised
// (less what Dedup suppressed).
type Metrics struct {
	sent    *prometheus.CounterVec
	failed  *prometheus.CounterVec
	dropped *prometheus.CounterVec
	queued  *prometheus.GaugeVec
}

// NewMetrics registers the notify metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_sent_total",
			Help: "Alerts delivered to a receiver.",
		}, []string{"receiver"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_failed_total",
			Help: "Alerts whose delivery failed after retries; they stay open in the store.",
		}, []string{"receiver"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_dropped_total",
			Help: "Alerts dropped unsent from a full or stopping queue; they stay open in the store.",
		}, []string{"receiver"}),
		queued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "markwatch_notify_queue_length",
			Help: "Alerts waiting in a receiver's queue.",
		}, []string{"receiver"}),
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.dropped, m.queued} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering notify metrics: %w", err)
		}
	}
	return m, nil
}

// init makes a receiver's series exist at zero from the start, so a rate()
// alert on failures works before the first failure.
func (m *Metrics) init(receiver string) {
	m.sent.WithLabelValues(receiver)
	m.failed.WithLabelValues(receiver)
	m.dropped.WithLabelValues(receiver)
	m.queued.WithLabelValues(receiver)
}
