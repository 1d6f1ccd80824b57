package store

import (
	"context"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// recrawlPage is a crawled page of three offers: two alerting look-alikes
// and one below the threshold, two marks on the first.
func recrawlPage(seen time.Time) []ListingMatches {
	a := domain.Listing{
		SourceID: "taobao-search", Platform: "taobao", Title: "六个核桅 核桃乳 240ml*20罐 整箱",
		Price: 19.9, Seller: "鑫旺食品专营店", Location: "河北 衡水", URL: "https://item.test/1001",
		ImageURL: "https://img.test/1001.jpg", Query: "六个核桃", SeenAt: seen,
		Contacts: []domain.Contact{{Kind: domain.ContactPhone, Value: "13800001001"}},
	}
	b := domain.Listing{
		SourceID: "taobao-search", Platform: "taobao", Title: "衡水老白千 67度 500ml 礼盒装",
		Price: 128, Seller: "临沂老酒坊", Location: "山东 临沂", URL: "https://item.test/1002",
		Query: "衡水老白干", SeenAt: seen, ID: "taobao:1002",
	}
	c := domain.Listing{
		SourceID: "taobao-search", Platform: "taobao", Title: "临城薄皮核桃 2025新货 5斤装",
		Price: 59.9, Seller: "太行山货店", Location: "河北 邢台", URL: "https://item.test/1003",
		Query: "核桃", SeenAt: seen,
	}
	return []ListingMatches{
		{Listing: a, Matches: []domain.Match{alerting("liugehetao"), match("lincheng-walnut", 0.3, false)}},
		{Listing: b, Matches: []domain.Match{alerting("hengshui-laobaigan")}},
		{Listing: c, Matches: []domain.Match{match("lincheng-walnut", 0.4, false)}},
	}
}

// pendingHits returns the hit ids on the index outbox.
func pendingHits(t *testing.T, db *DB) map[int64]bool {
	t.Helper()
	es, err := db.NextOutbox(context.Background(), 100)
	if err != nil {
		t.Fatalf("NextOutbox: %v", err)
	}
	out := map[int64]bool{}
	for _, e := range es {
		out[e.HitID] = true
	}
	return out
}

// drainOutbox acknowledges everything pending, as the indexer does.
func drainOutbox(t *testing.T, db *DB) {
	t.Helper()
	es, err := db.NextOutbox(context.Background(), 100)
	if err != nil {
		t.Fatalf("NextOutbox: %v", err)
	}
	ids := make([]int64, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	if err := db.AckOutbox(context.Background(), ids); err != nil {
		t.Fatalf("AckOutbox: %v", err)
	}
}

// A re-crawl of unchanged pages enqueues zero index work: a later
// last_seen alone is not worth re-indexing (issue 12), and so is nothing
// the index document does not hold (image, query). What the document holds
// (hits' title, price, seller, location, url, score, reasons, alert) does
// enqueue, and only the hits it belongs to.
func TestRecrawlOfUnchangedPagesEnqueuesNoIndexWork(t *testing.T) {
	tests := []struct {
		name string
		// change edits the second crawl's page; nil re-crawls it unchanged.
		change func(p []ListingMatches)
		// want are the (listing, match) positions whose hits must be queued.
		want [][2]int
	}{
		{name: "unchanged", change: nil},
		{name: "new image and query only", change: func(p []ListingMatches) {
			p[0].Listing.ImageURL = "https://img.test/1001-2.jpg"
			p[1].Listing.Query = "老白干 白酒"
		}},
		{name: "price cut from 19.9 to 15.8", change: func(p []ListingMatches) {
			p[0].Listing.Price = 15.8
		}, want: [][2]int{{0, 0}, {0, 1}}},
		{name: "title reworded", change: func(p []ListingMatches) {
			p[1].Listing.Title = "衡水老白千 67度 500ml 礼盒装 送礼佳品"
		}, want: [][2]int{{1, 0}}},
		{name: "another seller", change: func(p []ListingMatches) {
			p[2].Listing.Seller = "邢台特产直营店"
		}, want: [][2]int{{2, 0}}},
		{name: "moved to 河北 石家庄", change: func(p []ListingMatches) {
			p[2].Listing.Location = "河北 石家庄"
		}, want: [][2]int{{2, 0}}},
		{name: "new url form", change: func(p []ListingMatches) {
			p[1].Listing.URL = "https://item.test/1002?spm=a21n57"
		}, want: [][2]int{{1, 0}}},
		{name: "score of one mark rises", change: func(p []ListingMatches) {
			p[0].Matches[1].Score = 0.35
		}, want: [][2]int{{0, 1}}},
		{name: "reasons of one mark change", change: func(p []ListingMatches) {
			p[1].Matches[0].Reasons = []domain.Reason{{Tactic: "pinyin", Text: "拼音相同: laobaigan"}}
		}, want: [][2]int{{1, 0}}},
		{name: "crosses the alert threshold", change: func(p []ListingMatches) {
			p[2].Matches[0] = alerting("lincheng-walnut")
		}, want: [][2]int{{2, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := newClock()
			db := openTest(t, clock)
			first := mustSaveBatch(t, db, recrawlPage(clock.Now())...)
			if n := len(pendingHits(t, db)); n != 4 {
				t.Fatalf("a first crawl queued %d hits, want 4", n)
			}
			before, err := db.NextOutbox(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(6 * time.Hour)
			page := recrawlPage(clock.Now())
			if tc.change != nil {
				tc.change(page)
			}
			// Undrained: the second crawl must leave the first crawl's
			// entries as they were (a re-queue gives a hit a new entry id).
			second := mustSaveBatch(t, db, page...)
			after, err := db.NextOutbox(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("outbox holds %d entries after the re-crawl, %d before", len(after), len(before))
			}
			want := map[int64]bool{}
			for _, w := range tc.want {
				want[second[w[0]].Hits[w[1]].ID] = true
			}
			was := map[int64]int64{}
			for _, e := range before {
				was[e.HitID] = e.ID
			}
			for _, e := range after {
				if requeued := was[e.HitID] != e.ID; requeued != want[e.HitID] {
					t.Errorf("hit %d re-queued = %v, want %v", e.HitID, requeued, want[e.HitID])
				}
			}
			// Drained, then crawled again as changed: exactly the changed
			// hits are pending.
			drainOutbox(t, db)
			clock.Advance(6 * time.Hour)
			page = recrawlPage(clock.Now())
			mustSaveBatch(t, db, page...)
			if tc.change != nil {
				// Back to the first crawl's page, so the same hits change.
				clock.Advance(6 * time.Hour)
				drainOutbox(t, db)
				page = recrawlPage(clock.Now())
				tc.change(page)
				mustSaveBatch(t, db, page...)
			}
			got := pendingHits(t, db)
			if len(got) != len(want) {
				t.Errorf("after a drained re-crawl %d hits are queued (%v), want %d (%v)", len(got), got, len(want), want)
			}
			for id := range want {
				if !got[id] {
					t.Errorf("changed hit %d was not queued for the index", id)
				}
			}
			// The store itself still knows when each hit was last seen.
			for i, r := range first {
				for j, h := range r.Hits {
					stored, err := db.GetHit(ctx, h.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !stored.LastSeen.Equal(clock.Now()) {
						t.Errorf("hit (%d,%d) last_seen %v, want %v", i, j, stored.LastSeen, clock.Now())
					}
				}
			}
		})
	}
}
