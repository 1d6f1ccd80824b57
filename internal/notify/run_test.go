package notify

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestDelivererRun runs the loop in a synctest bubble, where time only
// moves when every goroutine is blocked: a Kick delivers at once, an
// un-kicked row waits for the poll interval, a full batch is followed at
// once by the next, and cancelling ctx ends Run with nothing left behind
// (the bubble would report a leaked goroutine).
func TestDelivererRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, time.Now())
		w.clock = nil // the bubble's clock is the fake one
		rec := &recorder{}
		w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: "https://h.example.cn"})
		d := w.deliverer(map[domain.Channel]Sender{domain.ChannelWebhook: rec}, func(o *DelivererOptions) {
			o.Now, o.Interval, o.Batch = time.Now, 5*time.Second, 2
		})
		raise := func(ids ...int64) {
			for _, id := range ids {
				a := hebeiAlert(id, "liugehetao", "六个核桄")
				w.store.mu.Lock()
				w.store.alerts[id] = a
				w.store.mu.Unlock()
				w.store.insert(w.router.Route(domain.AlertEvent{Kind: domain.EventAlert, Alert: a, At: time.Now()}, w.store.subscribers())...)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var runErr error
		wg.Go(func() { runErr = d.Run(ctx) })
		synctest.Wait() // the first pass found nothing and is waiting

		start := time.Now()
		raise(1)
		d.Kick()
		synctest.Wait()
		if n := len(rec.messages()); n != 1 || time.Since(start) != 0 {
			t.Fatalf("after Kick: %d messages at +%s, want 1 at once", n, time.Since(start))
		}

		raise(2)
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if n := len(rec.messages()); n != 1 {
			t.Fatalf("without Kick, before the interval: %d messages, want 1", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := len(rec.messages()); n != 2 {
			t.Fatalf("at the interval: %d messages, want 2", n)
		}

		// Five rows with a batch of two: three passes back to back.
		raise(3, 4, 5, 6, 7)
		before := time.Now()
		d.Kick()
		synctest.Wait()
		if n := len(rec.messages()); n != 7 || time.Since(before) != 0 {
			t.Fatalf("full batches: %d messages at +%s, want 7 at once", n, time.Since(before))
		}

		d.Kick() // a Kick while idle never blocks, nor does a second one
		d.Kick()
		cancel()
		wg.Wait()
		if runErr != nil {
			t.Errorf("Run returned %v, want nil on shutdown", runErr)
		}
	})
}

// TestDelivererRunStoreDown: a failing store is logged and retried at the
// interval, not in a tight loop.
func TestDelivererRunStoreDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, time.Now())
		var mu sync.Mutex
		reads := 0
		w.store.failRead = context.DeadlineExceeded
		w.store.afterCall = func(m string) {
			if m == "DueNotifications" {
				mu.Lock()
				reads++
				mu.Unlock()
			}
		}
		d := w.deliverer(nil, func(o *DelivererOptions) { o.Now, o.Interval = time.Now, time.Second })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+time.Millisecond)
		defer cancel()
		if err := d.Run(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if reads != 11 {
			t.Errorf("%d reads in 10s at a 1s interval, want 11", reads)
		}
	})
}
