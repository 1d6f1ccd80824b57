package store

import (
	"context"
	"database/sql/driver"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The resight cache must answer as the read it saves would, whatever
// changed the rows it holds since: a statement on the writer connection
// (the pre-update hook must drop them) or on another connection (the data
// version must). Each case changes rows of listings the cache holds, then
// sees them again unchanged; the store must then hold and return what a
// store saving everything through the slow path holds and returns.
func TestResightCacheAnswersAsTheReadWould(t *testing.T) {
	const n = 12
	changes := []struct {
		name string
		sql  []string
	}{
		{"a hit deleted", []string{"DELETE FROM hits WHERE mark_id = 'lincheng-walnut' AND listing_id = (SELECT id FROM listings WHERE url_key = 'taobao:7005')"}},
		{"a title rewritten", []string{"UPDATE listings SET title = '六个核桃 正品', fp = NULL WHERE url_key = 'taobao:7004'"}},
		{"an alert merged away", []string{"UPDATE alerts SET url_key = 'merged:' || id WHERE url_key = 'taobao:7009'"}},
		{"a verdict's fingerprint lost", []string{"UPDATE hits SET fp = NULL WHERE listing_id = (SELECT id FROM listings WHERE url_key = 'taobao:7001')"}},
		{"an alert's score lowered", []string{"UPDATE alerts SET score = 0.1 WHERE url_key = 'taobao:7003'"}},
		{"a listing deleted", []string{
			"DELETE FROM index_outbox WHERE hit_id IN (SELECT h.id FROM hits h JOIN listings l ON l.id = h.listing_id WHERE l.url_key = 'taobao:7004')",
			"DELETE FROM hits WHERE listing_id = (SELECT id FROM listings WHERE url_key = 'taobao:7004')",
			"DELETE FROM listings WHERE url_key = 'taobao:7004'"}},
	}
	for _, via := range []string{"the writer connection", "another connection"} {
		for _, change := range changes {
			t.Run(via+"/"+change.name, func(t *testing.T) {
				fast, slow := openTest(t, nil), openTest(t, nil)
				slow.slowOnly = true
				start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
				for round := range 5 {
					at := start.Add(time.Duration(round) * time.Hour)
					if round == 3 {
						for _, db := range []*DB{fast, slow} {
							exec := db.wr.Exec
							if via == "another connection" {
								exec = db.sql.Exec
							}
							for _, q := range change.sql {
								if _, err := exec(q); err != nil {
									t.Fatalf("%s: %v", q, err)
								}
							}
						}
					}
					got, err := fast.SaveListings(context.Background(), resightRound(n, at))
					if err != nil {
						t.Fatalf("round %d: fast: %v", round, err)
					}
					want, err := slow.SaveListings(context.Background(), resightRound(n, at))
					if err != nil {
						t.Fatalf("round %d: slow: %v", round, err)
					}
					compareStores(t, round, fast, slow, got, want)
					if round == 2 && fast.cache != nil && fast.cache.len() < n {
						t.Fatalf("after two unchanged rounds the cache holds %d listings, want %d", fast.cache.len(), n)
					}
				}
			})
		}
	}
}

// compareStores fails unless two stores hold the same rows and returned
// the same results.
func compareStores(t *testing.T, round int, fast, slow *DB, got, want []SaveResult) {
	t.Helper()
	tables := []string{"listings", "listing_seen", "hits", "alerts", "listing_versions", "index_outbox", "sellers"}
	rf, rs := rankIDs(t, fast, tables), rankIDs(t, slow, tables)
	if g, w := rf.results(got), rs.results(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("round %d: results differ\nfast: %+v\nslow: %+v", round, g, w)
	}
	for _, table := range tables {
		if f, s := dumpTable(t, fast, table, rf), dumpTable(t, slow, table, rs); !reflect.DeepEqual(f, s) {
			t.Fatalf("round %d: table %s differs\nfast: %v\nslow: %v", round, table, f, s)
		}
	}
}

// cachedStore is a store whose cache holds the listings of two unchanged
// rounds, and the first round's time. PostgreSQL keeps no cache.
func cachedStore(t *testing.T) (*DB, time.Time) {
	t.Helper()
	db := openTest(t, nil)
	if db.cache == nil {
		t.Skipf("the %s store keeps no resight cache", db.Dialect())
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for round := range 2 {
		if _, err := db.SaveListings(context.Background(), resightRound(4, start.Add(time.Duration(round)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if db.cache.len() == 0 {
		t.Fatal("an unchanged round left the cache empty")
	}
	return db, start
}

// A batch that fails leaves nothing of itself in the cache: the rows it
// read and touched are rolled back with it.
func TestResightCacheForgetsAFailedBatch(t *testing.T) {
	db, start := cachedStore(t)
	// A trigger makes the next batch fail after its fast path ran.
	if _, err := db.wr.Exec(`CREATE TRIGGER fail_routes BEFORE INSERT ON index_outbox BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	round := resightRound(4, start.Add(2*time.Hour))
	round[0].Listing.Title = "六个核桅 核桃乳 新包装" // a change: an outbox row, which the trigger refuses
	if _, err := db.SaveListings(context.Background(), round); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("save = %v, want the trigger's refusal", err)
	}
	if got := db.cache.len(); got != 0 {
		t.Errorf("after a failed batch the cache holds %d listings", got)
	}
}

// A new writer connection starts with an empty cache: its data version
// counts from anew, and it must not vouch for rows cached before it.
func TestResightCacheEmptiesOnANewConnection(t *testing.T) {
	db, start := cachedStore(t)
	conn, err := db.wr.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Raw's driver.ErrBadConn makes database/sql discard the connection.
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
	var one int
	if err := db.wr.QueryRow("SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
	if got := db.cache.len(); got != 0 {
		t.Errorf("a new writer connection found %d listings cached", got)
	}
	if _, err := db.SaveListings(context.Background(), resightRound(4, start.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if db.cache.len() == 0 {
		t.Error("the new connection's first unchanged round cached nothing")
	}
}
