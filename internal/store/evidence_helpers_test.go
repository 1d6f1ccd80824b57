package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// The second owner's mark in the evidence and case tests: 衡水老白干.
const (
	laobaigan   = "hengshui-laobaigan"
	shopLinyi   = "临沂酒水批发专营店"
	hebeiSJZ    = "河北 石家庄"
	shandongLY  = "山东 临沂"
	searchLiuge = "https://s.taobao.com/search?q=%E5%85%AD%E4%B8%AA%E6%A0%B8%E6%A1%83"
)

// testRecordHash stands in for evidence.RecordHash: SHA-256 of the
// capture's JSON with ID, RecordHash and LogIndex zero (encoding/json sorts
// header keys; the store hands over UTC times).
func testRecordHash(c domain.Capture) string {
	c.ID, c.RecordHash, c.LogIndex = 0, "", 0
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func openEvidence(t testing.TB, clock *fakeClock, hash func(domain.Capture) string) *DB {
	t.Helper()
	opts := Options{RecordHash: hash, MarkwatchVersion: "v0.8.0-test"}
	if clock != nil {
		opts.Now = clock.Now
	}
	return openStore(t, opts)
}

func shaOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pageEvidence is what the pipeline keeps of a search page that showed the
// listing at url: the raw page as an artefact and the fetch's metadata.
func pageEvidence(url string, screenshot bool) *ListingEvidence {
	body := []byte("<html><body><a href=\"" + url + "\">六个核桅 核桃乳</a></body></html>")
	return &ListingEvidence{
		Fetch: domain.Fetch{
			RequestURL: searchLiuge, FinalURL: searchLiuge, Status: 200,
			Headers:   map[string][]string{"Content-Type": {"text/html; charset=utf-8"}, "Server": {"Tengine"}},
			Body:      body,
			FetchedAt: time.Date(2026, 3, 1, 16, 0, 0, 123456789, time.FixedZone("CST", 8*3600)),
			UserAgent: "Mozilla/5.0 markwatch", RemoteAddr: "203.0.113.7:443",
		},
		Artefacts:  []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: shaOf(body), Size: int64(len(body)), MediaType: "text/html"}},
		Screenshot: screenshot,
	}
}

func liuge(url string) domain.Listing {
	l := liugeListing(url, hebeiSJZ)
	l.ImageURL = "https://img.alicdn.com/" + fmt.Sprint(len(url)) + ".jpg"
	return l
}

func laobaiganListing(url, loc string) domain.Listing {
	return domain.Listing{
		SourceID: "jd", Platform: "jd", Title: "衡水老白千 67度 500ml 礼盒装", Price: 128,
		Seller: shopLinyi, Location: loc, URL: url, Query: "衡水老白干",
	}
}

func alerting(mark string) domain.Match {
	return domain.Match{MarkID: mark, Score: 0.93, Alert: true, Reasons: []domain.Reason{
		{Tactic: "homoglyph", Text: "形近字替换: 桃→桅"},
	}}
}

func mustSaveBatch(t testing.TB, db *DB, batch ...ListingMatches) []SaveResult {
	t.Helper()
	res, err := db.SaveListings(context.Background(), batch)
	if err != nil {
		t.Fatalf("SaveListings: %v", err)
	}
	return res
}

// newAlert saves l with evidence and returns its one new alert.
func newAlert(t testing.TB, db *DB, l domain.Listing, mark string, ev *ListingEvidence) domain.Alert {
	t.Helper()
	res := mustSaveBatch(t, db, ListingMatches{Listing: l, Matches: []domain.Match{alerting(mark)}, Evidence: ev})
	if len(res[0].NewAlerts) != 1 {
		t.Fatalf("saving %s raised %d alerts, want 1", l.URL, len(res[0].NewAlerts))
	}
	return res[0].NewAlerts[0]
}

func confirm(t testing.TB, db *DB, id int64) {
	t.Helper()
	if _, err := db.ReviewAlert(context.Background(), id, domain.Review{Status: domain.AlertConfirmed}, adminActor); err != nil {
		t.Fatalf("confirming alert %d: %v", id, err)
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}
