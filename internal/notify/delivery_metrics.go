package notify

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
)

// DeliveryMetrics count the Deliverer's outcomes per channel. Counts are of
// notifications (outbox rows), not messages, so a digest of twelve alerts
// counts twelve: sent + failed is what was owed, retried how often a row
// had to wait.
type DeliveryMetrics struct {
	sent    *prometheus.CounterVec
	failed  *prometheus.CounterVec
	retried *prometheus.CounterVec
}

// NewDeliveryMetrics registers the delivery counters on reg, with every
// channel's series at zero so a rate() alert works before the first
// failure.
func NewDeliveryMetrics(reg prometheus.Registerer) (*DeliveryMetrics, error) {
	m := newDeliveryMetrics()
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.retried} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering delivery metrics: %w", err)
		}
	}
	return m, nil
}

// newDeliveryMetrics makes unregistered counters: what a Deliverer counts
// into when the caller wants no metrics.
func newDeliveryMetrics() *DeliveryMetrics {
	m := &DeliveryMetrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_delivery_sent_total",
			Help: "Subscription notifications delivered, by channel.",
		}, []string{"channel"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_delivery_failed_total",
			Help: "Subscription notifications given up (permanent error, receiver disabled, subscription gone), by channel.",
		}, []string{"channel"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "markwatch_notify_delivery_retried_total",
			Help: "Subscription notifications whose delivery failed and was rescheduled, by channel.",
		}, []string{"channel"}),
	}
	for _, ch := range domain.Channels {
		m.sent.WithLabelValues(string(ch))
		m.failed.WithLabelValues(string(ch))
		m.retried.WithLabelValues(string(ch))
	}
	return m
}
