package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// A hit's last_seen is its listing's while the listing's latest sighting
// gives its mark, and stays at the last sighting that did once one does
// not (0010_listing_seen.sql). Each step is saved through SaveListings, so
// unchanged steps take the fast path, which writes nothing of the hits; the
// expected times are what saving one sighting after another always meant.
func TestHitLastSeenFollowsItsListingWhileLive(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	walnutMark := match("lincheng-walnut", 0.9, true)
	pearMark := match("zhaozhou-pear", 0.6, false)
	pearMark.Reasons = []domain.Reason{{Tactic: "sound", Text: "音近: 赵州→照州", Start: 0, End: 2}}
	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	save := func(at time.Time, ms ...domain.Match) SaveResult {
		t.Helper()
		l := walnut("https://item.demo.local/7101")
		l.Title = "临城薄皮核桃 照州雪花梨 礼盒"
		l.SeenAt = at
		return mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: ms})[0]
	}
	first := save(hour(0), walnutMark, pearMark)
	ids := map[string]int64{}
	for _, h := range first.Hits {
		ids[h.MarkID] = h.ID
	}
	check := func(step string, want map[string]time.Time) {
		t.Helper()
		for mark, at := range want {
			h, err := db.GetHit(ctx, ids[mark])
			if err != nil {
				t.Fatal(err)
			}
			if !h.LastSeen.Equal(at) {
				t.Errorf("%s: hit %s last_seen %v, want %v", step, mark, h.LastSeen, at)
			}
		}
	}
	steps := []struct {
		name string
		at   time.Time
		ms   []domain.Match
		want map[string]time.Time
	}{
		{"seen again unchanged", hour(1), []domain.Match{walnutMark, pearMark},
			map[string]time.Time{"lincheng-walnut": hour(1), "zhaozhou-pear": hour(1)}},
		{"the pear mark dropped: its hit freezes", hour(2), []domain.Match{walnutMark},
			map[string]time.Time{"lincheng-walnut": hour(2), "zhaozhou-pear": hour(1)}},
		{"seen again without it", hour(3), []domain.Match{walnutMark},
			map[string]time.Time{"lincheng-walnut": hour(3), "zhaozhou-pear": hour(1)}},
		{"an older sighting replayed with it", hour(0).Add(30 * time.Minute), []domain.Match{walnutMark, pearMark},
			map[string]time.Time{"lincheng-walnut": hour(3), "zhaozhou-pear": hour(1)}},
		{"the pear mark back: live again", hour(4), []domain.Match{walnutMark, pearMark},
			map[string]time.Time{"lincheng-walnut": hour(4), "zhaozhou-pear": hour(4)}},
		{"then seen again unchanged", hour(5), []domain.Match{walnutMark, pearMark},
			map[string]time.Time{"lincheng-walnut": hour(5), "zhaozhou-pear": hour(5)}},
		{"an older sighting replayed without it", hour(3).Add(30 * time.Minute), []domain.Match{walnutMark},
			map[string]time.Time{"lincheng-walnut": hour(5), "zhaozhou-pear": hour(5)}},
		{"the walnut verdict changed", hour(6), []domain.Match{match("lincheng-walnut", 0.95, true), pearMark},
			map[string]time.Time{"lincheng-walnut": hour(6), "zhaozhou-pear": hour(6)}},
		{"no mark at all: both freeze", hour(7), nil,
			map[string]time.Time{"lincheng-walnut": hour(6), "zhaozhou-pear": hour(6)}},
		{"still none", hour(8), nil,
			map[string]time.Time{"lincheng-walnut": hour(6), "zhaozhou-pear": hour(6)}},
	}
	for _, s := range steps {
		res := save(s.at, s.ms...)
		for _, h := range res.Hits {
			if !h.LastSeen.Equal(s.want[h.MarkID]) {
				t.Errorf("%s: the save returned hit %s last_seen %v, want %v", s.name, h.MarkID, h.LastSeen, s.want[h.MarkID])
			}
		}
		check(s.name, s.want)
	}
	// The listing itself was last seen at its latest sighting, whatever
	// its marks.
	var last int64
	if err := db.sql.QueryRowContext(ctx, "SELECT last_seen FROM listing_seen WHERE listing_id = ?", first.ListingID).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if !fromMillis(last).Equal(hour(8)) {
		t.Errorf("listing last_seen %v, want %v", fromMillis(last), hour(8))
	}
}

// The unchanged steps above must have taken the fast path, or the test
// says nothing of it: a live hit's row is not written by it.
func TestUnchangedReSightingWritesNoHitRow(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	l := walnut("https://item.demo.local/7102")
	l.SeenAt = at
	mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}})
	var before int64
	if err := db.sql.QueryRowContext(ctx, "SELECT last_seen FROM hits").Scan(&before); err != nil {
		t.Fatal(err)
	}
	l.SeenAt = at.Add(time.Hour)
	res := mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}})
	var stored, live int64
	if err := db.sql.QueryRowContext(ctx, "SELECT last_seen, live FROM hits").Scan(&stored, &live); err != nil {
		t.Fatal(err)
	}
	if stored != before || live != 1 {
		t.Errorf("the hit's row after an unchanged re-sighting: last_seen %d (was %d), live %d; want it untouched and live", stored, before, live)
	}
	if !res[0].Hits[0].LastSeen.Equal(l.SeenAt) {
		t.Errorf("the re-sighting returned last_seen %v, want %v", res[0].Hits[0].LastSeen, l.SeenAt)
	}
}

// An alert's last_seen follows the listing whose sightings keep raising
// it, freezes when one does not (a lower score below the alert line, or
// no match), and still moves with the same offer seen through another
// source (0011_alert_live.sql).
func TestAlertLastSeenFollowsItsListingWhileItAlerts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	alerts := match("lincheng-walnut", 0.9, true)
	weak := match("lincheng-walnut", 0.5, false)
	save := func(source string, at time.Time, ms ...domain.Match) {
		t.Helper()
		l := walnut("https://item.demo.local/7201")
		l.SourceID, l.SeenAt = source, at
		mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: ms})
	}
	save("demo", hour(0), alerts)
	var id int64
	if err := db.sql.QueryRowContext(ctx, "SELECT id FROM alerts").Scan(&id); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		source string
		at     time.Time
		ms     []domain.Match
		want   time.Time
	}{
		{"seen again alerting", "demo", hour(1), []domain.Match{alerts}, hour(1)},
		{"and again", "demo", hour(2), []domain.Match{alerts}, hour(2)},
		{"an older sighting replayed", "demo", hour(1).Add(30 * time.Minute), []domain.Match{alerts}, hour(2)},
		{"the same offer through another source", "demo-pifa", hour(3), []domain.Match{alerts}, hour(3)},
		{"the first source again", "demo", hour(4), []domain.Match{alerts}, hour(4)},
		{"scored below the alert line: frozen", "demo", hour(5), []domain.Match{weak}, hour(4)},
		{"still below", "demo", hour(6), []domain.Match{weak}, hour(4)},
		{"alerting again: live again", "demo", hour(7), []domain.Match{alerts}, hour(7)},
		{"then unchanged", "demo", hour(8), []domain.Match{alerts}, hour(8)},
		{"no match at all: frozen", "demo", hour(9), nil, hour(8)},
		{"the other source still sees it", "demo-pifa", hour(10), []domain.Match{alerts}, hour(10)},
		// now live through the other source's listing
		{"the first source alerting again", "demo", hour(11), []domain.Match{alerts}, hour(11)},
		{"and unchanged, while live through the other", "demo", hour(12), []domain.Match{alerts}, hour(12)},
	}
	for _, s := range steps {
		save(s.source, s.at, s.ms...)
		a, err := db.GetAlert(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !a.LastSeen.Equal(s.want) {
			t.Errorf("%s: alert last_seen %v, want %v", s.name, a.LastSeen, s.want)
		}
		list, _, err := db.ListAlerts(ctx, domain.AlertFilter{From: s.want})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || !list[0].LastSeen.Equal(s.want) {
			t.Errorf("%s: alerts seen from %v: %+v, want this one", s.name, s.want, list)
		}
		if list, _, _ = db.ListAlerts(ctx, domain.AlertFilter{From: s.want.Add(time.Millisecond)}); len(list) != 0 {
			t.Errorf("%s: alerts seen after %v: %d, want none", s.name, s.want, len(list))
		}
	}
	// The alert is live through the other source's listing: its unchanged
	// re-sighting writes nothing of the alert row.
	var before, after int64
	if err := db.sql.QueryRowContext(ctx, "SELECT last_seen FROM alerts").Scan(&before); err != nil {
		t.Fatal(err)
	}
	save("demo-pifa", hour(13), alerts)
	if err := db.sql.QueryRowContext(ctx, "SELECT last_seen FROM alerts").Scan(&after); err != nil {
		t.Fatal(err)
	}
	a, err := db.GetAlert(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after != before || !a.LastSeen.Equal(hour(13)) {
		t.Errorf("an unchanged re-sighting: stored last_seen %v (was %v), read %v; want the row untouched and %v read",
			fromMillis(after), fromMillis(before), a.LastSeen, hour(13))
	}
}
