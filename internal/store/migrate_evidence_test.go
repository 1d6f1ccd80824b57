package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestMigrateVersion2WithData upgrades a database written by the access
// release (schema 2: alerts under review, users, audit rows) and checks the
// data survives, old alerts start their history at version 1 and take part
// in versions, cases and the evidence log.
func TestMigrateVersion2WithData(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	const item = "https://item.taobao.com/item.htm?id=5001"
	buildOldDatabase(t, path, 2,
		`INSERT INTO sources (id, schedule, created_at) VALUES ('demo', '@every 6h', 1700000000000)`,
		`INSERT INTO listings (id, source_id, url_key, url, platform, title, price, seller, location, image_url, first_seen, last_seen)
			VALUES (1, 'demo', '`+item+`', '`+item+`', 'taobao',
			'六个核桅 核桃乳 240ml*20罐 整箱', 49.9, '某某食品专营店', '河北 石家庄', 'https://img.alicdn.com/old.jpg', 1700000000000, 1700000600000)`,
		`INSERT INTO hits (id, listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (1, 1, 'liugehetao', 0.93, 1, '[]', 1700000000000, 1700000600000)`,
		`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, seller, location, score, status, first_seen, last_seen)
			VALUES (1, 'liugehetao', '`+item+`', 1, 'demo', '`+item+`',
			'六个核桅 核桃乳 240ml*20罐 整箱', '某某食品专营店', '河北 石家庄', 0.93, 'confirmed', 1700000000000, 1700000600000)`,
		`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, seller, location, score, status, first_seen, last_seen)
			VALUES (2, 'hengshui-laobaigan', 'https://item.jd.com/1.html', NULL, 'jd', 'https://item.jd.com/1.html',
			'衡水老白千 67度', '临沂酒水批发专营店', '山东 临沂', 0.9, 'open', 1700000000000, 1700000000000)`,
		`INSERT INTO users (id, name, role, owner, created_at) VALUES (1, 'yangyuan', 'owner', '河北养元智汇饮品股份有限公司', 1700000000000)`,
		`INSERT INTO audit_log (at, actor_name, action, object, mark_id, before, after)
			VALUES (1700000300000, 'admin', 'alert.review', 'alert:1', 'liugehetao', '{"status":"open"}', '{"status":"confirmed"}')`,
	)

	db, err := Open(ctx, path, Options{RecordHash: testRecordHash})
	if err != nil {
		t.Fatalf("Open(v2) = %v", err)
	}
	defer db.Close()
	var v int
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version = %d, %v; want %d", v, err, SchemaVersion())
	}
	for table, want := range map[string]int{
		"sources": 1, "listings": 1, "hits": 1, "alerts": 2, "users": 1, "audit_log": 1,
		"listing_versions": 2, "captures": 0, "cases": 0, "capture_jobs": 0,
	} {
		if got := countRows(t, db, table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	a, err := db.GetAlert(ctx, 1)
	if err != nil || a.Status != domain.AlertConfirmed || a.Seller != fakeShop || a.Location != hebeiSJZ {
		t.Errorf("alert after migrating = %+v, %v", a, err)
	}
	vs, err := db.ListVersions(ctx, 1)
	if err != nil || len(vs) != 1 || vs[0].Version != 1 || vs[0].Price != 49.9 || vs[0].ImageURL != "https://img.alicdn.com/old.jpg" ||
		vs[0].SeenAt.UnixMilli() != 1700000600000 || !vs[0].Available || vs[0].CaptureID != 0 {
		t.Errorf("backfilled version of alert 1 = %+v, %v", vs, err)
	}
	if vs, _ := db.ListVersions(ctx, 2); len(vs) != 1 || vs[0].Title != "衡水老白千 67度" || vs[0].Seller != shopLinyi {
		t.Errorf("backfilled version of the hitless alert 2 = %+v", vs)
	}

	// The old alert moves on: a new price is version 2, with a capture.
	l := liugeListing(item, hebeiSJZ)
	l.ImageURL, l.Price = "https://img.alicdn.com/old.jpg", 45
	mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence(item, false)})
	vs, _ = db.ListVersions(ctx, 1)
	if len(vs) != 2 || !slices.Equal(vs[1].Changes, []string{ChangePrice}) || vs[1].CaptureID == 0 {
		t.Errorf("versions after a new price = %+v", vs)
	}
	if n, _ := db.LogSize(ctx); n != 1 {
		t.Errorf("log size = %d, want 1", n)
	}
	c, err := db.CreateCase(ctx, domain.Case{Title: "迁移前确认的告警", AlertIDs: []int64{1}}, adminActor)
	if err != nil || c.Number == "" || c.MarkID != liugehetao {
		t.Errorf("case on the migrated alert = %+v, %v", c, err)
	}
	if n, _ := db.EnqueueRechecks(ctx, "jd", db.stamp()); n != 1 {
		t.Errorf("rechecks for the migrated jd alert = %d, want 1", n)
	}
}
