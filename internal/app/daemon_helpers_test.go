package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"

	"github.com/markwatch/markwatch/internal/domain"
)

// startAfterFirstCrawl starts the daemon on cfg, waits for its first crawl
// run to end and returns it with that run; the daemon stops when the test
// ends.
func startAfterFirstCrawl(t *testing.T, cfg config.Config) (*daemon, domain.CrawlRun) {
	t.Helper()
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zap.NewNop(), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(context.Background()) })
	return d, within(t, runs, 90*time.Second, "the first crawl run")
}

// The demo's sources are scheduled every ten minutes ("*/10 * * * *"), so
// a test that runs across such a boundary sees a scheduled run begin and
// end among its own. These helpers wait for the runs a test caused and
// pass over the others.

// triggerRun starts a run of sourceID now and returns it once it has
// ended. A scheduled run already going is waited out first (Trigger
// refuses to start a second), so the run returned began after the call.
func triggerRun(t *testing.T, d *daemon, runs <-chan domain.CrawlRun, sourceID string) domain.CrawlRun {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		// Stored start times are in milliseconds.
		since := d.now().Truncate(time.Millisecond)
		err := d.sched.Trigger(sourceID)
		if err == nil {
			return runOf(t, runs, sourceID, since, time.Until(deadline))
		}
		if domain.ErrorCode(err) != domain.ECONFLICT || time.Now().After(deadline) {
			t.Fatalf("triggering a run of %s: %v", sourceID, err)
		}
		runOf(t, runs, sourceID, time.Time{}, time.Until(deadline))
	}
}

// runOf receives ended runs until one of sourceID that started at or
// after since, and returns it.
func runOf(t *testing.T, runs <-chan domain.CrawlRun, sourceID string, since time.Time, timeout time.Duration) domain.CrawlRun {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case r := <-runs:
			if r.SourceID == sourceID && !r.StartedAt.Before(since) {
				return r
			}
		case <-deadline:
			t.Fatalf("no run of %s started since %s ended within %s", sourceID, since.Format(time.RFC3339Nano), timeout)
			return domain.CrawlRun{}
		}
	}
}

// firstRuns receives ended runs until each of ids has one, and returns
// the first of each.
func firstRuns(t *testing.T, runs <-chan domain.CrawlRun, timeout time.Duration, ids ...string) map[string]domain.CrawlRun {
	t.Helper()
	deadline := time.After(timeout)
	got := make(map[string]domain.CrawlRun, len(ids))
	for len(got) < len(ids) {
		select {
		case r := <-runs:
			if _, seen := got[r.SourceID]; !seen && slices.Contains(ids, r.SourceID) {
				got[r.SourceID] = r
			}
		case <-deadline:
			t.Fatalf("within %s only %d of the first runs of %v ended", timeout, len(got), ids)
		}
	}
	return got
}
