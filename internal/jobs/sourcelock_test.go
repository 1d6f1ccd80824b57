package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestSourceLock: the lock is per source (a look-alike name is another
// source), is free again after release, and after its holder's connection
// dies, as when a worker is killed.
func TestSourceLock(t *testing.T) {
	url := newDB(t)
	worker1, worker2 := newPool(t, url, 3), newPool(t, url, 3)
	ctx := t.Context()
	mustLock := func(t *testing.T, want bool, p string, id string) *sourceLock {
		t.Helper()
		pool := worker1
		if p == "worker2" {
			pool = worker2
		}
		l, ok, err := trySourceLock(ctx, pool, id)
		if ok {
			// A failing test must not leave its pool waiting on a held
			// connection when it closes.
			t.Cleanup(func() { _ = l.release() })
		}
		if err != nil || ok != want {
			t.Fatalf("%s locking %s: ok %v, %v; want %v", p, id, ok, err, want)
		}
		return l
	}
	l := mustLock(t, true, "worker1", "taobao/六个核桃")
	mustLock(t, false, "worker2", "taobao/六个核桃")
	other := mustLock(t, true, "worker2", "taobao/陆个核桃")
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	l = mustLock(t, true, "worker2", "taobao/六个核桃")
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	if err := other.release(); err != nil {
		t.Fatal(err)
	}

	// A dead worker: its connection is closed under the held lock.
	l = mustLock(t, true, "worker1", "jd/衡水老白干")
	if err := l.conn.Conn().Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The server frees a dead session's locks once it has seen the
	// connection end, a moment after the close (a worker's job snoozes
	// and tries again meanwhile).
	deadline := time.Now().Add(10 * time.Second)
	for {
		l2, ok, err := trySourceLock(ctx, worker2, "jd/衡水老白干")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if err := l2.release(); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a closed connection was not free within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Releasing the lost lock says so and keeps no broken connection.
	if err := l.release(); err == nil {
		t.Error("releasing a lock whose connection died: no error")
	}
	if got := worker1.Stat().TotalConns(); got != 0 {
		t.Errorf("worker1's pool keeps %d connections, want the broken one gone", got)
	}
}

// TestOneRunPerSource: two workers and one source with two due slots never
// run the source twice at once; a second source runs meanwhile.
func TestOneRunPerSource(t *testing.T) {
	url := newDB(t)
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var c counter
	runner := runnerFunc(func(ctx context.Context, id string, _ time.Time) error {
		c.enter(id)
		defer c.leave(id)
		select {
		case <-time.After(300 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	enq := newQueue(t, url, Options{})
	for _, s := range []Slot{{"taobao/六个核桃", slot}, {"taobao/六个核桃", slot.Add(time.Hour)}, {"jd/衡水老白干", slot}} {
		if _, err := enq.Enqueue(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
	for _, reg := range regs {
		newQueue(t, url, Options{Work: true, Workers: 2, Runner: runner, Snooze: 50 * time.Millisecond, Registerer: reg})
	}
	eventually(t, 20*time.Second, "three runs", func() bool { return c.done() == 3 })
	if n := c.mostPerSrc["taobao/六个核桃"]; n != 1 {
		t.Errorf("%d runs of taobao/六个核桃 at once, want 1", n)
	}
	if c.most < 2 {
		t.Errorf("at most %d runs at once; the other source should have run beside", c.most)
	}
	var snoozed uint64
	for _, reg := range regs {
		snoozed += histogramCount(t, reg, "markwatch_job_duration_seconds", map[string]string{"kind": "crawl_run", "result": "snoozed"})
	}
	if snoozed == 0 {
		t.Error("no job snoozed: the two slots never met, the test proved nothing")
	}
	t.Logf("snoozes: %d", snoozed)
	eventually(t, 5*time.Second, "the three jobs completed", func() bool {
		for _, j := range crawlJobs(t, enq.opts.Pool) {
			if j.State != "completed" {
				return false
			}
		}
		return true
	})
	for _, j := range crawlJobs(t, enq.opts.Pool) {
		if j.Attempt != 1 {
			t.Errorf("job %+v, want attempt 1: a snooze is no attempt", j)
		}
	}
}

// TestPermanentFailureNotRetried: a source the runner refuses or cannot
// find fails the same way every attempt, so its job is cancelled at once;
// another error is retried.
func TestPermanentFailureNotRetried(t *testing.T) {
	url := newDB(t)
	var calls atomic.Int64
	runner := runnerFunc(func(_ context.Context, id string, _ time.Time) error {
		calls.Add(1)
		if id == "gone/迁西板栗" {
			return domain.Errorf(domain.ENOTFOUND, "no source %s", id)
		}
		return errors.New("marketplace answered 503")
	})
	q := newQueue(t, url, Options{Work: true, Runner: runner})
	for _, id := range []string{"gone/迁西板栗", "jd/衡水老白干"} {
		if _, err := q.Enqueue(t.Context(), Slot{id, time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "the unknown source's job cancelled", func() bool {
		for _, j := range crawlJobs(t, q.opts.Pool) {
			if j.SourceID == "gone/迁西板栗" && j.State == "cancelled" {
				return true
			}
		}
		return false
	})
	eventually(t, 5*time.Second, "the failed run's error recorded", func() bool {
		for _, j := range crawlJobs(t, q.opts.Pool) {
			if j.SourceID == "jd/衡水老白干" && j.Errors > 0 {
				return true
			}
		}
		return false
	})
	for _, j := range crawlJobs(t, q.opts.Pool) {
		if j.SourceID == "jd/衡水老白干" && (j.State == "cancelled" || j.State == "discarded") {
			t.Errorf("job %+v given up after one error, want it retried", j)
		}
	}
}
