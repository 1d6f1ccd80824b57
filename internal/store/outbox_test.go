package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestOutboxAckAndFail(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	for i := range 3 {
		mustSave(t, db, walnut(fmt.Sprintf("https://demo.local/o/%d", i)), match("lincheng-walnut", 0.9, true))
	}
	entries, err := db.NextOutbox(ctx, 10)
	if err != nil || len(entries) != 3 {
		t.Fatalf("NextOutbox = %v, %v", entries, err)
	}
	for _, e := range entries {
		if e.Op != domain.OutboxUpsert || e.Hit.ID != e.HitID || e.Hit.MarkID != "lincheng-walnut" || e.Hit.Title == "" {
			t.Errorf("entry %+v lacks the hit's state", e)
		}
	}
	// A failed entry goes behind the others so it cannot block them.
	if err := db.FailOutbox(ctx, []int64{entries[0].ID}, "meilisearch: connection refused"); err != nil {
		t.Fatal(err)
	}
	next, err := db.NextOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if next[2].ID != entries[0].ID || next[2].Attempts != 1 {
		t.Errorf("after a failure the order is %+v, want entry %d last with 1 attempt", next, entries[0].ID)
	}
	if err := db.AckOutbox(ctx, []int64{entries[1].ID, entries[2].ID}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.OutboxLen(ctx); err != nil || n != 1 {
		t.Errorf("OutboxLen = %d, %v; want 1", n, err)
	}
	var lastErr string
	if err := db.sql.QueryRow("SELECT last_error FROM index_outbox").Scan(&lastErr); err != nil || lastErr == "" {
		t.Errorf("last_error = %q, %v", lastErr, err)
	}
}

// A change written while the indexer holds an older entry of the same hit must
// survive the indexer acknowledging that older entry.
func TestOutboxAckDoesNotDropNewerChange(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	l := walnut("https://demo.local/race")
	mustSave(t, db, l, match("lincheng-walnut", 0.8, true))
	old, err := db.NextOutbox(ctx, 10)
	if err != nil || len(old) != 1 {
		t.Fatalf("NextOutbox = %v, %v", old, err)
	}
	// The newest row is the one just replaced: a reused rowid would collide.
	clock.Advance(time.Second)
	mustSave(t, db, l, match("lincheng-walnut", 0.95, true))
	if err := db.AckOutbox(ctx, []int64{old[0].ID}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.NextOutbox(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].Hit.Score != 0.95 {
		t.Fatalf("after acking the stale entry, pending = %+v, %v; want the 0.95 change", pending, err)
	}
}

func TestOutboxUpsertOfVanishedHitBecomesDelete(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	res := mustSave(t, db, walnut("https://demo.local/gone"), match("lincheng-walnut", 0.9, false))
	if _, err := db.sql.Exec("DELETE FROM listings WHERE id = ?", res.ListingID); err != nil {
		t.Fatal(err)
	}
	entries, err := db.NextOutbox(ctx, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("NextOutbox = %v, %v", entries, err)
	}
	if e := entries[0]; e.Op != domain.OutboxDelete || e.HitID != res.Hits[0].ID {
		t.Errorf("entry = %+v, want a delete of hit %d", e, res.Hits[0].ID)
	}
}

func TestAllHitsWalksEveryPage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	const listings = allHitsPage/2 + 10
	for i := range listings {
		mustSave(t, db, walnut(fmt.Sprintf("https://demo.local/all/%d", i)),
			match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.3, false))
	}
	seen := map[int64]bool{}
	var last int64
	err := db.AllHits(ctx, func(h domain.Hit) error {
		if h.ID <= last || seen[h.ID] {
			return fmt.Errorf("hit %d out of order after %d", h.ID, last)
		}
		seen[h.ID], last = true, h.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2*listings {
		t.Errorf("AllHits visited %d hits, want %d", len(seen), 2*listings)
	}
	stop := fmt.Errorf("stop")
	if err := db.AllHits(ctx, func(domain.Hit) error { return stop }); err != stop {
		t.Errorf("AllHits returned %v, want the callback's error", err)
	}
}

// The drain pages past entries whose tasks are still queued: after an id,
// in id order, with the hit's state like NextOutbox.
func TestNextOutboxAfterPagesPastUnacknowledged(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	for i := range 5 {
		mustSave(t, db, walnut(fmt.Sprintf("https://demo.local/p/%d", i)), match("lincheng-walnut", 0.9, true))
	}
	first, err := db.NextOutboxAfter(ctx, 0, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("NextOutboxAfter(0, 2) = %v, %v", first, err)
	}
	rest, err := db.NextOutboxAfter(ctx, first[1].ID, 10)
	if err != nil || len(rest) != 3 {
		t.Fatalf("NextOutboxAfter(%d, 10) = %v, %v; want the 3 after it", first[1].ID, rest, err)
	}
	prev := first[1].ID
	for _, e := range rest {
		if e.ID <= prev || e.Hit.MarkID != "lincheng-walnut" || e.Hit.Title == "" {
			t.Errorf("entry %+v: want ids rising past %d with the hit's state", e, prev)
		}
		prev = e.ID
	}
	if none, err := db.NextOutboxAfter(ctx, prev, 10); err != nil || len(none) != 0 {
		t.Errorf("after the last entry: %v, %v", none, err)
	}
}
