package app

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// A second daemon on a data dir in use is refused before it touches
// anything: the error names the dir and the first daemon's pid, the first
// daemon's live run stays running and is finished with its real result, and
// once the first daemon stops the dir can be used again.
func TestSecondDaemonOnDataDirRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Meilisearch")
	}
	bin := needMeilisearch(t)
	ctx := context.Background()
	cfg := testConfig(t, bin)
	cfg.Crawl.RunOnStart = false
	first, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			first.stop(ctx)
		}
	}()
	live, err := first.db.StartRun(ctx, demoSourceID)
	if err != nil {
		t.Fatal(err)
	}

	second, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err == nil {
		second.stop(ctx)
		t.Fatal("a second daemon started on a data dir in use")
	}
	for _, want := range []string{cfg.DataDir, "markwatch pid " + strconv.Itoa(os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not name %q", err, want)
		}
	}
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("refusal code %q, want %q", domain.ErrorCode(err), domain.ECONFLICT)
	}
	if got := runByID(t, first, live.ID); got.Status != domain.RunRunning {
		t.Fatalf("the first daemon's live run is %q (%s) after the refused start, want running", got.Status, got.EndReason)
	}

	live.Status, live.Pages, live.Listings = domain.RunSucceeded, 3, 42
	if err := first.db.FinishRun(ctx, live); err != nil {
		t.Fatalf("finishing the live run: %v", err)
	}
	if got := runByID(t, first, live.ID); got.Status != domain.RunSucceeded || got.Pages != 3 || got.Listings != 42 {
		t.Errorf("finished run = %+v, want succeeded with 3 pages and 42 listings", got)
	}

	first.stop(ctx)
	stopped = true
	again, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatalf("starting on the data dir after the first daemon stopped: %v", err)
	}
	again.stop(ctx)
}

func runByID(t *testing.T, d *daemon, id int64) domain.CrawlRun {
	t.Helper()
	runs, err := d.db.ListRuns(context.Background(), demoSourceID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("run %d not listed", id)
	return domain.CrawlRun{}
}
