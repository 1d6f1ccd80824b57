// Package alert hands new alerts to the notifiers that tell people about them.
// Which matches become alerts is the matcher's decision (with the configured
// threshold); uniqueness per (mark, listing URL) is the store's. What is left
// here is fan-out: every notifier sees every new alert, and a slow or failing
// notifier neither blocks the crawl nor loses the alert (it stays in the store,
// open, for the console and API).
package alert

import (
	"context"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Notifier delivers alerts somewhere (log, webhook, mail). retry reports
// whether a failure is worth trying again.
type Notifier interface {
	Name() string
	Notify(ctx context.Context, alerts []domain.Alert) (retry bool, err error)
}

// Dispatcher fans new alerts out to notifiers.
type Dispatcher struct {
	Log       *zap.Logger
	Notifiers []Notifier
}

// Raise tells every notifier about alerts. Failures are logged here, where
// they are handled; the alerts themselves are already stored.
func (d *Dispatcher) Raise(ctx context.Context, alerts []domain.Alert) {
	for _, n := range d.Notifiers {
		if _, err := n.Notify(ctx, alerts); err != nil {
			d.Log.Warn("notifying alerts failed", zap.String("notifier", n.Name()), zap.Int("alerts", len(alerts)), zap.Error(err))
		}
	}
}

// LogNotifier writes each new alert to the log: the notifier that works with
// no configuration at all.
type LogNotifier struct{ Log *zap.Logger }

func (LogNotifier) Name() string { return "log" }

func (n LogNotifier) Notify(_ context.Context, alerts []domain.Alert) (bool, error) {
	for _, a := range alerts {
		reasons := make([]string, 0, len(a.Reasons))
		for _, r := range a.Reasons {
			reasons = append(reasons, r.Text)
		}
		n.Log.Info("new alert",
			zap.Int64("alert_id", a.ID),
			zap.String("mark_id", a.MarkID),
			zap.String("title", a.Title),
			zap.String("seller", a.Seller),
			zap.String("location", a.Location),
			zap.String("url", a.URL),
			zap.Float64("score", a.Score),
			zap.Strings("reasons", reasons),
		)
	}
	return false, nil
}
