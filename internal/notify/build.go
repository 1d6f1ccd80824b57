package notify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// WebhookConfig is one configured webhook (config.Webhook, with the secret's
// value taken out by the caller: this package does not import config).
type WebhookConfig struct {
	// Name labels the receiver in logs and metrics; default
	// "webhook-<n> <scheme://host>".
	Name   string
	URL    string
	Secret string
	// Format is empty to tell DingTalk and WeCom robots from the URL's
	// host and send markwatch's signed JSON to anything else.
	Format Format
}

// Options apply to every receiver Build makes. Zero values mean defaults.
type Options struct {
	Timeout time.Duration // one POST
	Retry   RetryOptions  // Now and Rand are taken from here when set below
	// DedupSize is how many delivered alert ids each receiver remembers.
	DedupSize int
	Queue     QueueOptions
	Client    *http.Client
	Now       func() time.Time // default time.Now
	// Rand is shared by all receivers' workers, so it must be safe for
	// concurrent use; default math/rand/v2's Float64.
	Rand  func() float64
	Marks MarkNamer
}

// Set is every receiver's delivery chain, ready to be handed to the alert
// dispatcher and started and stopped with the daemon.
type Set struct {
	queues []*Queue
}

// Build makes, for each webhook, the chain Queue → Dedup → Record → Retry →
// Webhook, with the metrics registered once on reg.
func Build(hooks []WebhookConfig, reg prometheus.Registerer, log *zap.Logger, opts Options) (*Set, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	retry := opts.Retry
	retry.Now, retry.Rand = opts.Now, opts.Rand
	m, err := NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Set{}
	names := make(map[string]int, len(hooks))
	for i, h := range hooks {
		name := h.Name
		if name == "" {
			origin, err := urlOrigin(h.URL)
			if err != nil {
				return nil, fmt.Errorf("building notify.webhooks[%d]: %w", i, err)
			}
			name = fmt.Sprintf("webhook-%d %s", i+1, origin)
		}
		if first, ok := names[name]; ok {
			return nil, fmt.Errorf("building notify.webhooks[%d]: name %q already used by notify.webhooks[%d]; metrics and dedup are per name", i, name, first)
		}
		names[name] = i
		w, err := NewWebhook(WebhookOptions{
			Name: name, URL: h.URL, Secret: h.Secret, Format: h.Format,
			Timeout: opts.Timeout, Client: opts.Client, Now: opts.Now, Marks: opts.Marks,
		})
		if err != nil {
			return nil, fmt.Errorf("building notify.webhooks[%d]: %w", i, err)
		}
		var n Notifier = NewRetry(w, retry)
		n = NewRecord(n, m, log)
		n = NewDedup(n, opts.DedupSize)
		s.queues = append(s.queues, NewQueue(n, opts.Queue, m, log))
	}
	return s, nil
}

// Notifiers are the chains' entry points, one per webhook, for the alert
// dispatcher. Their Notify only enqueues.
func (s *Set) Notifiers() []Notifier {
	out := make([]Notifier, len(s.queues))
	for i, q := range s.queues {
		out[i] = q
	}
	return out
}

// Start starts every receiver's worker.
func (s *Set) Start() {
	for _, q := range s.queues {
		q.Start()
	}
}

// Stop drains every receiver's queue at once, all within ctx, and returns
// when every worker has exited.
func (s *Set) Stop(ctx context.Context) {
	var wg sync.WaitGroup
	for _, q := range s.queues {
		wg.Go(func() { q.Stop(ctx) })
	}
	wg.Wait()
}
