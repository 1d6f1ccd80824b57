package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestMigrateVersion9WithData upgrades a database written before
// listing_seen and live hits and alerts (schema 9): every last_seen reads
// as it was stored, the rows start frozen, one sighting makes them live and
// the next unchanged one takes the fast path.
func TestMigrateVersion9WithData(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v9.db")
	const item = "https://item.demo.local/9101"
	const first, last = 1700000000000, 1700000600000
	buildOldDatabase(t, path, 9,
		`INSERT INTO sources (id, schedule, created_at) VALUES ('demo', '@every 6h', 1700000000000)`,
		fmt.Sprintf(`INSERT INTO listings (id, source_id, url_key, url, platform, title, price, seller, location, query, first_seen, last_seen)
			VALUES (1, 'demo', '%s', '%s', 'demo', '临城薄皮核桃 2025新货 5斤装', 59.9, '太行山货店', '河北 邢台', '核桃', %d, %d)`, item, item, first, last),
		fmt.Sprintf(`INSERT INTO hits (id, listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (1, 1, 'lincheng-walnut', 0.9, 1, '[]', %d, %d)`, first, last),
		fmt.Sprintf(`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, seller, location, score, status, first_seen, last_seen)
			VALUES (1, 'lincheng-walnut', '%s', 1, 'demo', '%s', '临城薄皮核桃 2025新货 5斤装', '太行山货店', '河北 邢台', 0.9, 'open', %d, %d)`, item, item, first, last),
	)
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open(v9) = %v", err)
	}
	defer db.Close()
	h, err := db.GetHit(ctx, 1)
	if err != nil || !h.LastSeen.Equal(fromMillis(last)) {
		t.Fatalf("hit after migrating: %+v, %v; want last_seen %v", h, err, fromMillis(last))
	}
	a, err := db.GetAlert(ctx, 1)
	if err != nil || !a.LastSeen.Equal(fromMillis(last)) {
		t.Fatalf("alert after migrating: %+v, %v; want last_seen %v", a, err, fromMillis(last))
	}
	var seen, live int64
	var follows sql.NullInt64
	if err := db.sql.QueryRow("SELECT s.last_seen, h.live, a.live_listing FROM listing_seen s, hits h, alerts a WHERE s.listing_id = 1").Scan(&seen, &live, &follows); err != nil {
		t.Fatal(err)
	}
	if seen != last || live != 0 || follows.Valid {
		t.Fatalf("after migrating: listing_seen %d, hit live %d, alert live through %v; want %d, frozen, frozen", seen, live, follows, last)
	}

	l := walnut(item)
	m := domain.Match{MarkID: "lincheng-walnut", Score: 0.9, Alert: true, Reasons: []domain.Reason{}}
	at := fromMillis(last).Add(time.Hour)
	for i, wantFast := range []bool{false, true} {
		l.SeenAt = at.Add(time.Duration(i) * time.Hour)
		batch := []ListingMatches{{Listing: l, Matches: []domain.Match{m}}}
		if done := resightDone(t, db, batch); done[0] != wantFast {
			t.Errorf("sighting %d after migrating: fast path %v, want %v", i+1, done[0], wantFast)
		}
		mustSaveBatch(t, db, batch...)
		if h, err := db.GetHit(ctx, 1); err != nil || !h.LastSeen.Equal(l.SeenAt) {
			t.Errorf("sighting %d: hit %+v, %v; want last_seen %v", i+1, h, err, l.SeenAt)
		}
		if a, err := db.GetAlert(ctx, 1); err != nil || !a.LastSeen.Equal(l.SeenAt) {
			t.Errorf("sighting %d: alert %+v, %v; want last_seen %v", i+1, a, err, l.SeenAt)
		}
	}
}
