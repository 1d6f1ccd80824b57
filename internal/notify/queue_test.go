package notify

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// gated is a receiver that holds each delivery until the test lets it go
// (or the delivery's context ends), so a test controls what is in flight.
type gated struct {
	entered chan []domain.Alert // a delivery has started
	release chan struct{}       // one token lets one delivery finish

	mu  sync.Mutex
	ids []int64
}

func newGated() *gated {
	return &gated{entered: make(chan []domain.Alert, 100), release: make(chan struct{}, 100)}
}

func (g *gated) Name() string { return "slow" }

func (g *gated) Notify(ctx context.Context, alerts []domain.Alert) (bool, error) {
	g.entered <- alerts
	select {
	case <-g.release:
	case <-ctx.Done():
		return true, ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ids = append(g.ids, alertIDs(alerts)...)
	return false, nil
}

func (g *gated) delivered() []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.ids)
}

func newTestQueue(t *testing.T, next Notifier, opts QueueOptions) (*Queue, *observer.ObservedLogs, func(string) float64) {
	m, reg := newMetrics(t)
	core, logs := observer.New(zap.InfoLevel)
	q := NewQueue(next, opts, m, zap.New(core))
	return q, logs, func(name string) float64 { return counter(t, reg, name, next.Name()) }
}

// Notify returns while the receiver is stuck, and Stop delivers what was
// queued, in order.
func TestQueueDoesNotBlockOnASlowReceiver(t *testing.T) {
	g := newGated()
	q, _, metric := newTestQueue(t, g, QueueOptions{Size: 100, MaxBatch: 10})
	q.Start()
	for id := int64(1); id <= 30; id++ {
		// Had Notify waited for the receiver, this loop would never end:
		// nothing is released until after it.
		if _, err := q.Notify(context.Background(), alertsWithIDs(id)); err != nil {
			t.Fatal(err)
		}
	}
	<-g.entered // the first batch is in flight and held
	if got := metric("markwatch_notify_queue_length"); got < 20 {
		t.Errorf("queue length = %v with the receiver stuck, want at least 20", got)
	}
	for range 30 {
		g.release <- struct{}{}
	}
	q.Stop(context.Background())
	want := make([]int64, 30)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if got := g.delivered(); !slices.Equal(got, want) {
		t.Errorf("delivered %v, want 1..30 in order", got)
	}
	if metric("markwatch_notify_dropped_total") != 0 || metric("markwatch_notify_queue_length") != 0 {
		t.Error("nothing should be dropped or left when Stop drains in time")
	}
}

func TestQueueFullDropsOldest(t *testing.T) {
	g := newGated()
	q, logs, metric := newTestQueue(t, g, QueueOptions{Size: 3, MaxBatch: 10})
	q.Start()
	if _, err := q.Notify(context.Background(), alertsWithIDs(1)); err != nil {
		t.Fatal(err)
	}
	<-g.entered // alert 1 is in flight, the buffer is empty
	if _, err := q.Notify(context.Background(), alertsWithIDs(2, 3, 4)); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Notify(context.Background(), alertsWithIDs(5, 6)); err != nil {
		t.Fatal(err) // a full buffer is not the caller's failure
	}
	for range 2 {
		g.release <- struct{}{}
	}
	q.Stop(context.Background())
	if got := g.delivered(); !slices.Equal(got, []int64{1, 4, 5, 6}) {
		t.Errorf("delivered %v, want 1 then the newest three", got)
	}
	if got := metric("markwatch_notify_dropped_total"); got != 2 {
		t.Errorf("dropped = %v, want 2", got)
	}
	if n := logs.FilterMessageSnippet("queue full").Len(); n != 1 {
		t.Errorf("%d logs of the full queue, want 1", n)
	}
}

// When Stop's context ends, the delivery in flight is cancelled, the worker
// exits, and what was left is counted and logged.
func TestQueueStopGivesUpWithContext(t *testing.T) {
	g := newGated()
	q, logs, metric := newTestQueue(t, g, QueueOptions{Size: 100, MaxBatch: 2})
	q.Start()
	if _, err := q.Notify(context.Background(), alertsWithIDs(1, 2, 3, 4, 5)); err != nil {
		t.Fatal(err)
	}
	<-g.entered // {1,2} held until cancelled
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q.Stop(ctx) // returns only once the worker has exited
	select {
	case <-q.done:
	default:
		t.Fatal("Stop returned before the worker exited")
	}
	if got := g.delivered(); len(got) != 0 {
		t.Errorf("delivered %v after Stop gave up", got)
	}
	if got := metric("markwatch_notify_dropped_total"); got != 3 {
		t.Errorf("dropped = %v, want the 3 never started", got)
	}
	e := logs.FilterMessageSnippet("stopped before it was drained").All()
	if len(e) != 1 || e[0].ContextMap()["dropped"] != int64(3) {
		t.Errorf("stop logged %v, want one entry with dropped=3", e)
	}
	if _, err := q.Notify(context.Background(), alertsWithIDs(6)); !errors.Is(err, ErrStopped) {
		t.Errorf("Notify after Stop = %v, want ErrStopped", err)
	}
	q.Stop(context.Background()) // a second Stop is harmless
}

func TestQueueBatchesAndStartsOnce(t *testing.T) {
	s := &script{name: "hook"}
	q, _, _ := newTestQueue(t, s, QueueOptions{MaxBatch: 2})
	// Queued before Start: delivered once the worker runs.
	if _, err := q.Notify(context.Background(), alertsWithIDs(1, 2, 3, 4, 5)); err != nil {
		t.Fatal(err)
	}
	q.Start()
	q.Start()
	q.Stop(context.Background())
	var sizes []int
	for _, b := range s.batches {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) {
		t.Errorf("batch sizes %v, want [2 2 1]", sizes)
	}
	q.Start() // after Stop: no worker, nothing to wait for
}

func TestQueueStoppedBeforeStartCountsWhatWasQueued(t *testing.T) {
	s := &script{name: "hook"}
	q, _, metric := newTestQueue(t, s, QueueOptions{})
	if _, err := q.Notify(context.Background(), alertsWithIDs(1, 2)); err != nil {
		t.Fatal(err)
	}
	q.Stop(context.Background())
	if s.calls() != 0 || metric("markwatch_notify_dropped_total") != 2 {
		t.Errorf("calls %d, dropped %v; want none sent and 2 dropped", s.calls(), metric("markwatch_notify_dropped_total"))
	}
}
