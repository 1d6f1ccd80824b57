package app

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

// TestRunMissedWhileDownIsMadeUp: with run_on_start off, a source whose stored
// next run passed while no daemon ran is crawled once at start; one that is
// not yet due is left to its schedule.
func TestRunMissedWhileDownIsMadeUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.RunOnStart = false
	runs := make(chan domain.CrawlRun, 4)
	start := func() *daemon {
		d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	setNext := func(next time.Time) {
		db, err := store.Open(context.Background(), dbPath(cfg), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SetSourceNextRun(context.Background(), demoSourceID, next); err != nil {
			t.Fatal(err)
		}
	}

	start().stop(context.Background()) // registers the source and its next run
	select {
	case r := <-runs:
		t.Fatalf("a run started although run_on_start is off and nothing was due: %+v", r)
	default:
	}

	setNext(time.Now().Add(time.Hour)) // not due: nothing to make up
	d := start()
	if e, _ := entryOf(d.sched, demoSourceID); e.Running {
		t.Fatal("a source not yet due was run at start")
	}
	d.stop(context.Background())

	setNext(time.Now().Add(-time.Hour)) // due while the daemon was down
	d = start()
	defer d.stop(context.Background())
	select {
	case r := <-runs:
		if r.SourceID != demoSourceID || r.Status != domain.RunSucceeded {
			t.Fatalf("made-up run: %+v", r)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the run missed while down was not made up within 60s")
	}
}
