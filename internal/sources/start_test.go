package sources

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

func TestRestore(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		before     func(t *testing.T, db *store.DB)
		srcs       []Configured
		wantSpec   string // of jd, live and stored
		wantPaused bool
		wantErr    string
		wantWarn   bool
	}{
		{name: "fresh store takes the configuration", before: func(*testing.T, *store.DB) {},
			srcs: testSources, wantSpec: "0 */2 * * *"},
		{name: "operator's schedule wins over the configuration", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(ctx, "jd", "0 */2 * * *"); return err })
			mustDo(t, func() error { return db.SetSourceSchedule(ctx, "jd", "*/5 * * * *") })
		}, srcs: testSources, wantSpec: "*/5 * * * *"},
		{name: "paused stays paused", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(ctx, "jd", "@hourly"); return err })
			mustDo(t, func() error { return db.SetSourcePaused(ctx, "jd", true) })
		}, srcs: testSources, wantSpec: "@hourly", wantPaused: true},
		{name: "stored spec now refused falls back to the configuration", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(ctx, "jd", "0 99 * * *"); return err })
		}, srcs: testSources, wantSpec: "0 */2 * * *", wantWarn: true},
		{name: "stored spec under the floor falls back to the configuration", before: func(t *testing.T, db *store.DB) {
			mustDo(t, func() error { _, err := db.InitSource(ctx, "jd", "* * * * * *"); return err })
		}, srcs: testSources, wantSpec: "0 */2 * * *", wantWarn: true},
		{name: "invalid configuration is an error naming the file", before: func(*testing.T, *store.DB) {},
			srcs: []Configured{{ID: "jd", Schedule: "每小时", File: "sources/jd.yaml"}}, wantErr: "scheduling source jd (sources/jd.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := openStore(t, "")
			tt.before(t, db)
			core, logs := observer.New(zapcore.WarnLevel)
			c, err := New(Options{Store: db, Run: func(context.Context, string) (domain.CrawlRun, error) {
				return domain.CrawlRun{}, nil
			}, Log: zap.New(core)})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Stop(context.Background())
			err = c.Restore(ctx, tt.srcs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("err = %v, want EINVALID containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, st := entryOf(t, c, "jd"), stored(t, db, "jd")
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
			if e := entryOf(t, c, "demo"); e.Spec != "@every 10m" {
				t.Errorf("demo spec %q", e.Spec)
			}
		})
	}
}

// TestStartMakesUpMissedRuns: a source whose stored next run passed while no
// daemon ran is crawled once at start; one not yet due, or paused, is left
// to its schedule; with run on start every unpaused source runs.
func TestStartMakesUpMissedRuns(t *testing.T) {
	ctx := context.Background()
	hourAgo, inAnHour := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tests := []struct {
		name       string
		next       map[string]time.Time // stored next run per source
		paused     []string
		runOnStart bool
		want       []string // running after Start
	}{
		{name: "fresh store, nothing due", want: nil},
		{name: "jd due while down", next: map[string]time.Time{"jd": hourAgo, "demo": inAnHour}, want: []string{"jd"}},
		{name: "both due", next: map[string]time.Time{"jd": hourAgo, "demo": hourAgo}, want: []string{"demo", "jd"}},
		{name: "due but paused by an operator", next: map[string]time.Time{"jd": hourAgo}, paused: []string{"jd"}, want: nil},
		{name: "run on start runs every unpaused source", runOnStart: true, paused: []string{"demo"}, want: []string{"jd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := openStore(t, "")
			for _, src := range testSources {
				mustDo(t, func() error { _, err := db.InitSource(ctx, src.ID, src.Schedule); return err })
				if next, ok := tt.next[src.ID]; ok {
					mustDo(t, func() error { return db.SetSourceNextRun(ctx, src.ID, next) })
				}
			}
			for _, id := range tt.paused {
				mustDo(t, func() error { return db.SetSourcePaused(ctx, id, true) })
			}
			g := &gatedRuns{db: db, started: make(chan string, 4), release: make(chan struct{})}
			c, err := New(Options{Store: db, Run: g.run})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				close(g.release)
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if err := c.Stop(sctx); err != nil {
					t.Error(err)
				}
			}()
			if err := c.Restore(ctx, testSources); err != nil {
				t.Fatal(err)
			}
			c.Start(tt.runOnStart)
			// Trigger marks a source running before it returns, so Start's
			// first runs are visible at once.
			var running []string
			for _, e := range c.Scheduler().Entries() {
				if e.Running {
					running = append(running, e.SourceID)
				}
			}
			if strings.Join(running, ",") != strings.Join(tt.want, ",") {
				t.Errorf("running after start: %v, want %v", running, tt.want)
			}
			for range tt.want {
				within(t, g.started, 10*time.Second, "first run")
			}
		})
	}
}
