package app

import (
	"fmt"
	"math/rand/v2"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/notify"
)

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
