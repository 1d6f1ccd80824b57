package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSaveListingSequences(t *testing.T) {
	const url = "https://demo.local/item/1"
	type step struct {
		listing      domain.Listing
		matches      []domain.Match
		advance      time.Duration
		newAlerts    int
		touched      int
		outboxAfter  int
		alertScore   float64 // the stored alert's score after the step, 0 = no alert
		hitScoreWant float64
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "first sighting raises one alert, re-sighting only touches it",
			steps: []step{
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.9, true)},
					newAlerts: 1, outboxAfter: 1, alertScore: 0.9, hitScoreWant: 0.9},
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.9, true)}, advance: time.Hour,
					touched: 1, outboxAfter: 1, alertScore: 0.9, hitScoreWant: 0.9},
			},
		},
		{
			name: "a higher score lifts the alert, a lower one does not lower it",
			steps: []step{
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.8, true)},
					newAlerts: 1, outboxAfter: 1, alertScore: 0.8, hitScoreWant: 0.8},
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.95, true)}, advance: time.Minute,
					touched: 1, outboxAfter: 1, alertScore: 0.95, hitScoreWant: 0.95},
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.7, true)}, advance: time.Minute,
					touched: 1, outboxAfter: 1, alertScore: 0.95, hitScoreWant: 0.7},
			},
		},
		{
			name: "below threshold stores a hit without an alert",
			steps: []step{
				{listing: walnut(url), matches: []domain.Match{match("lincheng-walnut", 0.4, false)},
					outboxAfter: 1, hitScoreWant: 0.4},
			},
		},
		{
			name: "a listing without url is keyed by its title",
			steps: []step{
				{listing: walnut(""), matches: []domain.Match{match("lincheng-walnut", 0.9, true)},
					newAlerts: 1, outboxAfter: 1, alertScore: 0.9, hitScoreWant: 0.9},
				{listing: walnut(""), matches: []domain.Match{match("lincheng-walnut", 0.9, true)}, advance: time.Hour,
					touched: 1, outboxAfter: 1, alertScore: 0.9, hitScoreWant: 0.9},
			},
		},
		{
			name: "no matches stores only the listing",
			steps: []step{
				{listing: walnut(url), outboxAfter: 0},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := newClock()
			db := openTest(t, clock)
			var listingID, hitID int64
			for i, s := range tc.steps {
				clock.Advance(s.advance)
				res := mustSave(t, db, s.listing, s.matches...)
				if listingID != 0 && res.ListingID != listingID {
					t.Errorf("step %d: listing id %d, want the same listing %d", i, res.ListingID, listingID)
				}
				listingID = res.ListingID
				if len(res.NewAlerts) != s.newAlerts || res.TouchedAlerts != s.touched {
					t.Errorf("step %d: %d new alerts, %d touched; want %d, %d", i, len(res.NewAlerts), res.TouchedAlerts, s.newAlerts, s.touched)
				}
				if len(res.Hits) != len(s.matches) {
					t.Fatalf("step %d: %d hits, want %d", i, len(res.Hits), len(s.matches))
				}
				if len(res.Hits) > 0 {
					h := res.Hits[0]
					if hitID != 0 && h.ID != hitID {
						t.Errorf("step %d: hit id %d, want the same hit %d", i, h.ID, hitID)
					}
					hitID = h.ID
					if h.Score != s.hitScoreWant || h.Title != s.listing.Title || h.SourceID != "demo" {
						t.Errorf("step %d: hit = %+v, want score %v for %q", i, h, s.hitScoreWant, s.listing.Title)
					}
					if !h.LastSeen.Equal(clock.Now()) {
						t.Errorf("step %d: hit last_seen %v, want %v", i, h.LastSeen, clock.Now())
					}
				}
				if n, _ := db.OutboxLen(ctx); n != s.outboxAfter {
					t.Errorf("step %d: outbox has %d entries, want %d", i, n, s.outboxAfter)
				}
				alerts, total, err := db.ListAlerts(ctx, domain.AlertFilter{})
				if err != nil {
					t.Fatal(err)
				}
				wantAlerts := 0
				if s.alertScore > 0 {
					wantAlerts = 1
				}
				if total != wantAlerts || len(alerts) != wantAlerts {
					t.Fatalf("step %d: %d alerts (total %d), want %d", i, len(alerts), total, wantAlerts)
				}
				if wantAlerts == 1 {
					a := alerts[0]
					if a.Score != s.alertScore || a.Status != domain.AlertOpen || !a.LastSeen.Equal(clock.Now()) {
						t.Errorf("step %d: alert = %+v, want score %v, open, last_seen now", i, a, s.alertScore)
					}
					if a.FirstSeen.After(a.LastSeen) || len(a.Reasons) != 1 {
						t.Errorf("step %d: alert seen %v..%v with reasons %v", i, a.FirstSeen, a.LastSeen, a.Reasons)
					}
				}
			}
		})
	}
}

func TestSaveListingAlertIsUniquePerMarkAndURLAcrossSources(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	a := walnut("https://shop.example/item/7")
	b := a
	b.SourceID = "other-source"
	mustSave(t, db, a, match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.85, true))
	res := mustSave(t, db, b, match("lincheng-walnut", 0.9, true))
	if len(res.NewAlerts) != 0 || res.TouchedAlerts != 1 {
		t.Errorf("second source: %d new, %d touched; want 0, 1", len(res.NewAlerts), res.TouchedAlerts)
	}
	if got := countRows(t, db, "listings"); got != 2 {
		t.Errorf("%d listings, want one per source", got)
	}
	_, total, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || total != 2 {
		t.Errorf("ListAlerts total = %d, %v; want 2 (one per mark)", total, err)
	}
}

func TestSaveListingQueuesChangedHitsOnly(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	l := walnut("https://demo.local/item/2")
	l.SeenAt = clock.Now()
	mustSave(t, db, l, match("lincheng-walnut", 0.9, true))
	entries, err := db.NextOutbox(ctx, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("NextOutbox = %v, %v", entries, err)
	}
	if err := db.AckOutbox(ctx, []int64{entries[0].ID}); err != nil {
		t.Fatal(err)
	}
	// The same listing at the same instant changes nothing the index shows.
	mustSave(t, db, l, match("lincheng-walnut", 0.9, true))
	if n, _ := db.OutboxLen(ctx); n != 0 {
		t.Errorf("unchanged re-save queued %d entries", n)
	}
	// A new price is visible in search: queue it.
	l.Price = 39.9
	mustSave(t, db, l, match("lincheng-walnut", 0.9, true))
	entries, err = db.NextOutbox(ctx, 10)
	if err != nil || len(entries) != 1 || entries[0].Hit.Price != 39.9 {
		t.Fatalf("after price change NextOutbox = %+v, %v", entries, err)
	}
}

func TestSaveListingRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		listing domain.Listing
		matches []domain.Match
	}{
		{"no source", domain.Listing{Title: "核桃", URL: "u"}, nil},
		{"neither url nor title", domain.Listing{SourceID: "demo", Title: "  "}, nil},
		{"match without mark", walnut("u"), []domain.Match{{Score: 0.5}}},
		{"score above one", walnut("u"), []domain.Match{{MarkID: "m", Score: 1.5}}},
		{"negative score", walnut("u"), []domain.Match{{MarkID: "m", Score: -0.1}}},
	}
	db := openTest(t, newClock())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.SaveListing(context.Background(), tc.listing, tc.matches)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("SaveListing = %v, want EINVALID", err)
			}
		})
	}
	if n := countRows(t, db, "listings"); n != 0 {
		t.Errorf("%d listings stored from bad input", n)
	}
}

func TestSaveListingDuplicateMarkKeepsBestScore(t *testing.T) {
	db := openTest(t, newClock())
	res := mustSave(t, db, walnut("u1"), match("m", 0.5, false), match("m", 0.9, true))
	if len(res.Hits) != 1 || res.Hits[0].Score != 0.9 || len(res.NewAlerts) != 1 {
		t.Errorf("SaveListing = %+v, want one hit at 0.9 with an alert", res)
	}
}
