package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

// blockingRunner signals each run's start and lets the test decide how it
// ends: after its run time, or at its context's end.
type blockingRunner struct {
	started  chan string
	runFor   time.Duration // 0: until ctx ends
	finished chan error
}

func newBlockingRunner(runFor time.Duration) *blockingRunner {
	return &blockingRunner{started: make(chan string, 8), runFor: runFor, finished: make(chan error, 8)}
}

func (r *blockingRunner) RunSource(ctx context.Context, id string, _ time.Time) error {
	r.started <- id
	var done <-chan time.Time
	if r.runFor > 0 {
		done = time.After(r.runFor)
	}
	select {
	case <-done:
		r.finished <- nil
		return nil
	case <-ctx.Done():
		r.finished <- ctx.Err()
		return ctx.Err()
	}
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("no %s within 15 s", what)
	}
	var zero T
	return zero
}

// TestStopLetsRunningJobFinish: a stop within StopTimeout waits for the
// running job, which completes; and takes no new job.
func TestStopLetsRunningJobFinish(t *testing.T) {
	url := newDB(t)
	r := newBlockingRunner(500 * time.Millisecond)
	q := newQueue(t, url, Options{Work: true, Runner: r, StopTimeout: 5 * time.Second})
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	if _, err := q.Enqueue(t.Context(), Slot{"taobao/六个核桃", slot}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.started, "run")
	begun := time.Now()
	if err := q.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begun)
	if err := waitFor(t, r.finished, "end of the run"); err != nil {
		t.Errorf("the run ended with %v, want it left to finish", err)
	}
	if took > 3*time.Second {
		t.Errorf("Stop took %s for a run of 0.5 s", took)
	}
	jobs := crawlJobs(t, q.opts.Pool)
	if len(jobs) != 1 || jobs[0].State != "completed" {
		t.Errorf("jobs %v, want one completed", jobs)
	}
	t.Logf("Stop took %s", took)

	// Stopped: a new slot waits for another worker.
	if _, err := q.Enqueue(t.Context(), Slot{"taobao/六个核桃", slot.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case id := <-r.started:
		t.Errorf("a stopped queue ran %s", id)
	default:
	}
}

// TestStopCancelsPastTimeout: a run still going at StopTimeout is
// cancelled; River puts its job back without spending an attempt (the run
// wrapped ctx's error), and its source lock is free.
func TestStopCancelsPastTimeout(t *testing.T) {
	url := newDB(t)
	r := newBlockingRunner(0)
	q := newQueue(t, url, Options{Work: true, Runner: r, StopTimeout: 300 * time.Millisecond})
	if _, err := q.Enqueue(t.Context(), Slot{"jd/衡水老白干", time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.started, "run")
	begun := time.Now()
	if err := q.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begun)
	if err := waitFor(t, r.finished, "end of the run"); !errors.Is(err, context.Canceled) {
		t.Errorf("the run ended with %v, want it cancelled", err)
	}
	if took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("Stop took %s, want about the stop timeout of 0.3 s", took)
	}
	t.Logf("Stop took %s", took)
	jobs := crawlJobs(t, q.opts.Pool)
	if len(jobs) != 1 || jobs[0].State != "available" || jobs[0].Attempt != 0 || jobs[0].Errors != 0 {
		t.Errorf("jobs %v, want one available again with no attempt spent", jobs)
	}
	l, ok, err := trySourceLock(t.Context(), newPool(t, url, 2), "jd/衡水老白干")
	if err != nil || !ok {
		t.Fatalf("the cancelled run's source lock: free %v, %v; want free", ok, err)
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
}
