package notify

import (
	"context"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Record counts the outcome of each delivery and logs a failure: this is
// where a failure is handled, so callers above it (the Queue) do not log it
// again.
type Record struct {
	next    Notifier
	metrics *Metrics
	log     *zap.Logger
}

// NewRecord wraps next.
func NewRecord(next Notifier, m *Metrics, log *zap.Logger) *Record {
	m.init(next.Name())
	return &Record{next: next, metrics: m, log: log}
}

// Name implements Notifier.
func (r *Record) Name() string { return r.next.Name() }

// Notify implements Notifier and passes the outcome through unchanged.
func (r *Record) Notify(ctx context.Context, alerts []domain.Alert) (bool, error) {
	retry, err := r.next.Notify(ctx, alerts)
	n := float64(len(alerts))
	if err != nil {
		r.metrics.failed.WithLabelValues(r.Name()).Add(n)
		r.log.Warn("alerts not delivered; they stay open in the store",
			zap.String("receiver", r.Name()),
			zap.Int("alerts", len(alerts)),
			zap.Int64s("alert_ids", alertIDs(alerts)),
			zap.Bool("retryable", retry),
			zap.Error(err))
		return retry, err
	}
	r.metrics.sent.WithLabelValues(r.Name()).Add(n)
	r.log.Debug("alerts delivered", zap.String("receiver", r.Name()), zap.Int("alerts", len(alerts)))
	return false, nil
}

func alertIDs(alerts []domain.Alert) []int64 {
	ids := make([]int64, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	return ids
}
