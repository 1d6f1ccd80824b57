package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/sources"
	"github.com/markwatch/markwatch/internal/store"
)

// The lifecycle's own tests are in internal/sources; these check the
// wiring: the API and the console read its one view.

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

func (g *gatedRuns) run(ctx context.Context, id string) (domain.CrawlRun, error) {
	run, err := g.db.StartRun(ctx, id)
	if err != nil {
		return run, err
	}
	g.started <- id
	select {
	case <-g.release:
		run.Status, run.Pages, run.Listings, run.EndReason = domain.RunSucceeded, 3, 60, "query plan done"
	case <-ctx.Done():
		run.Status, run.EndReason = domain.RunInterrupted, "shutdown"
	}
	return run, g.db.FinishRun(context.WithoutCancel(ctx), run)
}

// newTestControl is the API's view of a real lifecycle over a real store,
// its sources restored, its clock not started.
func newTestControl(t *testing.T, path string) (apiSources, *schedule.Scheduler, *gatedRuns, *store.DB) {
	t.Helper()
	db := openTestStore(t, path)
	g := &gatedRuns{db: db, started: make(chan string, 4), release: make(chan struct{})}
	ctl, err := sources.New(sources.Options{Store: db, Run: g.run})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ctl.Stop(ctx); err != nil {
			t.Errorf("stopping scheduler: %v", err)
		}
	})
	if err := ctl.Restore(context.Background(), configured(testSources)); err != nil {
		t.Fatal(err)
	}
	return apiSources{ctl}, ctl.Scheduler(), g, db
}

// TestAPIAndConsoleReadOneView: what the API answers and what the console
// shows come from one call, so they agree on every field both show, and
// neither lists a source the store remembers but the configuration no
// longer has (the console once read the store's rows and did).
func TestAPIAndConsoleReadOneView(t *testing.T) {
	ctx := context.Background()
	api, _, g, db := newTestControl(t, "")
	console := consoleSources{ctl: api.Control, db: db}
	if _, err := db.InitSource(ctx, "pinduoduo", "@hourly"); err != nil { // removed from the configuration since
		t.Fatal(err)
	}
	for range 3 { // 京东 answered 403 three times in a row
		run, err := db.StartRun(ctx, "jd")
		if err != nil {
			t.Fatal(err)
		}
		run.Status, run.EndReason = domain.RunFailed, "HTTP 403 from every page"
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	mustDo(t, func() error { return api.SetSchedule(ctx, "demo", "*/20 * * * *") })
	mustDo(t, func() error { return api.Trigger(ctx, "demo") })
	select {
	case <-g.started:
	case <-time.After(10 * time.Second):
		t.Fatal("triggered run did not start within 10s")
	}
	defer close(g.release)

	fromAPI, err := api.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromConsole, err := console.SourceStatuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromAPI) != 2 || len(fromConsole) != 2 {
		t.Fatalf("API lists %d, console %d; want the 2 configured sources", len(fromAPI), len(fromConsole))
	}
	for i := range fromAPI {
		a, c := fromAPI[i], fromConsole[i]
		if a.ID != c.ID || a.Schedule != c.Schedule || a.Paused != c.Paused || a.Running != c.Running ||
			a.ConsecutiveErrors != c.ConsecutiveErrors || !sameTime(a.NextRunAt, c.NextRunAt) || !sameTime(a.BackoffUntil, c.BackoffUntil) {
			t.Errorf("API %+v, console %+v", a, c)
		}
	}
	demo, jd := fromAPI[0], fromAPI[1]
	if demo.Schedule != "*/20 * * * *" || !demo.Running || jd.BackoffUntil == nil || jd.ConsecutiveErrors != 3 {
		t.Errorf("demo %+v, jd %+v: want demo on its new schedule and running, jd backing off", demo, jd)
	}
}

func sameTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
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
