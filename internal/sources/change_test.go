package sources

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSetSchedule(t *testing.T) {
	tests := []struct {
		name     string
		spec     string
		wantCode string
		wantMsg  string
	}{
		{"five fields", "*/5 * * * *", "", ""},
		{"seconds", "30 0 8 * * *", "", ""},
		{"time zone", "CRON_TZ=Asia/Shanghai 0 9 * * 1-5", "", ""},
		{"every", "@every 90m", "", ""},
		{"hour out of range", "0 99 * * *", domain.EINVALID, "not a valid cron spec"},
		{"words", "每小时", domain.EINVALID, "want 5 fields"},
		{"empty", "", domain.EINVALID, "not a valid cron spec"},
		{"every second, under the floor", "* * * * * *", domain.EINVALID, "closer than the floor of 1m"},
		{"every 30 s, under the floor", "@every 30s", domain.EINVALID, "closer than the floor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, db := newControl(t, "", nil)
			err := c.SetSchedule(context.Background(), "jd", tt.spec)
			want := tt.spec
			if tt.wantCode != "" {
				want = "0 */2 * * *" // refused: the old one stays, live and stored
				if domain.ErrorCode(err) != tt.wantCode || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("err = %v, want %s containing %q", err, tt.wantCode, tt.wantMsg)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if e, st := entryOf(t, c, "jd"), stored(t, db, "jd"); e.Spec != want || st.Schedule != want {
				t.Errorf("live %q stored %q, want %q", e.Spec, st.Schedule, want)
			}
			got, err := c.Get(context.Background(), "jd")
			if err != nil || got.Schedule != want || got.NextRunAt == nil {
				t.Errorf("status after change: %+v, %v", got, err)
			}
		})
	}
}

func TestUnknownSource(t *testing.T) {
	c, _, _ := newControl(t, "", nil)
	ctx := context.Background()
	calls := map[string]error{
		"get":      func() error { _, err := c.Get(ctx, "jingdong"); return err }(),
		"schedule": c.SetSchedule(ctx, "jingdong", "@hourly"),
		"pause":    c.Pause(ctx, "jingdong"),
		"resume":   c.Resume(ctx, "jingdong"),
		"trigger":  c.Trigger(ctx, "jingdong"),
		"runs":     func() error { _, err := c.Runs(ctx, "jingdong", 10); return err }(),
	}
	for name, err := range calls {
		if domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), `"jingdong" is not configured`) {
			t.Errorf("%s: %v, want not_found", name, err)
		}
	}
}

func TestPauseResume(t *testing.T) {
	c, _, db := newControl(t, "", nil)
	ctx := context.Background()
	for _, step := range []struct {
		name   string
		do     func(context.Context, string) error
		paused bool
	}{
		{"pause", c.Pause, true},
		{"pause again", c.Pause, true},
		{"resume", c.Resume, false},
		{"pause then change schedule", c.Pause, true},
	} {
		if err := step.do(ctx, "demo"); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		e, st := entryOf(t, c, "demo"), stored(t, db, "demo")
		if e.Paused != step.paused || st.Paused != step.paused || (st.NextRunAt == nil) != step.paused {
			t.Errorf("%s: live paused %v, stored paused %v next %v; want paused %v", step.name, e.Paused, st.Paused, st.NextRunAt, step.paused)
		}
		got, err := c.Get(ctx, "demo")
		if err != nil || got.Paused != step.paused || (got.NextRunAt == nil) != step.paused {
			t.Errorf("%s: Get = %+v, %v", step.name, got, err)
		}
	}
	// A new schedule on a paused source waits for resume.
	if err := c.SetSchedule(ctx, "demo", "@every 1m"); err != nil {
		t.Fatal(err)
	}
	if e := entryOf(t, c, "demo"); !e.Paused || e.Spec != "@every 1m" {
		t.Errorf("after schedule change while paused: %+v", e)
	}
}

func TestTriggerAndHistory(t *testing.T) {
	c, g, _ := newControl(t, "", nil)
	ctx := context.Background()
	if err := c.Trigger(ctx, "jd"); err != nil {
		t.Fatal(err)
	}
	within(t, g.started, 10e9, "triggered run")
	if err := c.Trigger(ctx, "jd"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second trigger while running = %v, want conflict", err)
	}
	s, err := c.Get(ctx, "jd")
	if err != nil || !s.Running || s.LastRun == nil || s.LastRun.Status != domain.RunRunning || s.LastRunAt == nil {
		t.Fatalf("while running: %+v, %v", s, err)
	}
	close(g.release)
	eventually(t, "run recorded as succeeded", func() bool {
		s, err := c.Get(ctx, "jd")
		return err == nil && !s.Running && s.LastRun != nil && s.LastRun.Status == domain.RunSucceeded
	})
	runs, err := c.Runs(ctx, "jd", 10)
	if err != nil || len(runs) != 1 || runs[0].Pages != 3 || runs[0].EndReason != "query plan done" {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "demo" || list[0].LastRun != nil || list[1].LastRun == nil {
		t.Errorf("List = %+v, %v", list, err)
	}
	if n, err := c.RunIndex(ctx, "jd"); err != nil || n != 1 {
		t.Errorf("RunIndex after one run = %d, %v; want 1", n, err)
	}
}

// TestSurvivesRestart is the point of storing schedules: what an operator
// changed is what runs after the daemon restarts.
func TestSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "markwatch.db")
	ctx := context.Background()
	{
		c, _, db := newControl(t, path, nil)
		mustDo(t, func() error { return c.SetSchedule(ctx, "jd", "*/15 * * * *") })
		mustDo(t, func() error { return c.Pause(ctx, "demo") })
		mustDo(t, db.Close)
	}
	c, _, _ := newControl(t, path, nil)
	if e := entryOf(t, c, "jd"); e.Spec != "*/15 * * * *" || e.Paused {
		t.Errorf("jd after restart: %+v", e)
	}
	if e := entryOf(t, c, "demo"); e.Spec != "@every 10m" || !e.Paused {
		t.Errorf("demo after restart: %+v", e)
	}
}

// TestListAndGetAgree: the list and one source are the same view, live
// schedule and stored history joined once.
func TestListAndGetAgree(t *testing.T) {
	c, _, db := newControl(t, "", nil)
	ctx := context.Background()
	failRuns(t, db, "jd", 4)
	mustDo(t, func() error { return c.Pause(ctx, "demo") })
	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		one, err := c.Get(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Schedule != one.Schedule || s.Paused != one.Paused || s.ConsecutiveErrors != one.ConsecutiveErrors ||
			(s.BackoffUntil == nil) != (one.BackoffUntil == nil) || (s.LastRun == nil) != (one.LastRun == nil) {
			t.Errorf("list %+v, get %+v", s, one)
		}
	}
	if list[1].ID != "jd" || list[1].ConsecutiveErrors != 4 || list[1].BackoffUntil == nil {
		t.Errorf("jd after 4 failures: %+v", list[1])
	}
}
