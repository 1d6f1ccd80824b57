package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestCrawlRunLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)

	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if run.ID == 0 || run.Status != domain.RunRunning || !run.StartedAt.Equal(clock.Now()) {
		t.Fatalf("StartRun = %+v", run)
	}
	clock.Advance(30 * time.Second)
	run.Status, run.Pages, run.Listings, run.Hits, run.Alerts = domain.RunFailed, 3, 120, 7, 2
	run.Errors = map[string]int{"http_429": 2, "timeout": 1}
	run.EndReason = "too many errors"
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, run); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("finishing twice = %v, want ECONFLICT", err)
	}
	if err := db.FinishRun(ctx, domain.CrawlRun{ID: 999, Status: domain.RunSucceeded}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("finishing unknown run = %v, want ENOTFOUND", err)
	}
	if err := db.FinishRun(ctx, domain.CrawlRun{ID: run.ID, Status: domain.RunRunning}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("finishing as running = %v, want EINVALID", err)
	}

	runs, err := db.ListRuns(ctx, "demo", 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns = %v, %v", runs, err)
	}
	got := runs[0]
	if got.Status != domain.RunFailed || got.Pages != 3 || got.Listings != 120 || got.Hits != 7 || got.Alerts != 2 ||
		got.Errors["http_429"] != 2 || got.EndReason != "too many errors" ||
		got.FinishedAt == nil || !got.FinishedAt.Equal(clock.Now()) {
		t.Errorf("stored run = %+v", got)
	}
	var consecutive int
	if err := db.sql.QueryRow("SELECT consecutive_errors FROM sources WHERE id = 'demo'").Scan(&consecutive); err != nil || consecutive != 1 {
		t.Errorf("consecutive_errors = %d, %v; want 1 after a failed run", consecutive, err)
	}
}

func TestInterruptRunningRuns(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	for _, src := range []string{"a", "b", "a"} {
		if _, err := db.StartRun(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	done, err := db.StartRun(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	done.Status = domain.RunSucceeded
	if err := db.FinishRun(ctx, done); err != nil {
		t.Fatal(err)
	}
	n, err := db.InterruptRunningRuns(ctx, "markwatch restarted")
	if err != nil || n != 3 {
		t.Fatalf("InterruptRunningRuns = %d, %v; want 3", n, err)
	}
	all, err := db.ListRuns(ctx, "", 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("ListRuns(all) = %v, %v", all, err)
	}
	if all[0].ID != done.ID || all[0].Status != domain.RunSucceeded {
		t.Errorf("newest run = %+v, want the succeeded one", all[0])
	}
	for _, r := range all[1:] {
		if r.Status != domain.RunInterrupted || r.EndReason != "markwatch restarted" || r.FinishedAt == nil {
			t.Errorf("run %+v was not interrupted", r)
		}
	}
	onlyA, err := db.ListRuns(ctx, "a", 1)
	if err != nil || len(onlyA) != 1 || onlyA[0].SourceID != "a" {
		t.Errorf("ListRuns(a, 1) = %v, %v", onlyA, err)
	}
	if _, err := db.StartRun(ctx, " "); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("StartRun(blank) = %v, want EINVALID", err)
	}
}
