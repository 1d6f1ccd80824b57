package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// runByID reads one run back as ListRuns shows it.
func runByID(t *testing.T, db *DB, id int64) domain.CrawlRun {
	t.Helper()
	runs, err := db.ListRuns(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("run %d not listed in %+v", id, runs)
	return domain.CrawlRun{}
}

func counts(r domain.CrawlRun) [4]int { return [4]int{r.Pages, r.Listings, r.Hits, r.Alerts} }

// A run killed between batches keeps the counts of the batches it saved:
// they are written in each batch's transaction, and the next start's
// InterruptRunningRuns changes only the status (issue 11 fault 7).
func TestRunProgressSurvivesKill(t *testing.T) {
	ctx := context.Background()
	path := newStoreURL(t)
	db, err := OpenURL(ctx, path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	l1, l2 := walnut("https://m.test/item/临城核桃-1"), walnut("https://m.test/item/临城核桃-2")
	l2.Title = "高仿临城核桃 薄皮 5斤装"
	batch := []ListingMatches{
		{Listing: l1, Matches: []domain.Match{match("lincheng-walnut", 0.7, false)}},
		{Listing: l2, Matches: []domain.Match{match("lincheng-walnut", 0.95, true)}},
	}
	// Before the batch: 2 pages read, 5 listings counted and not stored
	// (nothing like a mark), one page kept as evidence failed.
	before := domain.CrawlRun{ID: run.ID, Pages: 2, Listings: 5, Errors: map[string]int{"evidence": 1}}
	res, err := db.SaveListingsWithProgress(ctx, batch, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || len(res[1].NewAlerts) != 1 {
		t.Fatalf("results = %+v, want one new alert on the second listing", res)
	}
	got := runByID(t, db, run.ID)
	if want := [4]int{2, 7, 2, 1}; counts(got) != want || got.Errors["evidence"] != 1 || got.Status != domain.RunRunning {
		t.Fatalf("run after one batch = %+v, want pages/listings/hits/alerts %v, running, 1 evidence error", got, want)
	}

	// Listings counted after the batch reach the row without one.
	before = got
	before.Pages, before.Listings = 3, 12
	if err := db.RecordRunProgress(ctx, before); err != nil {
		t.Fatal(err)
	}

	// The kill: no FinishRun. The next start interrupts the run.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = OpenURL(ctx, path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.InterruptRunningRuns(ctx, "markwatch restarted"); err != nil || n != 1 {
		t.Fatalf("InterruptRunningRuns = %d, %v", n, err)
	}
	got = runByID(t, db, run.ID)
	if want := [4]int{3, 12, 2, 1}; counts(got) != want || got.Errors["evidence"] != 1 ||
		got.Status != domain.RunInterrupted || got.EndReason != "markwatch restarted" {
		t.Fatalf("interrupted run = %+v, want counts %v kept", got, want)
	}
}

// A progress write that arrives after the run ended leaves its final
// counts alone.
func TestRunProgressLeavesFinishedRun(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.Pages, run.Listings, run.Hits, run.Alerts = domain.RunSucceeded, 4, 160, 9, 3
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	late := domain.CrawlRun{ID: run.ID, Pages: 1, Listings: 40, Errors: map[string]int{"timeout": 2}}
	if err := db.RecordRunProgress(ctx, late); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveListingsWithProgress(ctx, []ListingMatches{
		{Listing: walnut("https://m.test/item/迟到"), Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}},
	}, late); err != nil {
		t.Fatal(err)
	}
	got := runByID(t, db, run.ID)
	if want := [4]int{4, 160, 9, 3}; counts(got) != want || got.Errors != nil || got.Status != domain.RunSucceeded {
		t.Fatalf("finished run after late progress = %+v, want counts %v untouched", got, want)
	}
	// The late batch's listing is stored all the same: the run's row is
	// bookkeeping, the listing is evidence.
	if n := countRows(t, db, "listings"); n != 1 {
		t.Fatalf("listings stored = %d, want 1", n)
	}
}
