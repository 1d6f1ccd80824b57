package app

import (
	"context"

	"github.com/markwatch/markwatch/internal/alert"
)

// startNotify syncs notify.webhooks into subscriptions and returns the
// notifiers new alerts go to: the log, and a nudge to the deliverer. The
// messages themselves are rows the store wrote with the alerts, so nothing
// here holds a notification only in memory.
//
// Only the process that delivers (sync) syncs the webhooks, so two
// processes do not write the same subscriptions at once.
func (d *daemon) startNotify(ctx context.Context, sync bool) ([]alert.Notifier, error) {
	if sync {
		if err := syncConfigWebhooks(ctx, d.db, d.cfg.Notify.Webhooks); err != nil {
			return nil, err
		}
	}
	return []alert.Notifier{alert.LogNotifier{Log: d.log.Named("alert")}}, nil
}
