package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestInitSourceStoredScheduleWins(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, db *DB) // state left by a previous process
		config string
		want   string
	}{
		{"new source takes the config", func(*testing.T, *DB) {}, "0 */2 * * *", "0 */2 * * *"},
		{"operator's schedule survives a restart", func(t *testing.T, db *DB) {
			if _, err := db.InitSource(context.Background(), "jd", "0 */2 * * *"); err != nil {
				t.Fatal(err)
			}
			if err := db.SetSourceSchedule(context.Background(), "jd", "*/5 * * * *"); err != nil {
				t.Fatal(err)
			}
		}, "0 */2 * * *", "*/5 * * * *"},
		{"a later config value does not replace the stored one", func(t *testing.T, db *DB) {
			if _, err := db.InitSource(context.Background(), "jd", "@hourly"); err != nil {
				t.Fatal(err)
			}
		}, "@every 30m", "@hourly"},
		{"row without a schedule (a run recorded first) takes the config", func(t *testing.T, db *DB) {
			if _, err := db.StartRun(context.Background(), "jd"); err != nil {
				t.Fatal(err)
			}
		}, "30 0 8 * * *", "30 0 8 * * *"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, newClock())
			tt.before(t, db)
			st, err := db.InitSource(context.Background(), "jd", tt.config)
			if err != nil {
				t.Fatal(err)
			}
			if st.ID != "jd" || st.Schedule != tt.want {
				t.Errorf("InitSource = %+v, want schedule %q", st, tt.want)
			}
			got, err := db.GetSource(context.Background(), "jd")
			if err != nil || got.Schedule != tt.want {
				t.Errorf("GetSource = %+v, %v; want schedule %q", got, err, tt.want)
			}
		})
	}
}

func TestInitSourceKeepsPausedAndHistory(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	if _, err := db.InitSource(ctx, "taobao", "@hourly"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSourcePaused(ctx, "taobao", true); err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, "taobao")
	if err != nil {
		t.Fatal(err)
	}
	run.Status = domain.RunFailed
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	st, err := db.InitSource(ctx, "taobao", "@daily")
	if err != nil {
		t.Fatal(err)
	}
	want := domain.SourceState{ID: "taobao", Schedule: "@hourly", Paused: true, ConsecutiveErrors: 1}
	if st.LastRunAt == nil || !st.LastRunAt.Equal(clock.Now()) {
		t.Errorf("LastRunAt = %v, want %v", st.LastRunAt, clock.Now())
	}
	st.LastRunAt = nil
	if st != want {
		t.Errorf("InitSource after restart = %+v, want %+v", st, want)
	}
}

func TestSourceSetters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	if _, err := db.InitSource(ctx, "demo", "@every 10m"); err != nil {
		t.Fatal(err)
	}
	next := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

	steps := []struct {
		name  string
		do    func() error
		check func(st domain.SourceState) bool
	}{
		{"schedule", func() error { return db.SetSourceSchedule(ctx, "demo", "*/5 * * * *") },
			func(st domain.SourceState) bool { return st.Schedule == "*/5 * * * *" }},
		{"pause", func() error { return db.SetSourcePaused(ctx, "demo", true) },
			func(st domain.SourceState) bool { return st.Paused }},
		{"resume", func() error { return db.SetSourcePaused(ctx, "demo", false) },
			func(st domain.SourceState) bool { return !st.Paused }},
		{"next run", func() error { return db.SetSourceNextRun(ctx, "demo", next) },
			func(st domain.SourceState) bool { return st.NextRunAt != nil && st.NextRunAt.Equal(next) }},
		{"next run cleared", func() error { return db.SetSourceNextRun(ctx, "demo", time.Time{}) },
			func(st domain.SourceState) bool { return st.NextRunAt == nil }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		st, err := db.GetSource(ctx, "demo")
		if err != nil {
			t.Fatalf("%s: GetSource: %v", s.name, err)
		}
		if !s.check(st) {
			t.Errorf("%s: state %+v", s.name, st)
		}
	}
}

func TestSourceErrors(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	if _, err := db.InitSource(ctx, "demo", "@hourly"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"init without id", func() error { _, err := db.InitSource(ctx, " ", "@hourly"); return err }(), domain.EINVALID},
		{"empty schedule", db.SetSourceSchedule(ctx, "demo", ""), domain.EINVALID},
		{"schedule of unknown", db.SetSourceSchedule(ctx, "jingdong", "@hourly"), domain.ENOTFOUND},
		{"pause unknown", db.SetSourcePaused(ctx, "jingdong", true), domain.ENOTFOUND},
		{"next run of unknown", db.SetSourceNextRun(ctx, "jingdong", time.Now()), domain.ENOTFOUND},
		{"get unknown", func() error { _, err := db.GetSource(ctx, "jingdong"); return err }(), domain.ENOTFOUND},
	}
	for _, tt := range tests {
		if got := domain.ErrorCode(tt.err); got != tt.code {
			t.Errorf("%s: %v (code %q), want %q", tt.name, tt.err, got, tt.code)
		}
	}
	st, err := db.GetSource(ctx, "demo")
	if err != nil || st.Schedule != "@hourly" {
		t.Errorf("refused changes altered the source: %+v, %v", st, err)
	}
}

func TestListSources(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	got, err := db.ListSources(ctx)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty store: ListSources = %#v, %v; want an empty list", got, err)
	}
	for _, id := range []string{"taobao", "demo", "jd"} {
		if _, err := db.InitSource(ctx, id, "@hourly"); err != nil {
			t.Fatal(err)
		}
	}
	got, err = db.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if len(ids) != 3 || ids[0] != "demo" || ids[1] != "jd" || ids[2] != "taobao" {
		t.Errorf("ListSources ids = %v, want [demo jd taobao]", ids)
	}
}
