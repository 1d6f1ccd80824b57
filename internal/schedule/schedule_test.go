package schedule

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
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

func TestTriggerNeverOverlapsAndStopCancels(t *testing.T) {
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
	<-started
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
}

func TestScheduledRunFiresAndPauseStopsIt(t *testing.T) {
	fired := make(chan string, 16)
	s, err := New(func(ctx context.Context, id string) {
		if Manual(ctx) {
			t.Errorf("scheduled run of %s marked manual", id)
		}
		fired <- id
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	if err := s.Set("taobao", "* * * * * *"); err != nil { // every second
		t.Fatal(err)
	}
	s.Start()
	select {
	case id := <-fired:
		if id != "taobao" {
			t.Fatalf("fired %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("scheduled run never fired")
	}
	if err := s.Pause("taobao"); err != nil {
		t.Fatal(err)
	}
	if es := s.Entries(); !es[0].Paused || !es[0].Next.IsZero() {
		t.Fatalf("paused entry still scheduled: %+v", es[0])
	}
	if err := s.Resume("taobao"); err != nil {
		t.Fatal(err)
	}
	if es := s.Entries(); es[0].Paused {
		t.Fatalf("resume left it paused: %+v", es[0])
	}
}

func TestStopLetsARunningCrawlFinishWithinGrace(t *testing.T) {
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
	<-started
	stopped := make(chan error)
	go func() { stopped <- s.Stop(context.Background()) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while the crawl was still running")
	case <-time.After(100 * time.Millisecond):
	}
	if err := s.Trigger("demo"); err == nil {
		t.Fatal("a run was started after Stop began")
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if sawCancel.Load() {
		t.Fatal("the crawl was cancelled although it finished within the grace period")
	}
}
