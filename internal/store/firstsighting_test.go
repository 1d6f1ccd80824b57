package store

import (
	"context"
	"testing"
	"time"
)

// A listing row first seen now skips the hit touch and inserts its alert
// before touching (savedListing.firstSeen). These are the cases where that
// row is new but its alert is not, or the row is not new although first
// seen now: each must save what touching first saved.
func TestFirstSightingWhoseAlertOrHitExists(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	db := openTest(t, clock)
	m := match("lincheng-walnut", 0.9, true)

	// One offer, two sources: the second source's row is new, the
	// offer's alert is not.
	l := walnut("https://item.demo.local/9001")
	l.SeenAt = clock.Now()
	first := mustSave(t, db, l, m)
	if len(first.NewAlerts) != 1 {
		t.Fatalf("first sighting raised %d alerts, want 1", len(first.NewAlerts))
	}
	clock.Advance(time.Hour)
	other := l
	other.SourceID, other.Platform, other.SeenAt = "demo-pifa", "demo-pifa", clock.Now()
	second := mustSave(t, db, other, m)
	if second.ListingID == first.ListingID || len(second.NewAlerts) != 0 || second.TouchedAlerts != 1 {
		t.Fatalf("the offer through another source: listing %d (first %d), %d new alerts, %d touched; want a new listing, the alert touched",
			second.ListingID, first.ListingID, len(second.NewAlerts), second.TouchedAlerts)
	}
	a, err := db.GetAlert(ctx, first.NewAlerts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.LastSeen.Equal(clock.Now()) {
		t.Fatalf("the alert's last_seen %v, want the second source's sighting %v", a.LastSeen, clock.Now())
	}

	// A replay: the first source's sighting saved again with the same
	// time and a new price, so the row is not new but first seen now.
	replay := l
	replay.Price = 49.9
	again := mustSave(t, db, replay, m)
	if again.ListingID != first.ListingID || len(again.NewAlerts) != 0 || again.TouchedAlerts != 1 ||
		len(again.Hits) != 1 || again.Hits[0].ID != first.Hits[0].ID {
		t.Fatalf("a replay at the first sighting's time: %+v; want the same listing and hit, the alert touched", again)
	}
	if !again.Hits[0].FirstSeen.Equal(l.SeenAt) || !again.Hits[0].LastSeen.Equal(l.SeenAt) {
		t.Fatalf("the replayed hit: first %v last %v, want both %v", again.Hits[0].FirstSeen, again.Hits[0].LastSeen, l.SeenAt)
	}
	var alerts int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM alerts").Scan(&alerts); err != nil {
		t.Fatal(err)
	}
	if alerts != 1 {
		t.Fatalf("%d alerts stored, want the offer's one", alerts)
	}
}
