package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// resightCase is one step of TestResightSavesWhatTheSlowPathSaves: an
// optional change made behind the store's back, then a batch.
type resightCase struct {
	name   string
	behind func(t *testing.T, db *DB)
	batch  func(at time.Time) []ListingMatches
}

// offers of the equivalence test: Hebei look-alikes, a genuine shop, a
// title-only card, one offer two sources carry.
func resightOffer(n int, at time.Time) domain.Listing {
	shops := []string{"鑫旺食品专营店", "衡水老酒坊", "太行山货店", "燕赵特产直营店"}
	titles := []string{"六个核桅 核桃乳 240ml*20罐 整箱", "衡水老白千 67度 500ml 礼盒装", "临城薄皮核桃 2025新货 5斤装", "迁西板粟 新货 生板栗 5斤装 现摘"}
	return domain.Listing{
		SourceID: "taobao-search", Platform: "taobao", ID: fmt.Sprintf("taobao:%d", 7000+n),
		Title: titles[n%len(titles)], Price: 19.9 + float64(n), Seller: shops[n%len(shops)], Location: "河北 衡水",
		URL:      fmt.Sprintf("https://item.taobao.test/item.htm?id=%d", 7000+n),
		ImageURL: fmt.Sprintf("https://img.taobao.test/%d.jpg", 7000+n), Query: "六个核桃", SeenAt: at,
		Contacts: []domain.Contact{{Kind: domain.ContactPhone, Value: fmt.Sprintf("1390311%04d", n%len(shops))}},
	}
}

// resightVerdicts are the matcher's verdicts on offer n: 1 in 3 alerts, 1
// in 4 resembles two marks.
func resightVerdicts(n int) []domain.Match {
	ms := []domain.Match{{MarkID: "liugehetao", Score: 0.4 + float64(n%5)/10, Alert: n%3 == 0,
		Reasons: []domain.Reason{{Tactic: "shape", Text: "形近字替换: 桃→桅", Start: 3, End: 4}}}}
	if n%4 == 1 {
		ms = append(ms, domain.Match{MarkID: "lincheng-walnut", Score: 0.35, Reasons: []domain.Reason{{Tactic: "context", Text: "商品词: \"核桃\"\t乳"}}})
	}
	return ms
}

// resightRound is a crawl of n offers, then a card with no link and one
// without a seller or matches.
func resightRound(n int, at time.Time) []ListingMatches {
	out := make([]ListingMatches, n, n+2)
	for i := range out {
		out[i] = ListingMatches{Listing: resightOffer(i, at), Matches: resightVerdicts(i)}
	}
	return append(out,
		ListingMatches{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao",
			Title: "陆个核桃 核桃乳饮品 无链接", Price: 45, SeenAt: at}, Matches: resightVerdicts(0)},
		ListingMatches{Listing: domain.Listing{SourceID: "taobao-search", Platform: "taobao",
			Title: "露露 杏仁露 240ml*20罐", URL: "https://item.taobao.test/item.htm?id=6999", SeenAt: at}})
}

// edit returns round with entry i changed by f.
func edit(round []ListingMatches, i int, f func(*ListingMatches)) []ListingMatches {
	f(&round[i])
	return round
}

// The fast path (resight.go) must store exactly what saving every entry
// through saveInTx stores, and return the same results: the same batches
// go to a database using it and to one that does not (slowOnly), and
// every table a save writes and every result must be equal after each.
func TestResightSavesWhatTheSlowPathSaves(t *testing.T) {
	const n = 12
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []resightCase{
		{name: "first sightings", batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
		{name: "unchanged re-sightings", batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
		{name: "changed title and price", batch: func(at time.Time) []ListingMatches {
			r := edit(resightRound(n, at), 0, func(b *ListingMatches) { b.Listing.Title = "六个核桅 核桃乳 240ml*24罐 新包装" })
			return edit(r, 3, func(b *ListingMatches) { b.Listing.Price = 15.5 })
		}},
		{name: "query and platform move without a change", batch: func(at time.Time) []ListingMatches {
			// A platform change of a listing with a seller is another seller.
			r := edit(resightRound(n, at), 6, func(b *ListingMatches) { b.Listing.Query = "核桃乳" })
			return edit(r, n+1, func(b *ListingMatches) { b.Listing.Platform = "tmall" })
		}},
		{name: "changed verdict, new mark, alert withdrawn", batch: func(at time.Time) []ListingMatches {
			r := edit(resightRound(n, at), 0, func(b *ListingMatches) { b.Matches[0].Score = 0.97 })
			r = edit(r, 2, func(b *ListingMatches) {
				b.Matches = append(b.Matches, domain.Match{MarkID: "hengshui-laobaigan", Score: 0.88, Alert: true,
					Reasons: []domain.Reason{{Tactic: "sound", Text: "同音替换: 干→甘"}}})
			})
			return edit(r, 3, func(b *ListingMatches) { b.Matches[0].Alert = false })
		}},
		{name: "the same key twice in one batch", batch: func(at time.Time) []ListingMatches {
			r := resightRound(n, at)
			again := r[4]
			again.Listing.Title = "六个核桅 核桃乳 临期特价"
			again.Matches = []domain.Match{{MarkID: "liugehetao", Score: 0.99, Alert: true}}
			return append(r, again)
		}},
		{name: "a listing gone stale is seen again", behind: func(t *testing.T, db *DB) {
			a := alertOf(t, db, "liugehetao", "taobao:7006")
			if _, err := db.AddVersion(context.Background(), domain.ListingVersion{AlertID: a, SeenAt: start.Add(time.Hour)}, nil); err != nil {
				t.Fatal(err)
			}
		}, batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
		{name: "an alert merged away and a hit deleted behind the store's back", behind: func(t *testing.T, db *DB) {
			a := alertOf(t, db, "liugehetao", "taobao:7009")
			mustExec(t, db, "UPDATE alerts SET url_key = 'merged:' || id WHERE id = ?", a)
			mustExec(t, db, "DELETE FROM hits WHERE mark_id = 'lincheng-walnut' AND listing_id = (SELECT id FROM listings WHERE url_key = 'taobao:7005')")
		}, batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
		{name: "an older sighting replayed", batch: func(at time.Time) []ListingMatches {
			return resightRound(n, at.Add(-90*time.Minute))
		}},
		{name: "evidence kept", batch: func(at time.Time) []ListingMatches {
			r := edit(resightRound(n, at), 0, func(b *ListingMatches) { b.Evidence = benchEvidence })
			return edit(r, 1, func(b *ListingMatches) {
				b.Evidence = benchEvidence
				b.Listing.ImageURL = "https://img.taobao.test/7001-v2.jpg"
			})
		}},
		{name: "two sources carry one offer", batch: func(at time.Time) []ListingMatches {
			r := resightRound(n, at)
			other := r[9]
			other.Listing.SourceID, other.Listing.Platform = "tmall-search", "tmall"
			return append(r, other)
		}},
		{name: "a seller moves, networks merge", batch: func(at time.Time) []ListingMatches {
			// A new shop with the phone of shop 3: it joins shop 3's network.
			r := edit(resightRound(n, at), 3, func(b *ListingMatches) { b.Listing.Seller = "燕赵特产二店" })
			// Shop 1 shows shop 2's phone before shop 2's turn (entry 2),
			// which changes shop 2's network; then shop 2 shows shop 0's
			// phone, which merges from the network shop 2 is in by then.
			r = edit(r, 1, func(b *ListingMatches) {
				b.Listing.Contacts = append(b.Listing.Contacts, domain.Contact{Kind: domain.ContactPhone, Value: "13903110002"})
			})
			return edit(r, 6, func(b *ListingMatches) {
				b.Listing.Contacts = append(b.Listing.Contacts, domain.Contact{Kind: domain.ContactPhone, Value: "13903110000"})
			})
		}},
		{name: "rows written before fingerprints", behind: func(t *testing.T, db *DB) {
			mustExec(t, db, "UPDATE listings SET fp = NULL WHERE url_key IN ('taobao:7000', 'taobao:7003')")
			mustExec(t, db, "UPDATE hits SET fp = NULL WHERE listing_id IN (SELECT id FROM listings WHERE url_key IN ('taobao:7001', 'taobao:7006'))")
		}, batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
		{name: "seen as stamped, no SeenAt", batch: func(time.Time) []ListingMatches { return resightRound(n, time.Time{}) }},
		{name: "unchanged again", batch: func(at time.Time) []ListingMatches { return resightRound(n, at) }},
	}
	clockFast, clockSlow := newClock(), newClock()
	fast, slow := openEvidence(t, clockFast, testRecordHash), openEvidence(t, clockSlow, testRecordHash)
	slow.slowOnly = true
	for i, c := range cases {
		at := start.Add(time.Duration(i) * time.Hour)
		clockFast.Advance(time.Hour)
		clockSlow.Advance(time.Hour)
		if c.behind != nil {
			c.behind(t, fast)
			c.behind(t, slow)
		}
		got, err := fast.SaveListings(context.Background(), c.batch(at))
		if err != nil {
			t.Fatalf("%s: fast: %v", c.name, err)
		}
		want, err := slow.SaveListings(context.Background(), c.batch(at))
		if err != nil {
			t.Fatalf("%s: slow: %v", c.name, err)
		}
		tables := []string{"listings", "listing_seen", "hits", "alerts", "listing_versions", "index_outbox",
			"sellers", "seller_contacts", "captures", "capture_jobs"}
		rf, rs := rankIDs(t, fast, tables), rankIDs(t, slow, tables)
		if got, want := rf.results(got), rs.results(want); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: results differ\nfast: %+v\nslow: %+v", c.name, got, want)
		}
		for _, table := range tables {
			if f, s := dumpTable(t, fast, table, rf), dumpTable(t, slow, table, rs); !reflect.DeepEqual(f, s) {
				t.Fatalf("%s: table %s differs\nfast: %v\nslow: %v", c.name, table, f, s)
			}
		}
	}
}

func alertOf(t *testing.T, db *DB, mark, key string) int64 {
	t.Helper()
	var id int64
	if err := db.sql.QueryRow("SELECT id FROM alerts WHERE mark_id = ? AND url_key = ?", mark, key).Scan(&id); err != nil {
		t.Fatalf("alert of %s for %s: %v", mark, key, err)
	}
	return id
}

func mustExec(t *testing.T, db *DB, q string, args ...any) {
	t.Helper()
	if _, err := db.wr.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// idRanks, on PostgreSQL, maps each table's ids to their places in id
// order. Ids come from sequences there, which an upsert advances also when
// it updates, so the slow path, upserting more, leaves wider gaps; what
// must agree between two stores is each row's place. Nil on SQLite, whose
// ids are compared as they are.
type idRanks map[string]map[int64]int64

// idColumns are the columns holding ids of another table's rows.
var idColumns = map[string]string{
	"listing_id": "listings", "hit_id": "hits", "alert_id": "alerts", "seller_id": "sellers",
	"network_id": "sellers", "capture_id": "captures", "kept_id": "alerts", "merged_id": "alerts",
}

func rankIDs(t *testing.T, db *DB, tables []string) idRanks {
	t.Helper()
	if db.Dialect() != dialectPostgres {
		return nil
	}
	r := idRanks{}
	for _, table := range tables {
		rows, err := db.sql.Query("SELECT id FROM " + table + " ORDER BY id")
		if err != nil {
			continue // no id column
		}
		m := map[int64]int64{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			m[id] = int64(len(m) + 1)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		r[table] = m
	}
	return r
}

// of is id's rank in table; 0 stays 0, an id of no row is negated.
func (r idRanks) of(table string, id int64) int64 {
	if r == nil || id == 0 {
		return id
	}
	if n, ok := r[table][id]; ok {
		return n
	}
	return -id
}

// results is res with its ids as ranks.
func (r idRanks) results(res []SaveResult) []SaveResult {
	if r == nil {
		return res
	}
	out := make([]SaveResult, len(res))
	for i, s := range res {
		s.ListingID = r.of("listings", s.ListingID)
		s.Hits = append([]domain.Hit(nil), s.Hits...)
		for k := range s.Hits {
			s.Hits[k].ID, s.Hits[k].ListingID = r.of("hits", s.Hits[k].ID), r.of("listings", s.Hits[k].ListingID)
		}
		s.NewAlerts = append([]domain.Alert(nil), s.NewAlerts...)
		for k := range s.NewAlerts {
			a := &s.NewAlerts[k]
			a.ID, a.HitID, a.SellerID = r.of("alerts", a.ID), r.of("hits", a.HitID), r.of("sellers", a.SellerID)
		}
		out[i] = s
	}
	return out
}

// dumpedAs is how dumpTable reads a table whose stored rows may differ
// between two paths that store the same state: a live hit's last_seen
// column is only a lower bound (0010_listing_seen.sql), so hits are
// compared by the last_seen readers see.
var dumpedAs = map[string]string{
	"hits": "SELECT id, listing_id, mark_id, score, alert, reasons, first_seen, " + hitLastSeen +
		" AS last_seen, fp, live FROM hits h ORDER BY 1",
	"listing_seen": "SELECT listing_id, last_seen FROM listing_seen ORDER BY 1",
}

// dumpTable returns every row of table, in rowid order, as text, with
// ids as ranks (ranks).
func dumpTable(t *testing.T, db *DB, table string, ranks idRanks) []string {
	t.Helper()
	q, ok := dumpedAs[table]
	if !ok {
		q = "SELECT * FROM " + table + " ORDER BY rowid"
	}
	rows, err := db.sql.Query(q)
	if err != nil {
		// WITHOUT ROWID tables: their primary key orders them.
		rows, err = db.sql.Query("SELECT * FROM " + table + " ORDER BY 1, 2, 3")
	}
	if err != nil {
		t.Fatalf("dumping %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if cols[i] == "saved_change" {
				// what the last upsert of the row changed, read only by
				// that upsert's RETURNING; a touch leaves it
				continue
			}
			if id, ok := v.(int64); ok && ranks != nil {
				if cols[i] == "id" {
					v = ranks.of(table, id)
				} else if ref, ok := idColumns[cols[i]]; ok {
					v = ranks.of(ref, id)
				}
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The fast path must actually take unchanged re-sightings, and only them:
// an equivalence test alone passes if it never does.
func TestResightTakesOnlyUnchangedReSightings(t *testing.T) {
	db := openTest(t, nil)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// Values are bound as they are, so text JSON could not carry (a NUL,
	// bytes that are not UTF-8) compares exactly too.
	odd := func(r []ListingMatches) []ListingMatches {
		r[5].Listing.Title = "六个核桅\x00 核桃乳"
		r[7].Listing.Seller = "鑫旺\xff食品"
		return r
	}
	mustSaveBatch(t, db, odd(resightRound(8, at))...)
	batch := odd(resightRound(8, at.Add(time.Hour)))
	batch[1].Listing.Price = 9.9      // changed listing
	batch[2].Matches[0].Score = 0.91  // changed verdict
	batch[4].Evidence = benchEvidence // evidence: slow path
	// The last two: the card without a link and the one without a seller.
	want := []bool{true, false, false, true, false, true, true, true, true, true}
	if done := resightDone(t, db, batch); !reflect.DeepEqual(done, want) {
		t.Fatalf("fast path took %v, want %v", done, want)
	}
	batch[5].Listing.Title = "六个核桅\x00 核桃乳 新"
	batch[7].Listing.Seller = "鑫旺\xfe食品"
	want[5], want[7] = false, false
	if done := resightDone(t, db, batch); !reflect.DeepEqual(done, want) {
		t.Fatalf("after changing the odd values, fast path took %v, want %v", done, want)
	}
}
