package sources

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// planners are two schedulers' Controls over one store, as two
// `serve --role scheduler` processes are over one PostgreSQL.
func planners(t *testing.T, clock *testClock, n int) []*Control {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "markwatch.db"), store.Options{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var out []*Control
	for range n {
		c, err := New(Options{Store: db, Run: func(context.Context, string) (domain.CrawlRun, error) {
			t.Error("a planner ran a crawl itself")
			return domain.CrawlRun{}, nil
		}, Now: clock.now, Planned: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Restore(context.Background(), testSources); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestPlanNamesEachDueSlotOnceAndTheSameInEveryScheduler(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 2, 8, 3, 0, 0, time.UTC) // 16:03 in Shanghai
	clock := &testClock{t: start}
	ps := planners(t, clock, 2)

	// Restore stored each source's next run; nothing is due yet.
	if due, err := ps[0].Plan(ctx); err != nil || len(due) != 0 {
		t.Fatalf("at start: %v %v, want nothing due", due, err)
	}
	// jd runs "0 */2 * * *" in Asia/Shanghai: 16:00 has passed, 18:00 (10:00 UTC) is next.
	clock.set(time.Date(2026, 12, 2, 10, 0, 1, 0, time.UTC))
	a, err := ps[0].Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ps[1].Plan(ctx) // a second scheduler a moment later
	if err != nil {
		t.Fatal(err)
	}
	jdSlot := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var sawJD, sawDemo bool
	for _, s := range a {
		sawJD = sawJD || s.SourceID == "jd" && s.At.Equal(jdSlot)
		sawDemo = sawDemo || s.SourceID == "demo"
	}
	if !sawJD || !sawDemo {
		t.Fatalf("first scheduler planned %v; want jd at %v and demo (@every 10m, overdue)", a, jdSlot)
	}
	if len(b) != 0 {
		t.Fatalf("second scheduler planned %v after the first; want nothing (the slots moved on)", b)
	}
	// Down for a day: one make-up run per source, not one per missed slot.
	clock.set(time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC))
	late, err := ps[1].Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(late) != 2 {
		t.Fatalf("after a day down: %v, want one run of each source", late)
	}
}

// A worker or api process starting (Restore) must not erase a slot that
// has come but is not planned yet.
func TestRestoringAPlannedControlKeepsTheStoredNextRun(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 12, 2, 8, 3, 0, 0, time.UTC)}
	ps := planners(t, clock, 1)
	if _, err := ps[0].Plan(ctx); err != nil { // stores jd's next run, 10:00 UTC
		t.Fatal(err)
	}
	clock.set(time.Date(2026, 12, 2, 10, 0, 3, 0, time.UTC))
	late, err := New(Options{Store: ps[0].store, Run: func(context.Context, string) (domain.CrawlRun, error) {
		return domain.CrawlRun{}, nil
	}, Now: clock.now, Planned: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := late.Restore(ctx, testSources); err != nil { // a worker restarting at 10:00:03
		t.Fatal(err)
	}
	due, err := ps[0].Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var jd bool
	for _, s := range due {
		jd = jd || s.SourceID == "jd" && s.At.Equal(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	}
	if !jd {
		t.Fatalf("planned %v after a worker restarted; want jd's 10:00 slot kept", due)
	}
}

func TestPlanKeepsPausedAndBackedOffSourcesOut(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 12, 2, 8, 3, 0, 0, time.UTC)}
	c := planners(t, clock, 1)[0]
	if err := c.Pause(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	// jd failed three times in a row at 17:59: it backs off 15 minutes.
	clock.set(time.Date(2026, 12, 2, 9, 59, 0, 0, time.UTC))
	db := c.store.(interface {
		StartRun(ctx context.Context, id string) (domain.CrawlRun, error)
		FinishRun(ctx context.Context, r domain.CrawlRun) error
	})
	for range FailuresBeforeBackoff {
		run, err := db.StartRun(ctx, "jd")
		if err != nil {
			t.Fatal(err)
		}
		run.Status, run.EndReason = domain.RunFailed, "blocked: 滑块验证"
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	clock.set(time.Date(2026, 12, 2, 10, 0, 1, 0, time.UTC))
	due, err := c.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Fatalf("planned %v; want nothing: demo is paused and jd backs off", due)
	}
	if err := c.Resume(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	// Resumed at 10:00:01, demo's next run is 10 minutes on.
	clock.set(time.Date(2026, 12, 2, 10, 5, 0, 0, time.UTC))
	if due, err = c.Plan(ctx); err != nil || len(due) != 0 {
		t.Fatalf("just after resuming demo: %v %v, want nothing yet", due, err)
	}
	clock.set(time.Date(2026, 12, 2, 10, 10, 5, 0, time.UTC))
	if due, err = c.Plan(ctx); err != nil || len(due) != 1 || due[0].SourceID != "demo" ||
		!due[0].At.Equal(time.Date(2026, 12, 2, 10, 10, 1, 0, time.UTC)) {
		t.Fatalf("after resuming demo: %v %v, want demo's run at 10:10:01 only", due, err)
	}
}
