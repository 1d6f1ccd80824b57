package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// Several crawls saving overlapping listings at once: no busy errors, one
// alert per (mark, url), one hit per (listing, mark), one outbox row per hit.
func TestSaveListingConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	const writers, urls, rounds = 6, 40, 2
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				for i := range urls {
					u := (i + w*7 + r) % urls
					l := walnut(fmt.Sprintf("https://demo.local/c/%d", u))
					l.Price = float64(w) // every writer changes the price, so every save queues
					_, err := db.SaveListing(ctx, l, []domain.Match{
						match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.6, u%2 == 0),
					})
					if err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
				}
			}
		})
	}
	// Readers alongside, as the API and indexer would be.
	wg.Go(func() {
		for range 50 {
			if _, _, err := db.ListAlerts(ctx, domain.AlertFilter{}); err != nil {
				errs <- err
				return
			}
			if _, err := db.NextOutbox(ctx, 100); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := countRows(t, db, "listings"); got != urls {
		t.Errorf("%d listings, want %d", got, urls)
	}
	if got := countRows(t, db, "hits"); got != 2*urls {
		t.Errorf("%d hits, want %d", got, 2*urls)
	}
	if got := countRows(t, db, "alerts"); got != urls+urls/2 {
		t.Errorf("%d alerts, want %d", got, urls+urls/2)
	}
	if got := countRows(t, db, "index_outbox"); got != 2*urls {
		t.Errorf("%d outbox rows, want one per hit (%d)", got, 2*urls)
	}
}

// Two handles on one file stand in for two processes (the daemon and a CLI
// command): their writers meet SQLite's lock, and busy_timeout must absorb it.
func TestTwoHandlesWriteOneFile(t *testing.T) {
	sqliteOnly(t, "two handles meet SQLite's file lock (PostgreSQL: TestPostgresWritersOnOneDatabase)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(dbs))
	for i, db := range dbs {
		wg.Go(func() {
			for n := range 60 {
				l := walnut(fmt.Sprintf("https://demo.local/two/%d", n))
				if _, err := db.SaveListing(ctx, l, []domain.Match{match("lincheng-walnut", 0.9, true)}); err != nil {
					errs <- fmt.Errorf("handle %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, total, err := dbs[0].ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || total != 60 {
		t.Errorf("ListAlerts total = %d, %v; want 60 (one per url across both handles)", total, err)
	}
}
