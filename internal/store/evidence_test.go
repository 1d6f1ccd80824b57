package store

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestSaveListingsWritesEvidenceWithTheAlert: a new alert with evidence
// gets, in the SaveListings transaction, its capture (version 1, next log
// index, record hash over the capture as read back), artefact rows, listing
// version 1 pointing at the capture, and image/screenshot jobs.
func TestSaveListingsWritesEvidenceWithTheAlert(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	l := liuge("https://item.taobao.com/item.htm?id=6001")
	ev := pageEvidence(l.URL, true)
	res := mustSaveBatch(t, db,
		ListingMatches{Listing: l, Matches: []domain.Match{alerting(liugehetao), alerting(linchengGI)}, Evidence: ev})
	if len(res[0].NewAlerts) != 2 {
		t.Fatalf("new alerts = %d, want 2 (one per mark)", len(res[0].NewAlerts))
	}
	for i, a := range res[0].NewAlerts {
		cs, err := db.CapturesOf(ctx, a.ID)
		if err != nil || len(cs) != 1 {
			t.Fatalf("captures of alert %d = %+v, %v", a.ID, cs, err)
		}
		c := cs[0]
		if c.Version != 1 || c.LogIndex != int64(i) || c.MarkID != a.MarkID || c.SourceID != "demo" || c.ListingURL != l.URL ||
			c.MarkwatchVersion != "v0.8.0-test" || !c.CapturedAt.Equal(clock.Now()) {
			t.Errorf("capture %d = %+v", i, c)
		}
		if !c.Fetch.FetchedAt.Equal(ev.Fetch.FetchedAt) || c.Fetch.FetchedAt.Nanosecond() != 123456789 || c.Fetch.Body != nil ||
			c.Fetch.Headers["Server"][0] != "Tengine" || c.Fetch.RemoteAddr != "203.0.113.7:443" {
			t.Errorf("capture %d fetch = %+v", i, c.Fetch)
		}
		if len(c.Artefacts) != 1 || c.Artefacts[0] != ev.Artefacts[0] {
			t.Errorf("capture %d artefacts = %+v", i, c.Artefacts)
		}
		// What evidence.Verify does: the row hashes to its record hash.
		if got := testRecordHash(c); got != c.RecordHash {
			t.Errorf("record hash recomputed from the row = %s, stored %s", got, c.RecordHash)
		}
		vs, err := db.ListVersions(ctx, a.ID)
		if err != nil || len(vs) != 1 || vs[0].Version != 1 || vs[0].CaptureID != c.ID || !vs[0].Available || vs[0].Removed ||
			vs[0].Title != l.Title || vs[0].Price != l.Price || vs[0].Seller != fakeShop || vs[0].ImageURL != l.ImageURL || vs[0].Changes != nil {
			t.Errorf("versions of alert %d = %+v, %v", a.ID, vs, err)
		}
	}
	if n := countRows(t, db, "artefacts"); n != 1 {
		t.Errorf("artefacts: %d rows, want 1 (one sha, two captures)", n)
	}
	if n := countRows(t, db, "capture_artefacts"); n != 2 {
		t.Errorf("capture_artefacts: %d rows, want 2", n)
	}
	held, err := db.CapturesWithArtefact(ctx, ev.Artefacts[0].SHA256)
	if err != nil || len(held) != 2 {
		t.Errorf("CapturesWithArtefact = %d, %v; want 2", len(held), err)
	}
	owners, err := db.ArtefactAlerts(ctx, strings.ToUpper(ev.Artefacts[0].SHA256))
	if err != nil || len(owners) != 2 || owners[0].ID != res[0].NewAlerts[0].ID || owners[1].ID != res[0].NewAlerts[1].ID {
		t.Errorf("ArtefactAlerts = %+v, %v; want both alerts", owners, err)
	}
	if none, err := db.ArtefactAlerts(ctx, shaOf([]byte("never kept"))); err != nil || len(none) != 0 {
		t.Errorf("ArtefactAlerts of an unknown sha = %+v, %v", none, err)
	}
	jobs, err := db.DueCaptureJobs(ctx, clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, j := range jobs {
		kinds[j.Kind]++
		if j.Kind == JobImage && j.URL != l.ImageURL || j.Kind == JobScreenshot && j.URL != l.URL {
			t.Errorf("job %+v has the wrong URL", j)
		}
	}
	if kinds[JobImage] != 2 || kinds[JobScreenshot] != 2 || len(jobs) != 4 {
		t.Errorf("capture jobs = %+v, want image and screenshot per alert", jobs)
	}
}

// TestSaveListingsEvidenceCases: which rows a new alert gets depends on the
// evidence, the listing and the store's RecordHash.
func TestSaveListingsEvidenceCases(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name                    string
		hash                    func(domain.Capture) string
		ev                      *ListingEvidence
		noImage                 bool
		captures, versions, job int
	}{
		{name: "evidence, image, screenshot", hash: testRecordHash, ev: pageEvidence("u", true), captures: 1, versions: 1, job: 2},
		{name: "evidence, image, no screenshot", hash: testRecordHash, ev: pageEvidence("u", false), captures: 1, versions: 1, job: 1},
		{name: "evidence, no image", hash: testRecordHash, ev: pageEvidence("u", false), noImage: true, captures: 1, versions: 1, job: 0},
		{name: "no evidence (Keep failed): alert and version only", hash: testRecordHash, ev: nil, captures: 0, versions: 1, job: 0},
		{name: "no RecordHash: no evidence rows", hash: nil, ev: pageEvidence("u", true), captures: 0, versions: 1, job: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openEvidence(t, nil, tc.hash)
			l := liuge("https://item.taobao.com/item.htm?id=6002")
			if tc.noImage {
				l.ImageURL = ""
			}
			a := newAlert(t, db, l, liugehetao, tc.ev)
			cs, _ := db.CapturesOf(ctx, a.ID)
			vs, _ := db.ListVersions(ctx, a.ID)
			if len(cs) != tc.captures || len(vs) != tc.versions || countRows(t, db, "capture_jobs") != tc.job {
				t.Errorf("captures %d, versions %d, jobs %d; want %d, %d, %d",
					len(cs), len(vs), countRows(t, db, "capture_jobs"), tc.captures, tc.versions, tc.job)
			}
		})
	}
}

// TestCaptureFailureRollsTheAlertBack: the capture is written in the
// alert's transaction, so when it cannot be written nothing of the batch
// is, and the store keeps working.
func TestCaptureFailureRollsTheAlertBack(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		hash  func(domain.Capture) string
		hook  func(int64) int64
		wants string
	}{
		{name: "RecordHash panics", hash: func(domain.Capture) string { panic("哈希失败") }, wants: "record hash panicked"},
		{name: "RecordHash returns garbage", hash: func(domain.Capture) string { return "not-hex" }, wants: "not 64 lowercase hex"},
		{name: "duplicate log index", hash: testRecordHash, hook: func(int64) int64 { return 0 }, wants: "UNIQUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openEvidence(t, nil, testRecordHash)
			// One capture exists at index 0, so a forced 0 collides.
			newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=1"), liugehetao, pageEvidence("1", false))
			before := map[string]int{}
			tables := []string{"listings", "hits", "alerts", "captures", "listing_versions", "capture_jobs", "index_outbox", "artefacts"}
			for _, tb := range tables {
				before[tb] = countRows(t, db, tb)
			}
			db.recordHash, db.logIndexHook = tc.hash, tc.hook
			_, err := db.SaveListings(ctx, []ListingMatches{
				{Listing: laobaiganListing("https://item.jd.com/100.html", shandongLY), Matches: []domain.Match{alerting(laobaigan)}},
				{Listing: liuge("https://item.taobao.com/item.htm?id=2"), Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence("2", true)},
			})
			// PostgreSQL words a unique violation in lower case.
			if err == nil || !strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(tc.wants)) {
				t.Fatalf("SaveListings = %v, want an error containing %q", err, tc.wants)
			}
			for _, tb := range tables {
				if got := countRows(t, db, tb); got != before[tb] {
					t.Errorf("%s: %d rows after the failed batch, want %d", tb, got, before[tb])
				}
			}
			// The writer is free again: the same batch goes through once
			// the hash works.
			db.recordHash, db.logIndexHook = testRecordHash, nil
			if _, err := db.SaveListings(ctx, []ListingMatches{
				{Listing: liuge("https://item.taobao.com/item.htm?id=2"), Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence("2", true)},
			}); err != nil {
				t.Fatalf("SaveListings after the failure: %v", err)
			}
			if n, _ := db.LogSize(ctx); n != 2 {
				t.Errorf("log size = %d, want 2", n)
			}
		})
	}
}

// TestLogIndexDenseAcrossWriters: SaveListings, AppendCapture and AddVersion
// share one log whose indexes are 0..n-1 in write order.
func TestLogIndexDenseAcrossWriters(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openEvidence(t, clock, testRecordHash)
	var want []string
	a := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=10"), liugehetao, pageEvidence("10", true))
	img := []byte("\xff\xd8\xff\xe0 六个核桃 jpeg")
	for i := range 3 {
		clock.Advance(time.Minute)
		c, err := db.AppendCapture(ctx, domain.Capture{
			AlertID: a.ID, Artefacts: []domain.ArtefactRef{{Role: domain.RoleImage, SHA256: shaOf(img), Size: int64(len(img)), MediaType: "image/jpeg"}},
			Fetch:      domain.Fetch{RequestURL: "https://img.alicdn.com/x.jpg", Status: 200, FetchedAt: clock.Now().Add(123 * time.Nanosecond)},
			CapturedAt: clock.Now().Add(987654 * time.Nanosecond),
		})
		if err != nil {
			t.Fatalf("AppendCapture #%d: %v", i, err)
		}
		if c.Version != 1 || c.MarkID != liugehetao || c.SourceID != "demo" || c.ListingURL != a.URL {
			t.Errorf("appended capture = %+v, want defaults from the alert", c)
		}
		if i == 1 {
			mustSaveBatch(t, db,
				ListingMatches{Listing: laobaiganListing("https://item.jd.com/200.html", shandongLY), Matches: []domain.Match{alerting(laobaigan)}, Evidence: pageEvidence("200", false)},
				ListingMatches{Listing: liuge("https://item.taobao.com/item.htm?id=11"), Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence("11", false)})
		}
	}
	if _, err := db.AddVersion(ctx, domain.ListingVersion{AlertID: a.ID, Removed: true, Title: "该商品已下架"}, &domain.Capture{}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	if err := db.EachCapture(ctx, func(c domain.Capture) error {
		got = append(got, c.LogIndex)
		want = append(want, c.RecordHash)
		if h := testRecordHash(c); h != c.RecordHash {
			t.Errorf("capture %d: recomputed %s, stored %s", c.ID, h, c.RecordHash)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		t.Fatalf("log has %d captures, want 7 (1 + 3 appended + 2 saved + 1 version)", len(got))
	}
	for i, li := range got {
		if li != int64(i) {
			t.Fatalf("log indexes = %v, want 0..6", got)
		}
	}
	size, err := db.LogSize(ctx)
	if err != nil || size != 7 {
		t.Fatalf("LogSize = %d, %v", size, err)
	}
	leaves, err := db.LogLeaves(ctx, 5)
	if err != nil || len(leaves) != 5 {
		t.Fatalf("LogLeaves(5) = %d, %v", len(leaves), err)
	}
	for i, l := range leaves {
		if hex.EncodeToString(l) != want[i] {
			t.Errorf("leaf %d = %x, want %s", i, l, want[i])
		}
	}
	_, err = db.LogLeaves(ctx, 8)
	wantCode(t, err, domain.EINVALID)
}

func TestAppendCaptureRefusals(t *testing.T) {
	ctx := context.Background()
	db := openEvidence(t, nil, testRecordHash)
	a := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=20"), liugehetao, nil)
	for _, tc := range []struct {
		name string
		c    domain.Capture
		code string
	}{
		{"unknown alert", domain.Capture{AlertID: 999}, domain.ENOTFOUND},
		{"another mark", domain.Capture{AlertID: a.ID, MarkID: laobaigan}, domain.EINVALID},
		{"version not written", domain.Capture{AlertID: a.ID, Version: 3}, domain.EINVALID},
		{"bad sha", domain.Capture{AlertID: a.ID, Artefacts: []domain.ArtefactRef{{Role: domain.RoleImage, SHA256: "ABC"}}}, domain.EINVALID},
		{"no role", domain.Capture{AlertID: a.ID, Artefacts: []domain.ArtefactRef{{SHA256: shaOf(nil)}}}, domain.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.AppendCapture(ctx, tc.c)
			wantCode(t, err, tc.code)
		})
	}
	if n, _ := db.LogSize(ctx); n != 0 {
		t.Errorf("log size after refusals = %d", n)
	}
	plain := openEvidence(t, nil, nil)
	b := newAlert(t, plain, liuge("https://item.taobao.com/item.htm?id=21"), liugehetao, nil)
	_, err := plain.AppendCapture(ctx, domain.Capture{AlertID: b.ID})
	wantCode(t, err, domain.EINVALID)
	// Malformed evidence fails the batch before anything is written.
	bad := pageEvidence("22", false)
	bad.Artefacts[0].SHA256 = "zz"
	_, err = db.SaveListings(ctx, []ListingMatches{{Listing: liuge("https://item.taobao.com/item.htm?id=22"), Matches: []domain.Match{alerting(liugehetao)}, Evidence: bad}})
	wantCode(t, err, domain.EINVALID)
}

// TestEvidenceIsAppendOnly: the triggers refuse to change or remove a
// capture (even through raw SQL on the write connection), and a tree head
// may only be stamped, once.
func TestEvidenceIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := openEvidence(t, nil, testRecordHash)
	a := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=30"), liugehetao, pageEvidence("30", false))
	for _, q := range []string{
		"UPDATE captures SET record_hash = '" + strings.Repeat("0", 64) + "'",
		"UPDATE captures SET artefacts = '[]' WHERE alert_id = " + itoa(a.ID),
		"DELETE FROM captures",
		"UPDATE capture_artefacts SET role = 'image'",
		"DELETE FROM capture_artefacts",
		"UPDATE listing_versions SET price = 1",
		"DELETE FROM listing_versions",
		"UPDATE artefacts SET size = 0",
	} {
		_, err := db.wr.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "never change") {
			t.Errorf("%s: err = %v, want the trigger's refusal", q, err)
		}
	}
	if n := countRows(t, db, "captures"); n != 1 {
		t.Errorf("captures: %d rows", n)
	}

	root := strings.Repeat("ab", 32)
	created := time.Date(2026, 3, 1, 8, 1, 0, 123456789, time.UTC)
	h, err := db.AddTreeHead(ctx, domain.TreeHead{Size: 1, RootHash: root, CreatedAt: created, Signature: "c2ln", KeyID: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	heads, err := db.TreeHeads(ctx)
	if err != nil || len(heads) != 1 || !heads[0].CreatedAt.Equal(created) || heads[0].CreatedAt.Nanosecond() != 123456789 || heads[0].StampedAt != nil {
		t.Fatalf("TreeHeads = %+v, %v; want the head with its nanoseconds", heads, err)
	}
	pending, _ := db.PendingStamps(ctx, 10)
	if len(pending) != 1 || pending[0].ID != h.ID {
		t.Errorf("PendingStamps = %+v", pending)
	}
	for _, q := range []string{
		"UPDATE tree_heads SET root_hash = 'x'",
		"UPDATE tree_heads SET size = 2, tsa_token = x'01', stamped_at = 1",
		"UPDATE tree_heads SET stamped_at = 1",
		"DELETE FROM tree_heads",
	} {
		if _, err := db.wr.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the trigger's refusal", q, err)
		}
	}
	stampAt := time.Date(2026, 3, 1, 8, 2, 0, 0, time.UTC)
	if err := db.SetStamp(ctx, h.ID, []byte{0x30, 0x82, 0x01}, stampAt); err != nil {
		t.Fatalf("SetStamp: %v", err)
	}
	wantCode(t, db.SetStamp(ctx, h.ID, []byte{0x30}, stampAt), domain.ECONFLICT)
	wantCode(t, db.SetStamp(ctx, 999, []byte{0x30}, stampAt), domain.ENOTFOUND)
	if _, err := db.wr.ExecContext(ctx, "UPDATE tree_heads SET tsa_token = x'02', stamped_at = 2"); err == nil {
		t.Error("restamping through SQL succeeded")
	}
	heads, _ = db.TreeHeads(ctx)
	if string(heads[0].TSAToken) != "\x30\x82\x01" || heads[0].StampedAt == nil || !heads[0].StampedAt.Equal(stampAt) {
		t.Errorf("stamped head = %+v", heads[0])
	}
	if pending, _ := db.PendingStamps(ctx, 10); len(pending) != 0 {
		t.Errorf("PendingStamps after stamping = %+v", pending)
	}
	// Heads follow the log: not beyond it, never shrinking.
	_, err = db.AddTreeHead(ctx, domain.TreeHead{Size: 2, RootHash: root, Signature: "s", KeyID: "k1"})
	wantCode(t, err, domain.EINVALID)
	_, err = db.AddTreeHead(ctx, domain.TreeHead{Size: 0, RootHash: root, Signature: "s", KeyID: "k1"})
	wantCode(t, err, domain.EINVALID)
	_, err = db.AddTreeHead(ctx, domain.TreeHead{Size: 1, RootHash: root})
	wantCode(t, err, domain.EINVALID)
}

// exactHash hashes every byte of a capture (fmt prints maps sorted), so a
// string changed on the way through the row would change it; testRecordHash
// goes through JSON, which would hide that.
func exactHash(c domain.Capture) string {
	c.ID, c.RecordHash, c.LogIndex = 0, "", 0
	at, fetched := c.CapturedAt.UnixNano(), c.Fetch.FetchedAt.UnixNano()
	c.CapturedAt, c.Fetch.FetchedAt = time.Time{}, time.Time{}
	return shaOf([]byte(fmt.Sprintf("%d %d %#v", at, fetched, c)))
}

// TestCaptureKeepsBytesJSONWouldLose: a header in GBK (六个, as a server
// may send a file name) is kept recoverably, and the record hash computed
// at write time is the one recomputed from the row.
func TestCaptureKeepsBytesJSONWouldLose(t *testing.T) {
	ctx := context.Background()
	db := openEvidence(t, nil, exactHash)
	gbk := "attachment; filename=\xc1\xf9\xb8\xf6.html"
	ev := pageEvidence("gbk", false)
	ev.Fetch.Headers["Content-Disposition"] = []string{gbk}
	ev.Fetch.Headers["X-\xc1\xf9"] = nil
	a := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=40"), liugehetao, ev)
	cs, err := db.CapturesOf(ctx, a.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("captures = %+v, %v", cs, err)
	}
	c := cs[0]
	if got := exactHash(c); got != c.RecordHash {
		t.Errorf("record hash from the row = %s, stored %s", got, c.RecordHash)
	}
	v := c.Fetch.Headers["Content-Disposition"][0]
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(v, invalidUTF8Prefix))
	if !strings.HasPrefix(v, invalidUTF8Prefix) || err != nil || string(raw) != gbk {
		t.Errorf("GBK header read back as %q", v)
	}
	if ev.Fetch.Headers["Content-Disposition"][0] != gbk {
		t.Error("the caller's evidence was modified")
	}
	if _, ok := c.Fetch.Headers[invalidUTF8Prefix+base64.StdEncoding.EncodeToString([]byte("X-\xc1\xf9"))]; !ok {
		t.Errorf("GBK header name lost: %v", c.Fetch.Headers)
	}
}

// TestLogIndexDenseUnderConcurrentWriters: captures appended from many
// goroutines while crawls save new alerts still get 0..n-1, each once.
func TestLogIndexDenseUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := openEvidence(t, nil, testRecordHash)
	a := newAlert(t, db, liuge("https://item.taobao.com/item.htm?id=50"), liugehetao, pageEvidence("50", false))
	const writers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var err error
				if w%2 == 0 {
					_, err = db.AppendCapture(ctx, domain.Capture{AlertID: a.ID})
				} else {
					u := fmt.Sprintf("https://item.taobao.com/item.htm?id=5%d%02d", w, i)
					_, err = db.SaveListings(ctx, []ListingMatches{{Listing: liuge(u), Matches: []domain.Match{alerting(liugehetao)}, Evidence: pageEvidence(u, false)}})
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Read in pages of 5 (49 captures: a last partial page).
	defer func(p int) { eachCapturePage = p }(eachCapturePage)
	eachCapturePage = 5
	var got []int64
	if err := db.EachCapture(ctx, func(c domain.Capture) error { got = append(got, c.LogIndex); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1+writers*each {
		t.Fatalf("%d captures, want %d", len(got), 1+writers*each)
	}
	for i, li := range got {
		if li != int64(i) {
			t.Fatalf("log indexes not dense: %v", got)
		}
	}
}
