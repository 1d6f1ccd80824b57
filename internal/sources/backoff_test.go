package sources

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

func TestBackoff(t *testing.T) {
	cases := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {2, 0},
		{3, 15 * time.Minute}, {4, 30 * time.Minute}, {5, time.Hour},
		{8, 8 * time.Hour}, {9, 12 * time.Hour}, {50, 12 * time.Hour},
	}
	for _, c := range cases {
		if got := Backoff(c.failures); got != c.want {
			t.Errorf("Backoff(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestBackingOffReadsTheStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := New(Options{Store: db, Run: func(context.Context, string) (domain.CrawlRun, error) { return domain.CrawlRun{}, nil }, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	if err := c.Restore(ctx, []Configured{{ID: "jd", Schedule: "0 * * * *"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		failRuns(t, db, "jd", 1)
		until, skip, err := c.BackingOff(ctx, "jd")
		if err != nil || skip != (i == 2) {
			t.Fatalf("after %d failures: skip=%v err=%v", i+1, skip, err)
		}
		s, err := c.Get(ctx, "jd")
		if err != nil || (s.BackoffUntil != nil) != skip || (skip && !s.BackoffUntil.Equal(until)) {
			t.Fatalf("after %d failures the status shows back-off %v, want until %v (skip %v), err %v", i+1, s.BackoffUntil, until, skip, err)
		}
	}
	now = now.Add(16 * time.Minute)
	if until, skip, _ := c.BackingOff(ctx, "jd"); skip {
		t.Fatalf("still backing off after the 15 min wait (until %v)", until)
	}
	if s, _ := c.Get(ctx, "jd"); s.BackoffUntil != nil {
		t.Fatalf("status shows a back-off that ended: %v", s.BackoffUntil)
	}
}

// TestScheduledRunsWaitOutTheBackoff runs the real scheduler on synctest's
// clock: a source that failed three times in a row has its scheduled runs
// skipped for 15 minutes, an operator's run now goes through at once, and
// its success lets the next scheduled run go again.
func TestScheduledRunsWaitOutTheBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var scheduled atomic.Int32
		c, err := New(Options{Store: db, Run: func(ctx context.Context, id string) (domain.CrawlRun, error) {
			run, err := db.StartRun(ctx, id)
			if err != nil {
				return run, err
			}
			run.Status, run.EndReason = domain.RunSucceeded, "query plan done"
			return run, db.FinishRun(ctx, run)
		}, OnRun: func(r domain.CrawlRun) {
			if r.SourceID == "taobao" {
				scheduled.Add(1) // every run that went ahead, scheduled or asked for
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := c.Stop(sctx); err != nil {
				t.Error(err)
			}
		}()
		if _, err := db.InitSource(ctx, "taobao", "@every 1m"); err != nil {
			t.Fatal(err)
		}
		failRuns(t, db, "taobao", 3) // 淘宝 answered 403 three times in a row
		if err := c.Restore(ctx, []Configured{{ID: "taobao", Schedule: "@every 1m"}}); err != nil {
			t.Fatal(err)
		}
		c.Start(false)

		time.Sleep(14*time.Minute + 30*time.Second) // 14 ticks, all inside the back-off
		synctest.Wait()
		if n := scheduled.Load(); n != 0 {
			t.Fatalf("%d scheduled runs went ahead during the back-off", n)
		}
		if s, err := c.Get(ctx, "taobao"); err != nil || s.BackoffUntil == nil {
			t.Fatalf("status during the back-off: %+v, %v", s, err)
		}

		if err := c.Trigger(ctx, "taobao"); err != nil {
			t.Fatalf("run now during the back-off: %v", err)
		}
		synctest.Wait()
		if n := scheduled.Load(); n != 1 {
			t.Fatalf("run now during the back-off: %d runs, want 1", n)
		}
		s, err := c.Get(ctx, "taobao")
		if err != nil || s.ConsecutiveErrors != 0 || s.BackoffUntil != nil {
			t.Fatalf("after a successful run: %+v, %v", s, err)
		}

		time.Sleep(time.Minute) // the next tick: the success ended the back-off
		synctest.Wait()
		if n := scheduled.Load(); n != 2 {
			t.Fatalf("after the success: %d runs, want 2 (the next tick runs)", n)
		}
		if n, err := c.RunIndex(ctx, "taobao"); err != nil || n != 5 {
			t.Errorf("RunIndex = %d, %v; want 5 (three failures, two successes)", n, err)
		}
	})
}
