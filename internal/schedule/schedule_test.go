package schedule

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		spec string
		ok   bool
	}{
		{"0 */2 * * *", true},
		{"30 0 */2 * * *", true}, // seconds field
		{"@every 10m", true},
		{"CRON_TZ=Asia/Shanghai 0 8 * * *", true},
		{"0 25 * * *", false},
		{"每小时", false},
		{"", false},
	}
	for _, c := range cases {
		err := Validate(c.spec)
		if (err == nil) != c.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", c.spec, err, c.ok)
		}
		if err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Validate(%q) code = %q, want invalid", c.spec, domain.ErrorCode(err))
		}
	}
}

func TestSetRefusesBadSpecAndKeepsOld(t *testing.T) {
	s, err := New(func(context.Context, string) {}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	if err := s.Set("demo", "0 */2 * * *"); err != nil {
		t.Fatal(err)
	}
	err = s.Set("demo", "0 99 * * *")
	if err == nil || !strings.Contains(err.Error(), "not a valid cron spec") {
		t.Fatalf("bad spec accepted or unclear error: %v", err)
	}
	es := s.Entries()
	if len(es) != 1 || es[0].Spec != "0 */2 * * *" || es[0].Next.IsZero() {
		t.Fatalf("old schedule not kept: %+v", es)
	}
}

// waitFor bounds a wait on a channel, so a broken scheduler fails the test
// instead of hanging it until the package timeout. Inside a synctest
// bubble the bound is on the fake clock and costs no real time.
func waitFor[T any](t *testing.T, ch <-chan T, within time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(within):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestTriggerNeverOverlapsAndStopCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{}, 4)
		var cancelled atomic.Bool
		run := func(ctx context.Context, id string) {
			if !Manual(ctx) {
				t.Errorf("triggered run of %s not marked manual", id)
			}
			started <- struct{}{}
			<-ctx.Done() // a long crawl, ended only by shutdown
			cancelled.Store(true)
		}
		s, err := New(run, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set("jd", "@every 1h"); err != nil {
			t.Fatal(err)
		}
		if err := s.Trigger("jd"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, started, time.Second, "the triggered run")
		if err := s.Trigger("jd"); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second trigger while running: got %v, want conflict", err)
		}
		if err := s.Trigger("nope"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("unknown source: got %v, want not_found", err)
		}
		// The grace period runs out before the crawl ends: Stop cancels it.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if !cancelled.Load() {
			t.Fatal("Stop returned before the running job saw cancellation")
		}
	})
}

func TestScheduledRunFiresAndPauseStopsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fired := make(chan string, 16)
		s, err := New(func(ctx context.Context, id string) {
			if Manual(ctx) {
				t.Errorf("scheduled run of %s marked manual", id)
			}
			fired <- id
		}, Options{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop(context.Background())
		if err := s.Set("taobao", "@every 1m"); err != nil {
			t.Fatal(err)
		}
		s.Start()
		start := time.Now()
		if id := waitFor(t, fired, time.Hour, "the scheduled run"); id != "taobao" {
			t.Fatalf("fired %q", id)
		}
		if got := time.Since(start); got != time.Minute {
			t.Fatalf("first run after %s, want 1m", got)
		}
		if err := s.Pause("taobao"); err != nil {
			t.Fatal(err)
		}
		if es := s.Entries(); !es[0].Paused || !es[0].Next.IsZero() {
			t.Fatalf("paused entry still scheduled: %+v", es[0])
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := len(fired); n != 0 {
			t.Fatalf("%d runs while paused", n)
		}
		if err := s.Resume("taobao"); err != nil {
			t.Fatal(err)
		}
		if es := s.Entries(); es[0].Paused {
			t.Fatalf("resume left it paused: %+v", es[0])
		}
		waitFor(t, fired, time.Hour, "a run after resume")
	})
}

func TestStopLetsARunningCrawlFinishWithinGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{})
		var sawCancel atomic.Bool
		run := func(ctx context.Context, id string) {
			close(started)
			<-release // the crawl finishes on its own
			sawCancel.Store(ctx.Err() != nil)
		}
		s, err := New(run, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Set("demo", "@every 1h"); err != nil {
			t.Fatal(err)
		}
		if err := s.Trigger("demo"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, started, time.Second, "the triggered run")
		stopped := make(chan error, 1)
		go func() { stopped <- s.Stop(context.Background()) }()
		synctest.Wait() // Stop is now blocked on the run, or has returned
		select {
		case <-stopped:
			t.Fatal("Stop returned while the crawl was still running")
		default:
		}
		if err := s.Trigger("demo"); err == nil {
			t.Fatal("a run was started after Stop began")
		}
		close(release)
		if err := waitFor(t, stopped, time.Second, "Stop"); err != nil {
			t.Fatal(err)
		}
		if sawCancel.Load() {
			t.Fatal("the crawl was cancelled although it finished within the grace period")
		}
	})
}
