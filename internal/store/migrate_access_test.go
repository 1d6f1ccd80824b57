package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestMigrateVersion1WithData upgrades a database that an earlier
// markwatch wrote (schema 1, alerts under review) and checks its data
// survives and works with the access tables.
func TestMigrateVersion1WithData(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	buildOldDatabase(t, path, 1,
		`INSERT INTO sources (id, schedule, created_at) VALUES ('taobao', '@every 6h', 1700000000000)`,
		`INSERT INTO listings (id, source_id, url_key, url, platform, title, price, seller, location, first_seen, last_seen)
			VALUES (1, 'taobao', 'https://item.taobao.com/item.htm?id=1', 'https://item.taobao.com/item.htm?id=1', 'taobao',
			'六个核桅 核桃乳', 49.9, '某某食品专营店', '河北 石家庄', 1700000000000, 1700000000000)`,
		`INSERT INTO hits (id, listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (1, 1, 'liugehetao', 0.93, 1, '[]', 1700000000000, 1700000000000)`,
		`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, seller, location, score, status, first_seen, last_seen)
			VALUES (1, 'liugehetao', 'https://item.taobao.com/item.htm?id=1', 1, 'taobao', 'https://item.taobao.com/item.htm?id=1',
			'六个核桅 核桃乳', '某某食品专营店', '河北 石家庄', 0.93, 'confirmed', 1700000000000, 1700000000000)`,
		`INSERT INTO index_outbox (op, hit_id, created_at) VALUES ('upsert', 1, 1700000000000)`,
	)

	r := &testRouter{}
	db, err := Open(ctx, path, Options{Router: r.Route})
	if err != nil {
		t.Fatalf("Open(v1) = %v", err)
	}
	defer db.Close()
	var v int
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version = %d, %v; want %d", v, err, SchemaVersion())
	}
	a, err := db.GetAlert(ctx, 1)
	if err != nil || a.Status != domain.AlertConfirmed || a.Seller != "某某食品专营店" || a.Location != "河北 石家庄" {
		t.Errorf("alert after migrating = %+v, %v", a, err)
	}
	if n, _ := db.OutboxLen(ctx); n != 1 {
		t.Errorf("index outbox has %d rows after migrating, want 1", n)
	}
	for table, want := range map[string]int{"sources": 1, "listings": 1, "hits": 1, "alerts": 1, "users": 0, "notifications": 0} {
		if got := countRows(t, db, table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	// The old alert takes part in the new machinery: a review notifies.
	o := ownerUser(t, db)
	sub := mustSubscribe(t, db, o.ID)
	if _, err := db.ReviewAlert(ctx, 1, domain.Review{Status: domain.AlertOpen, Note: "重新核查"}, adminActor); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.ListNotifications(ctx, sub.ID, 0); len(rows) != 1 || rows[0].AlertID != 1 {
		t.Errorf("notifications for the migrated alert = %+v", rows)
	}
	owned, total, _ := db.ListAlerts(ctx, domain.AlertFilter{Scope: domain.Scope{Restricted: true, MarkIDs: []string{liugehetao}, Jurisdiction: "河北"}})
	if total != 1 || owned[0].ID != 1 {
		t.Errorf("scoped list after migrating = %+v", owned)
	}
}
