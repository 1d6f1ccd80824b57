package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
)

var testSources = []crawl.Source{
	{ID: "demo", Schedule: "@every 10m", File: "demo.yaml"},
	{ID: "jd", Schedule: "0 */2 * * *", File: "jd.yaml"},
}

func openTestStore(t *testing.T, path string) *store.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "markwatch.db")
	}
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// gatedRuns records each run in the store, as the pipeline does, and holds
// it open until the test releases it, so "already running" can be seen.
type gatedRuns struct {
	db      *store.DB
	started chan string
	release chan struct{}
}

func (g *gatedRuns) run(ctx context.Context, id string) {
	run, err := g.db.StartRun(ctx, id)
	if err != nil {
		panic(err) // a broken test store; nothing to do but stop
	}
	g.started <- id
	select {
	case <-g.release:
		run.Status, run.Pages, run.Listings, run.EndReason = domain.RunSucceeded, 3, 60, "query plan done"
	case <-ctx.Done():
		run.Status, run.EndReason = domain.RunInterrupted, "shutdown"
	}
	if err := g.db.FinishRun(context.WithoutCancel(ctx), run); err != nil {
		panic(err)
	}
}

func newTestScheduler(t *testing.T, db *store.DB) (*schedule.Scheduler, *gatedRuns) {
	t.Helper()
	g := &gatedRuns{db: db, started: make(chan string, 4), release: make(chan struct{})}
	s, err := schedule.New(g.run, schedule.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stopping scheduler: %v", err)
		}
	})
	return s, g
}

func entryOf(t *testing.T, s *schedule.Scheduler, id string) schedule.Entry {
	t.Helper()
	e, ok := findEntry(s, id)
	if !ok {
		t.Fatalf("source %s not scheduled", id)
	}
	return e
}

func stored(t *testing.T, db *store.DB, id string) domain.SourceState {
	t.Helper()
	st, err := db.GetSource(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRestoreSchedules(t *testing.T) {
	tests := []struct {
		name       string
		before     func(t *testing.T, db *store.DB)
		srcs       []crawl.Source
		wantSpec   string // of jd, live and stored
		wantPaused bool
		wantErr    string
		wantWarn   bool
	}{
		{name: "fresh store takes the configuration", before: func(*testing.T, *store.DB) {},
			srcs: testSources, wantSpec: "0 */2 * * *"},
		{name: "operator's schedule wins over the configuration", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(context.Background(), "jd", "0 */2 * * *"); return err })
			mustDo(t, func() error { return db.SetSourceSchedule(context.Background(), "jd", "*/5 * * * *") })
		}, srcs: testSources, wantSpec: "*/5 * * * *"},
		{name: "paused stays paused", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(context.Background(), "jd", "@hourly"); return err })
			mustDo(t, func() error { return db.SetSourcePaused(context.Background(), "jd", true) })
		}, srcs: testSources, wantSpec: "@hourly", wantPaused: true},
		{name: "stored spec now refused falls back to the configuration", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(context.Background(), "jd", "0 99 * * *"); return err })
		}, srcs: testSources, wantSpec: "0 */2 * * *", wantWarn: true},
		{name: "invalid configuration is an error naming the file", before: func(*testing.T, *store.DB) {},
			srcs: []crawl.Source{{ID: "jd", Schedule: "每小时", File: "sources/jd.yaml"}}, wantErr: "scheduling source jd (sources/jd.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestStore(t, "")
			tt.before(t, db)
			sched, _ := newTestScheduler(t, db)
			core, logs := observer.New(zapcore.WarnLevel)
			err := restoreSchedules(context.Background(), db, sched, tt.srcs, zap.New(core))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("err = %v, want EINVALID containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := entryOf(t, sched, "jd")
			st := stored(t, db, "jd")
			if e.Spec != tt.wantSpec || st.Schedule != tt.wantSpec {
				t.Errorf("spec live %q stored %q, want %q", e.Spec, st.Schedule, tt.wantSpec)
			}
			if e.Paused != tt.wantPaused || st.Paused != tt.wantPaused {
				t.Errorf("paused live %v stored %v, want %v", e.Paused, st.Paused, tt.wantPaused)
			}
			if tt.wantPaused != (st.NextRunAt == nil) {
				t.Errorf("stored next run %v; want one exactly when not paused", st.NextRunAt)
			}
			if st.NextRunAt != nil && !st.NextRunAt.Equal(e.Next.Truncate(time.Millisecond)) {
				t.Errorf("stored next run %v, scheduler's %v", st.NextRunAt, e.Next)
			}
			if got := logs.FilterMessage("stored schedule refused; using the configured one").Len(); (got == 1) != tt.wantWarn {
				t.Errorf("%d fallback warnings, want warning=%v", got, tt.wantWarn)
			}
			if e := entryOf(t, sched, "demo"); e.Spec != "@every 10m" {
				t.Errorf("demo spec %q", e.Spec)
			}
		})
	}
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

func newTestControl(t *testing.T, path string) (*sourceControl, *schedule.Scheduler, *gatedRuns, *store.DB) {
	t.Helper()
	db := openTestStore(t, path)
	sched, g := newTestScheduler(t, db)
	if err := restoreSchedules(context.Background(), db, sched, testSources, nil); err != nil {
		t.Fatal(err)
	}
	return newSourceControl(sched, db, nil), sched, g, db
}

func TestSourceControlSetSchedule(t *testing.T) {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctl, sched, _, db := newTestControl(t, "")
			err := ctl.SetSchedule(context.Background(), "jd", tt.spec)
			want := tt.spec
			if tt.wantCode != "" {
				want = "0 */2 * * *" // refused: the old one stays, live and stored
				if domain.ErrorCode(err) != tt.wantCode || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("err = %v, want %s containing %q", err, tt.wantCode, tt.wantMsg)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if e, st := entryOf(t, sched, "jd"), stored(t, db, "jd"); e.Spec != want || st.Schedule != want {
				t.Errorf("live %q stored %q, want %q", e.Spec, st.Schedule, want)
			}
		})
	}
}

func TestSourceControlUnknownSource(t *testing.T) {
	ctl, _, _, _ := newTestControl(t, "")
	ctx := context.Background()
	calls := map[string]error{
		"get":      func() error { _, err := ctl.GetSource(ctx, "jingdong"); return err }(),
		"schedule": ctl.SetSchedule(ctx, "jingdong", "@hourly"),
		"pause":    ctl.Pause(ctx, "jingdong"),
		"resume":   ctl.Resume(ctx, "jingdong"),
		"trigger":  ctl.Trigger(ctx, "jingdong"),
		"runs":     func() error { _, err := ctl.Runs(ctx, "jingdong", 10); return err }(),
	}
	for name, err := range calls {
		if domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), `"jingdong" is not configured`) {
			t.Errorf("%s: %v, want not_found", name, err)
		}
	}
}

func TestSourceControlPauseResume(t *testing.T) {
	ctl, sched, _, db := newTestControl(t, "")
	ctx := context.Background()
	for _, step := range []struct {
		name   string
		do     func(context.Context, string) error
		paused bool
	}{
		{"pause", ctl.Pause, true},
		{"pause again", ctl.Pause, true},
		{"resume", ctl.Resume, false},
		{"pause then change schedule", ctl.Pause, true},
	} {
		if err := step.do(ctx, "demo"); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		e, st := entryOf(t, sched, "demo"), stored(t, db, "demo")
		if e.Paused != step.paused || st.Paused != step.paused || (st.NextRunAt == nil) != step.paused {
			t.Errorf("%s: live paused %v, stored paused %v next %v; want paused %v", step.name, e.Paused, st.Paused, st.NextRunAt, step.paused)
		}
		got, err := ctl.GetSource(ctx, "demo")
		if err != nil || got.Paused != step.paused || (got.NextRunAt == nil) != step.paused {
			t.Errorf("%s: GetSource = %+v, %v", step.name, got, err)
		}
	}
	// A new schedule on a paused source waits for resume.
	if err := ctl.SetSchedule(ctx, "demo", "@every 1m"); err != nil {
		t.Fatal(err)
	}
	if e := entryOf(t, sched, "demo"); !e.Paused || e.Spec != "@every 1m" {
		t.Errorf("after schedule change while paused: %+v", e)
	}
}

func TestSourceControlTriggerAndHistory(t *testing.T) {
	ctl, _, g, _ := newTestControl(t, "")
	ctx := context.Background()
	if err := ctl.Trigger(ctx, "jd"); err != nil {
		t.Fatal(err)
	}
	<-g.started
	if err := ctl.Trigger(ctx, "jd"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second trigger while running = %v, want conflict", err)
	}
	s, err := ctl.GetSource(ctx, "jd")
	if err != nil || !s.Running || s.LastRun == nil || s.LastRun.Status != domain.RunRunning || s.LastRunAt == nil {
		t.Fatalf("while running: %+v, %v", s, err)
	}
	close(g.release)
	waitFor(t, func() bool {
		s, err := ctl.GetSource(ctx, "jd")
		return err == nil && !s.Running && s.LastRun != nil && s.LastRun.Status == domain.RunSucceeded
	})
	runs, err := ctl.Runs(ctx, "jd", 10)
	if err != nil || len(runs) != 1 || runs[0].Pages != 3 || runs[0].EndReason != "query plan done" {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	list, err := ctl.ListSources(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "demo" || list[0].LastRun != nil || list[1].LastRun == nil {
		t.Errorf("ListSources = %+v, %v", list, err)
	}
}

// TestSourceControlSurvivesRestart is the point of storing schedules: what an
// operator changed is what runs after the daemon restarts.
func TestSourceControlSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "markwatch.db")
	ctx := context.Background()
	{
		ctl, _, _, db := newTestControl(t, path)
		mustDo(t, func() error { return ctl.SetSchedule(ctx, "jd", "*/15 * * * *") })
		mustDo(t, func() error { return ctl.Pause(ctx, "demo") })
		mustDo(t, db.Close)
	}
	_, sched, _, _ := newTestControl(t, path)
	if e := entryOf(t, sched, "jd"); e.Spec != "*/15 * * * *" || e.Paused {
		t.Errorf("jd after restart: %+v", e)
	}
	if e := entryOf(t, sched, "demo"); e.Spec != "@every 10m" || !e.Paused {
		t.Errorf("demo after restart: %+v", e)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
