package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestMigrateVersion6WithData upgrades a database written before sellers
// were kept (schema 6): its alerts read with no seller, and seeing the
// listing again records the seller and gives the old alert its seller.
func TestMigrateVersion6WithData(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v6.db")
	const item = "https://item.taobao.com/item.htm?id=5001"
	buildOldDatabase(t, path, 6,
		`INSERT INTO sources (id, schedule, created_at) VALUES ('taobao-search', '@every 6h', 1700000000000)`,
		`INSERT INTO listings (id, source_id, url_key, url, platform, title, price, seller, location, image_url, first_seen, last_seen)
			VALUES (1, 'taobao-search', '`+item+`', '`+item+`', 'taobao',
			'六个核桅 核桃乳 240ml*20罐 整箱', 19.9, '鑫旺食品专营店', '河北 衡水', '', 1700000000000, 1700000600000)`,
		`INSERT INTO hits (id, listing_id, mark_id, score, alert, reasons, first_seen, last_seen)
			VALUES (1, 1, 'liugehetao', 0.9, 1, '[]', 1700000000000, 1700000600000)`,
		`INSERT INTO alerts (id, mark_id, url_key, hit_id, source_id, url, title, seller, location, score, status, first_seen, last_seen)
			VALUES (1, 'liugehetao', '`+item+`', 1, 'taobao-search', '`+item+`',
			'六个核桅 核桃乳 240ml*20罐 整箱', '鑫旺食品专营店', '河北 衡水', 0.9, 'confirmed', 1700000000000, 1700000600000)`,
	)

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open(v6) = %v", err)
	}
	defer db.Close()
	a, err := db.GetAlert(ctx, 1)
	if err != nil || a.SellerID != 0 || a.Status != domain.AlertConfirmed {
		t.Fatalf("old alert after migrating = %+v, %v; want confirmed, no seller", a, err)
	}
	if risks, err := db.SellerRisks(ctx); err != nil || len(risks) != 0 {
		t.Errorf("SellerRisks before the listing is seen again = %v, %v", risks, err)
	}

	l := shopListing("taobao", "鑫旺食品专营店", item, phoneX)
	mustSave(t, db, l, match("liugehetao", 0.9, true))
	a, err = db.GetAlert(ctx, 1)
	if err != nil || a.SellerID == 0 {
		t.Fatalf("old alert after its listing is seen again = %+v, %v; want a seller", a, err)
	}
	risks, err := db.SellerRisks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h := risks[phoneX]; h.Confirmed != 1 || h.NetworkID != a.SellerID {
		t.Errorf("SellerRisks[phone] = %+v, want the old confirmed alert's network", h)
	}
	var sid int64
	if err := db.sql.QueryRow("SELECT coalesce(seller_id, 0) FROM listings WHERE id = 1").Scan(&sid); err != nil || sid != a.SellerID {
		t.Errorf("listing 1 seller_id = %d, %v; want %d", sid, err, a.SellerID)
	}
}
