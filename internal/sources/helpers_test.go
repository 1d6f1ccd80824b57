package sources

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
	"github.com/markwatch/markwatch/internal/store"
)

var testSources = []Configured{
	{ID: "demo", Schedule: "@every 10m", File: "demo.yaml"},
	{ID: "jd", Schedule: "0 */2 * * *", File: "jd.yaml"},
}

func openStore(t *testing.T, path string) *store.DB {
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

// newControl is a Control over a real store and scheduler, its sources
// restored but its clock not started (runs start only when asked for).
func newControl(t *testing.T, path string, log *zap.Logger) (*Control, *gatedRuns, *store.DB) {
	t.Helper()
	db := openStore(t, path)
	g := &gatedRuns{db: db, started: make(chan string, 4), release: make(chan struct{})}
	c, err := New(Options{Store: db, Run: g.run, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stopping: %v", err)
		}
	})
	if err := c.Restore(context.Background(), testSources); err != nil {
		t.Fatal(err)
	}
	return c, g, db
}

func entryOf(t *testing.T, c *Control, id string) schedule.Entry {
	t.Helper()
	e, ok := c.entry(id)
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

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// within bounds a wait on a channel, so a broken lifecycle fails the test
// instead of hanging it.
func within[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("%s: nothing within %s", what, d)
		var zero T
		return zero
	}
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// failRuns records n failed runs of id, as a blocked marketplace leaves them.
func failRuns(t *testing.T, db *store.DB, id string, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		run, err := db.StartRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		run.Status, run.EndReason = domain.RunFailed, "HTTP 403 from every page"
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
}
