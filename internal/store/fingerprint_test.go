package store

import (
	"context"
	"database/sql"
	"hash/fnv"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Every field qTouchListing compares or sets must move the listing's
// fingerprint, or the fast path would keep a row a sighting changed; the
// hit's likewise for its verdict.
func TestFingerprintsChangeWithEveryField(t *testing.T) {
	base := domain.Listing{
		SourceID: "taobao-search", Platform: "taobao", ID: "taobao:7001", Title: "六个核桅 核桃乳 240ml*20罐 整箱",
		Price: 9.9, Seller: "鑫旺食品专营店", Location: "河北 衡水", URL: "https://item.taobao.test/item.htm?id=7001",
		ImageURL: "https://img.taobao.test/7001.jpg", Query: "六个核桃",
	}
	const sid = 41
	baseFP := listingFP(base, sid)
	listings := []struct {
		name string
		edit func(l *domain.Listing)
		sid  int64
	}{
		{"title, one character", func(l *domain.Listing) { l.Title = "六个核桃 核桃乳 240ml*20罐 整箱" }, sid},
		{"title, traditional script", func(l *domain.Listing) { l.Title = "六個核桅 核桃乳 240ml*20罐 整箱" }, sid},
		{"price by an ulp", func(l *domain.Listing) { l.Price = 9.90000001 }, sid},
		{"price", func(l *domain.Listing) { l.Price = 19.9 }, sid},
		{"seller", func(l *domain.Listing) { l.Seller = "鑫旺食品旗舰店" }, sid},
		{"location", func(l *domain.Listing) { l.Location = "河北 石家庄" }, sid},
		{"url", func(l *domain.Listing) { l.URL += "&spm=1" }, sid},
		{"image", func(l *domain.Listing) { l.ImageURL = "https://img.taobao.test/7001-v2.jpg" }, sid},
		{"platform", func(l *domain.Listing) { l.Platform = "tmall" }, sid},
		{"query", func(l *domain.Listing) { l.Query = "核桃乳" }, sid},
		{"seller id", func(*domain.Listing) {}, sid + 1},
		{"no seller id", func(*domain.Listing) {}, 0},
		// Length prefixes: moving text from one field to the next is a change.
		{"text moved between fields", func(l *domain.Listing) {
			l.Seller, l.Location = "鑫旺食品专营店 河北", " 衡水"
		}, sid},
		{"title emptied into the url", func(l *domain.Listing) { l.URL, l.Title = l.URL+l.Title, "" }, sid},
	}
	for _, c := range listings {
		l := base
		c.edit(&l)
		if listingFP(l, c.sid) == baseFP {
			t.Errorf("listing %s: the fingerprint did not change", c.name)
		}
	}
	// What qTouchListing neither compares nor sets leaves it alone, and
	// -0 is 0, as SQL compares them.
	same := base
	same.ID, same.SeenAt, same.Contacts = "taobao:other", time.Now(), []domain.Contact{{Kind: domain.ContactPhone, Value: "13903110000"}}
	if listingFP(same, sid) != baseFP {
		t.Error("the identity, the time or the contacts changed the fingerprint")
	}
	zero, negZero := base, base
	zero.Price, negZero.Price = 0, math.Copysign(0, -1)
	if listingFP(zero, sid) != listingFP(negZero, sid) {
		t.Error("price -0 and 0 have different fingerprints")
	}

	reasons := []domain.Reason{{Tactic: "shape", Text: "形近字替换: 桃→桅", Start: 3, End: 4}}
	hitBase := hitFP("liugehetao", 0.93, true, reasons)
	hits := []struct {
		name    string
		mark    string
		score   float64
		alert   bool
		reasons []domain.Reason
	}{
		{"mark", "lincheng-walnut", 0.93, true, reasons},
		{"score by an ulp", "liugehetao", 0.9300000000000002, true, reasons},
		{"alert", "liugehetao", 0.93, false, reasons},
		{"reason text", "liugehetao", 0.93, true, []domain.Reason{{Tactic: "shape", Text: "形近字替换: 核→桅", Start: 3, End: 4}}},
		{"reason tactic", "liugehetao", 0.93, true, []domain.Reason{{Tactic: "sound", Text: "形近字替换: 桃→桅", Start: 3, End: 4}}},
		{"reason span", "liugehetao", 0.93, true, []domain.Reason{{Tactic: "shape", Text: "形近字替换: 桃→桅", Start: 2, End: 4}}},
		{"a reason more", "liugehetao", 0.93, true, append([]domain.Reason{{Tactic: "context", Text: "商品词: 核桃"}}, reasons...)},
		{"no reasons", "liugehetao", 0.93, true, nil},
		{"text moved between reasons", "liugehetao", 0.93, true, []domain.Reason{{Tactic: "shape", Text: "形近字替换", Start: 3, End: 4}, {Text: ": 桃→桅"}}},
	}
	for _, c := range hits {
		if hitFP(c.mark, c.score, c.alert, c.reasons) == hitBase {
			t.Errorf("hit %s: the fingerprint did not change", c.name)
		}
	}
	// No reasons are stored as "[]" either way.
	if hitFP("liugehetao", 0.5, false, nil) != hitFP("liugehetao", 0.5, false, []domain.Reason{}) {
		t.Error("nil and empty reasons have different fingerprints")
	}
	// merge.go fingerprints a hit from its stored reasons: it must find
	// what a save of the same verdict computes, or merged hits would never
	// take the fast path again.
	for _, rs := range [][]domain.Reason{reasons, nil, {{Tactic: "context", Text: "商品词: \"核桃\"\t<乳>&", Start: 0, End: 0}}} {
		enc, err := encodeReasons(rs)
		if err != nil {
			t.Fatal(err)
		}
		if got := storedHitFP("liugehetao", 0.4, false, enc); !got.Valid || got.Int64 != hitFP("liugehetao", 0.4, false, rs) {
			t.Errorf("the stored reasons %s fingerprint as %v, a save as %d", enc, got, hitFP("liugehetao", 0.4, false, rs))
		}
	}
	if storedHitFP("liugehetao", 0.4, false, "not json").Valid {
		t.Error("reasons that do not decode got a fingerprint")
	}
}

// Rows written before fingerprints (NULL fp) must take the slow path once
// and come out of it with the fingerprint a save gives, then take the
// fast path.
func TestResightGivesOldRowsTheirFingerprint(t *testing.T) {
	db := openTest(t, nil)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mustSaveBatch(t, db, resightRound(4, at)...)
	mustExec(t, db, "UPDATE listings SET fp = NULL WHERE url_key = 'taobao:7001'")
	mustExec(t, db, "UPDATE hits SET fp = NULL WHERE listing_id = (SELECT id FROM listings WHERE url_key = 'taobao:7002')")
	want := fingerprints(t, db)
	// The slow path alone stores the same rows.
	slow := openTest(t, nil)
	slow.slowOnly = true
	mustSaveBatch(t, slow, resightRound(4, at)...)
	mustSaveBatch(t, slow, resightRound(4, at.Add(time.Hour))...)

	done := resightDone(t, db, resightRound(4, at.Add(time.Hour)))
	if wantDone := []bool{true, false, false, true, true, true}; !equalBools(done, wantDone) {
		t.Fatalf("fast path took %v, want %v", done, wantDone)
	}
	mustSaveBatch(t, db, resightRound(4, at.Add(time.Hour))...)
	got := fingerprints(t, db)
	for k, fp := range got {
		if !fp.Valid {
			t.Errorf("%s has no fingerprint after a save", k)
		} else if w := want[k]; w.Valid && w != fp {
			t.Errorf("%s: fingerprint %d moved to %d on an unchanged sighting", k, w.Int64, fp.Int64)
		}
	}
	if got, want := fingerprints(t, slow), got; len(got) != len(want) {
		t.Fatalf("slow path: %d fingerprints, fast: %d", len(got), len(want))
	} else {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s: slow path stored %v, fast path %v", k, got[k], want[k])
			}
		}
	}
	if done := resightDone(t, db, resightRound(4, at.Add(2*time.Hour))); !equalBools(done, []bool{true, true, true, true, true, true}) {
		t.Fatalf("after the slow path, the fast path took %v", done)
	}
}

// MergeIdentities folds hits into one: the kept hit's fingerprint must be
// that of the verdict it keeps, so the next crawl takes the fast path and
// a verdict that moved does not.
func TestMergeKeepsFingerprints(t *testing.T) {
	clock := newClock()
	db := openTest(t, clock)
	older := domain.Match{MarkID: "hengshui-laobaigan", Score: 0.88, Alert: true, Reasons: []domain.Reason{{Tactic: "sound", Text: "同音替换: 干→甘"}}}
	later := alerting("hengshui-laobaigan")
	if rep := mergeTwoURLForms(t, db, clock, older, later); rep.HitsMerged != 1 {
		t.Fatalf("merge: %+v", rep)
	}
	var (
		mark, reasons string
		score         float64
		alert         bool
		fp            sql.NullInt64
	)
	if err := db.sql.QueryRow("SELECT mark_id, score, alert, reasons, fp FROM hits").Scan(&mark, &score, &alert, &reasons, &fp); err != nil {
		t.Fatal(err)
	}
	if want := hitFP(later.MarkID, later.Score, later.Alert, later.Reasons); !fp.Valid || fp.Int64 != want || score != later.Score {
		t.Fatalf("kept hit: score %v, fp %v; want the later verdict's %d", score, fp, want)
	}
	// The offer seen again under its identity (the kept row keeps its
	// URL), with the later verdict.
	l := laobaiganListing(jdHTTPForm, "河北 石家庄")
	l.ID, l.SeenAt = "jd:100012345", clock.Now().Add(time.Hour)
	if done := resightDone(t, db, []ListingMatches{{Listing: l, Matches: []domain.Match{later}}}); !done[0] {
		t.Error("the merged listing's unchanged re-sighting took the slow path")
	}
	if done := resightDone(t, db, []ListingMatches{{Listing: l, Matches: []domain.Match{older}}}); done[0] {
		t.Error("a verdict that moved back took the fast path")
	}
}

// fingerprints returns the fp of every listing and hit, by row.
func fingerprints(t *testing.T, db *DB) map[string]sql.NullInt64 {
	t.Helper()
	out := map[string]sql.NullInt64{}
	for _, q := range []string{
		"SELECT 'listing ' || url_key, fp FROM listings",
		"SELECT 'hit ' || l.url_key || ' ' || h.mark_id, h.fp FROM hits h JOIN listings l ON l.id = h.listing_id",
	} {
		rows, err := db.sql.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				k  string
				fp sql.NullInt64
			)
			if err := rows.Scan(&k, &fp); err != nil {
				t.Fatal(err)
			}
			out[k] = fp
		}
		rows.Close()
	}
	return out
}

// resightDone runs the fast path alone on batch, in a transaction it
// rolls back, and says which entries it saved.
func resightDone(t *testing.T, db *DB, batch []ListingMatches) []bool {
	t.Helper()
	ctx := context.Background()
	var done []bool
	errRollback := sql.ErrTxDone // any error: only to roll back
	err := db.inWriteTx(ctx, "resighting", func(tx *writeTx) error {
		sg := make([]sighting, len(batch))
		sellers := newSellerCache()
		for i, b := range batch {
			sg[i].seen = db.seenAt(b.Listing)
			var err error
			if sg[i].sid, err = db.saveSeller(ctx, tx, b.Listing, sg[i].seen, sellers); err != nil {
				return err
			}
		}
		var err error
		if done, _, err = db.resight(ctx, tx, batch, sg, make([]SaveResult, len(batch))); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !strings.Contains(err.Error(), errRollback.Error()) {
		t.Fatal(err)
	}
	return done
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The statements must find rows by their whole key, the list outermost:
// a plan that looked listings up by source alone and scanned the list for
// each (as one with the source bound apart did, 2 ms a row) turns a
// re-crawl quadratic.
func TestResightStatementsSearchByKey(t *testing.T) {
	sqliteOnly(t, "reads SQLite's EXPLAIN QUERY PLAN")
	db := openTest(t, nil)
	for _, q := range db.resightQ.all() {
		n := strings.Count(q, "?")
		args := make([]any, n)
		rows, err := db.sql.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var (
				id, parent, notused int
				detail              string
			)
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			if !planKeyed(detail) {
				t.Errorf("%.60s…: %s", q, detail)
			}
		}
		rows.Close()
	}
}

// planKeyed says whether one step of a plan reads the list or finds rows
// by their whole key: listings and alerts by their url_key too, sellers by
// shop key, others by an index or the rowid.
func planKeyed(detail string) bool {
	if strings.HasPrefix(detail, "SCAN") {
		return detail == "SCAN t" || detail == "SCAN CONSTANT ROW" || strings.HasSuffix(detail, "VALUES CLAUSE")
	}
	f := strings.Fields(detail)
	if len(f) < 2 || f[0] != "SEARCH" {
		return true // not a table access
	}
	if strings.Contains(detail, "(rowid=?)") {
		return true
	}
	switch f[1] {
	case "l", "listings", "a", "alerts":
		return strings.Contains(detail, "url_key=?")
	case "s", "sellers":
		return strings.Contains(detail, "shop_key=?")
	}
	return strings.Contains(detail, "=?")
}

// A list is cut into chunks of at most maxListRows rows, each padded with
// NULL rows to a prepared size, every row sent once and in order.
func TestListQueryChunks(t *testing.T) {
	q := newValuesQuery(2, "SELECT * FROM (VALUES)")
	for _, rows := range []int{1, 3, 4, 200, 256, 257, 600} {
		var args []any
		for i := range rows {
			args = append(args, i, "行")
		}
		var got []any
		err := q.chunks([]any{"fixed"}, args, func(stmt string, a []any) error {
			if a[0] != "fixed" {
				t.Errorf("%d rows: the fixed argument is not first", rows)
			}
			a = a[1:]
			if n := strings.Count(stmt, "?"); n != len(a) {
				t.Errorf("%d rows: %d arguments for %d parameters", rows, len(a), n)
			}
			if n := len(a) / 2; n&(n-1) != 0 || n > maxListRows {
				t.Errorf("%d rows: a chunk of %d rows", rows, n)
			}
			for i := 0; i < len(a); i += 2 {
				if a[i] != nil {
					got = append(got, a[i], a[i+1])
				} else if a[i+1] != nil {
					t.Errorf("%d rows: a padding row holds %v", rows, a[i+1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(args) {
			t.Fatalf("%d rows: %d values sent, want %d", rows, len(got), len(args))
		}
		for i := range got {
			if got[i] != args[i] {
				t.Fatalf("%d rows: value %d is %v, want %v", rows, i, got[i], args[i])
			}
		}
	}
}

// BenchmarkFingerprint times listingFP on a crawl's listing against
// FNV-1a (hash/fnv) over the same encoding, the other stable hash the
// choice was between; "ratio" is SHA-256's time over FNV's.
func BenchmarkFingerprint(b *testing.B) {
	l := resightOffer(3, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	var f fpBuf
	var sha, fnvT time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range 100 {
			f.listingFP(l, 41)
		}
		t1 := time.Now()
		for range 100 {
			h := fnv.New64a()
			h.Write(f.b)
			_ = h.Sum64()
		}
		sha, fnvT = sha+t1.Sub(t0), fnvT+time.Since(t1)
	}
	b.ReportMetric(float64(sha.Nanoseconds())/float64(b.N*100), "sha_ns/listing")
	b.ReportMetric(float64(fnvT.Nanoseconds())/float64(b.N*100), "fnv_ns/listing")
	b.ReportMetric(sha.Seconds()/fnvT.Seconds(), "ratio")
}

// A merge whose offer had one alert, through one of its URL forms, makes
// that alert live again through the merged listing (qReliveListingAlerts):
// the next unchanged sighting takes the fast path and still moves the
// alert's last_seen.
func TestMergeKeepsASingleAlertLive(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)
	weak := domain.Match{MarkID: "hengshui-laobaigan", Score: 0.5, Alert: false, Reasons: []domain.Reason{{Tactic: "sound", Text: "同音替换: 干→甘"}}}
	later := alerting("hengshui-laobaigan")
	if rep := mergeTwoURLForms(t, db, clock, weak, later); rep.ListingsMerged != 1 || rep.AlertsMerged != 0 {
		t.Fatalf("merge: %+v; want the listings merged, the one alert kept", rep)
	}
	l := laobaiganListing(jdHTTPForm, "河北 石家庄")
	l.ID, l.SeenAt = "jd:100012345", clock.Now().Add(time.Hour)
	batch := []ListingMatches{{Listing: l, Matches: []domain.Match{later}}}
	if done := resightDone(t, db, batch); !done[0] {
		t.Error("the merged listing's unchanged re-sighting took the slow path")
	}
	mustSaveBatch(t, db, batch...)
	var id int64
	if err := db.sql.QueryRow("SELECT id FROM alerts").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if a, err := db.GetAlert(ctx, id); err != nil || !a.LastSeen.Equal(l.SeenAt) {
		t.Errorf("the alert after the re-sighting: %+v, %v; want last_seen %v", a, err, l.SeenAt)
	}
}

// jdHTTPForm and jdSPMForm are two URL forms of one JD offer, which
// testIdentity takes for one.
const (
	jdHTTPForm = "http://item.jd.com/100012345.html"
	jdSPMForm  = "https://item.jd.com/100012345.html?spm=a.b.c"
)

// mergeTwoURLForms saves the offer through jdHTTPForm with first, an hour
// later through jdSPMForm with second, and merges them.
func mergeTwoURLForms(t *testing.T, db *DB, clock *fakeClock, first, second domain.Match) MergeReport {
	t.Helper()
	mustSaveBatch(t, db, ListingMatches{Listing: laobaiganListing(jdHTTPForm, "河北 石家庄"), Matches: []domain.Match{first}})
	clock.Advance(time.Hour)
	mustSaveBatch(t, db, ListingMatches{Listing: laobaiganListing(jdSPMForm, "河北 石家庄"), Matches: []domain.Match{second}})
	rep, err := db.MergeIdentities(context.Background(), "", testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
