package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// fakeClock is a settable clock for deterministic first/last seen times.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openTest(t testing.TB, clock *fakeClock) *DB {
	t.Helper()
	opts := Options{}
	if clock != nil {
		opts.Now = clock.Now
	}
	db, err := OpenURL(context.Background(), newStoreURL(t), opts)
	if err != nil {
		t.Fatalf("OpenURL: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func walnut(url string) domain.Listing {
	return domain.Listing{
		SourceID: "demo", Platform: "demo", Title: "临城薄皮核桃 2025新货 5斤装",
		Price: 59.9, Seller: "太行山货店", Location: "河北 邢台", URL: url, Query: "核桃",
	}
}

func match(mark string, score float64, alert bool) domain.Match {
	return domain.Match{MarkID: mark, Score: score, Alert: alert, Reasons: []domain.Reason{
		{Tactic: "exact", Text: "含地理标志名称: 临城核桃", Start: 0, End: 2},
	}}
}

func mustSave(t testing.TB, db *DB, l domain.Listing, ms ...domain.Match) SaveResult {
	t.Helper()
	res, err := db.SaveListing(context.Background(), l, ms)
	if err != nil {
		t.Fatalf("SaveListing(%s): %v", l.URL, err)
	}
	return res
}

func countRows(t testing.TB, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}
