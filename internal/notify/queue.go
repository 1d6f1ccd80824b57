package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// QueueOptions sizes a Queue.
type QueueOptions struct {
	// Size bounds the alerts waiting; default 1,000.
	Size int
	// MaxBatch bounds the alerts in one delivery, so a crawl that raises
	// hundreds sends a few requests, not hundreds; default 50.
	MaxBatch int
}

// Queue takes deliveries off the caller's path. The alert dispatcher is
// called from the crawl's store writer; a webhook that takes seconds to
// answer, or Retry backing off for a minute, must not stall crawling. Notify
// only appends to a bounded buffer; one worker goroutine, owned by the Queue
// between Start and Stop, sends in order, one batch at a time. One worker per
// receiver also keeps a slow receiver from delaying the others.
//
// When the buffer is full the oldest waiting alerts are dropped (counted in
// markwatch_notify_dropped_total and logged), not the new ones. A receiver
// that is that far behind is best told about what is on sale now; the older
// alerts had their turn, and every dropped alert is still open in the store,
// in the console and API, so nothing is lost but the push.
type Queue struct {
	next    Notifier
	opts    QueueOptions
	metrics *Metrics
	log     *zap.Logger

	mu      sync.Mutex
	buf     []domain.Alert
	started bool
	closed  bool // Stop was called: no more alerts are taken

	wake     chan struct{} // a token when buf gains alerts
	stopping chan struct{} // closed by Stop: drain, then exit
	done     chan struct{} // closed by the worker as it exits
	ctx      context.Context
	cancel   context.CancelFunc // ends the delivery in flight
}

// NewQueue wraps next; call Start to begin sending.
func NewQueue(next Notifier, opts QueueOptions, m *Metrics, log *zap.Logger) *Queue {
	if opts.Size <= 0 {
		opts.Size = 1000
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 50
	}
	m.init(next.Name())
	// The worker's context is not the caller of Start's: deliveries outlive
	// the call, and end only when Stop gives up on draining.
	ctx, cancel := context.WithCancel(context.Background())
	return &Queue{
		next: next, opts: opts, metrics: m, log: log,
		wake: make(chan struct{}, 1), stopping: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel,
	}
}

// Name implements Notifier.
func (q *Queue) Name() string { return q.next.Name() }

// ErrStopped is returned by Notify after Stop.
var ErrStopped = errors.New("notification queue stopped")

// Notify enqueues alerts and returns at once. It fails only after Stop; a
// full buffer drops older alerts instead.
func (q *Queue) Notify(_ context.Context, alerts []domain.Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.metrics.dropped.WithLabelValues(q.Name()).Add(float64(len(alerts)))
		return false, fmt.Errorf("queueing %d alerts for %s: %w", len(alerts), q.Name(), ErrStopped)
	}
	q.buf = append(q.buf, alerts...)
	dropped := 0
	if over := len(q.buf) - q.opts.Size; over > 0 {
		// Copy down rather than reslice, so the backing array does not
		// keep growing under sustained overload.
		q.buf = q.buf[:copy(q.buf, q.buf[over:])]
		dropped = over
	}
	q.metrics.queued.WithLabelValues(q.Name()).Set(float64(len(q.buf)))
	q.mu.Unlock()

	select {
	case q.wake <- struct{}{}:
	default: // the worker already has a wake-up pending
	}
	if dropped > 0 {
		q.metrics.dropped.WithLabelValues(q.Name()).Add(float64(dropped))
		q.log.Warn("notification queue full; oldest alerts dropped unsent, they stay open in the store",
			zap.String("receiver", q.Name()), zap.Int("dropped", dropped), zap.Int("queue_size", q.opts.Size))
	}
	return false, nil
}

// Start starts the worker. Calling it again, or after Stop, does nothing.
func (q *Queue) Start() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started || q.closed {
		return
	}
	q.started = true
	go q.work()
}

// Stop refuses new alerts, lets the worker deliver what is queued until ctx
// ends, then cancels the delivery in flight, waits for the worker to exit
// and logs how many alerts were left unsent.
func (q *Queue) Stop(ctx context.Context) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	started := q.started
	q.mu.Unlock()

	if started {
		close(q.stopping)
		select {
		case <-q.done:
		case <-ctx.Done():
			q.cancel()
			<-q.done
		}
	}
	q.cancel()

	q.mu.Lock()
	left := len(q.buf)
	q.buf = nil
	q.mu.Unlock()
	q.metrics.queued.WithLabelValues(q.Name()).Set(0)
	if left > 0 {
		q.metrics.dropped.WithLabelValues(q.Name()).Add(float64(left))
		q.log.Warn("notification queue stopped before it was drained; the alerts stay open in the store",
			zap.String("receiver", q.Name()), zap.Int("dropped", left))
	}
}

// work delivers batches until Stop: after stopping is closed it keeps going
// until the buffer is empty or its context is cancelled.
func (q *Queue) work() {
	defer close(q.done)
	for {
		if q.ctx.Err() != nil {
			return
		}
		if batch := q.take(); len(batch) > 0 {
			// Record, inside the chain, has counted and logged the outcome.
			_, _ = q.next.Notify(q.ctx, batch)
			continue
		}
		select {
		case <-q.wake:
		case <-q.stopping:
			if q.empty() {
				return
			}
		case <-q.ctx.Done():
			return
		}
	}
}

// take removes up to MaxBatch alerts from the front of the buffer.
func (q *Queue) take() []domain.Alert {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.buf), q.opts.MaxBatch)
	if n == 0 {
		return nil
	}
	batch := make([]domain.Alert, n)
	copy(batch, q.buf)
	q.buf = q.buf[:copy(q.buf, q.buf[n:])]
	q.metrics.queued.WithLabelValues(q.Name()).Set(float64(len(q.buf)))
	return batch
}

func (q *Queue) empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.buf) == 0
}
