package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// resightOffers are the kinds of offer a search for protected names
// returns, with the matcher's verdicts: look-alikes that alert, genuine or
// distant goods that resemble a mark below the threshold, and one offer
// resembling two marks.
var resightOffers = []struct {
	title, seller, location string
	price                   float64
	matches                 []domain.Match
}{
	{"六个核桅 核桃乳 240ml*20罐 整箱", "鑫旺食品专营店", "河北 衡水", 19.9, []domain.Match{
		{MarkID: "liugehetao", Score: 0.93, Alert: true, Reasons: []domain.Reason{{Tactic: "shape", Text: "形近字替换: 桃→桅", Start: 3, End: 4}}},
		{MarkID: "lincheng-walnut", Score: 0.31, Reasons: []domain.Reason{{Tactic: "context", Text: "商品词: 核桃"}}},
	}},
	{"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发", "好又多副食批发部", "河南 周口", 45.5, []domain.Match{
		{MarkID: "liugehetao", Score: 0.886, Alert: true, Reasons: []domain.Reason{{Tactic: "sound", Text: "同音替换: 六→陆", Start: 0, End: 1}}},
	}},
	{"六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料", "养元饮品官方旗舰店", "河北 衡水", 59.9, []domain.Match{
		{MarkID: "liugehetao", Score: 0.42, Reasons: []domain.Reason{{Tactic: "exact", Text: "含商标名称: 六个核桃", Start: 0, End: 4}, {Tactic: "context", Text: "授权店铺"}}},
	}},
	{"衡水老白千 67度 500ml 礼盒装", "临沂老酒坊", "山东 临沂", 128, []domain.Match{
		{MarkID: "hengshui-laobaigan", Score: 0.91, Alert: true, Reasons: []domain.Reason{{Tactic: "shape", Text: "形近字替换: 干→千", Start: 4, End: 5}}},
	}},
	{"临城薄皮核桃 2025新货 5斤装", "太行山货店", "河北 邢台", 68, []domain.Match{
		{MarkID: "lincheng-walnut", Score: 0.55, Reasons: []domain.Reason{{Tactic: "gi-origin", Text: "含地理标志名称: 临城核桃", Start: 0, End: 2}}},
	}},
	{"迁西板栗 新货 生板栗 5斤装 现摘", "燕山特产直营店", "河北 唐山", 39.8, []domain.Match{
		{MarkID: "qianxi-chestnut", Score: 0.5, Reasons: []domain.Reason{{Tactic: "gi-origin", Text: "含地理标志名称: 迁西板栗", Start: 0, End: 4}}},
	}},
}

// resightBatches builds rounds of a crawl's batches of size listings: the
// same offers each round, seen a minute later, each listing its own URL
// and image, shops with a phone each, pages of 48 listings each seen at
// its own second (a crawl stamps a page's listings with one time).
func resightBatches(batches, size int, round int) [][]ListingMatches {
	seen := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(round) * time.Minute)
	out := make([][]ListingMatches, batches)
	for bi := range out {
		out[bi] = make([]ListingMatches, size)
		for i := range out[bi] {
			n := bi*size + i
			o := resightOffers[n%len(resightOffers)]
			l := domain.Listing{
				SourceID: "taobao-search", Platform: "taobao", ID: fmt.Sprintf("taobao:%d", 600000+n),
				Title: o.title, Price: o.price, Seller: fmt.Sprintf("%s%d号", o.seller, n%40), Location: o.location,
				URL: fmt.Sprintf("https://item.taobao.test/item.htm?id=%d", 600000+n), ImageURL: fmt.Sprintf("https://img.taobao.test/%d.jpg", n),
				Query: "六个核桃", SeenAt: seen.Add(time.Duration(n/48) * time.Second),
				Contacts: []domain.Contact{{Kind: domain.ContactPhone, Value: fmt.Sprintf("1380000%04d", n%40)}},
			}
			out[bi][i] = ListingMatches{Listing: l, Matches: o.matches}
		}
	}
	return out
}

// BenchmarkSaveListingsResighted measures a re-crawl of unchanged pages:
// batches of 256 listings (the pipeline writer's largest), every one seen
// before, 1 in 3 with an alert, saved by the fast path (resight.go) and,
// in the same loop into a second database holding the same rows, by the
// slow path alone (saveInTx per listing, the baseline), alternating which
// goes first. "ratio" is the fast path's time over the slow path's.
func BenchmarkSaveListingsResighted(b *testing.B) {
	const (
		batches = 8
		size    = 256
	)
	ctx := context.Background()
	fast, slow := openTest(b, nil), openTest(b, nil)
	slow.slowOnly = true
	for _, db := range []*DB{fast, slow} {
		for _, bt := range resightBatches(batches, size, 0) {
			if _, err := db.SaveListings(ctx, bt); err != nil {
				b.Fatal(err)
			}
		}
	}
	save := func(db *DB, bt []ListingMatches, into *time.Duration) []SaveResult {
		t0 := time.Now()
		res, err := db.SaveListings(ctx, bt)
		*into += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	var fastT, slowT time.Duration
	listings, round := 0, 0
	var rounds [][]ListingMatches
	for b.Loop() {
		if len(rounds) == 0 {
			round++
			rounds = resightBatches(batches, size, round)
		}
		bt := rounds[0]
		rounds = rounds[1:]
		var rf, rsl []SaveResult
		if round%2 == 0 {
			rf = save(fast, bt, &fastT)
			rsl = save(slow, bt, &slowT)
		} else {
			rsl = save(slow, bt, &slowT)
			rf = save(fast, bt, &fastT)
		}
		if round == 1 && !reflect.DeepEqual(rf, rsl) {
			b.Fatal("the fast path's results differ from the slow path's")
		}
		listings += len(bt)
	}
	b.ReportMetric(float64(fastT.Microseconds())/float64(listings), "fast_µs/listing")
	b.ReportMetric(float64(slowT.Microseconds())/float64(listings), "slow_µs/listing")
	b.ReportMetric(fastT.Seconds()/slowT.Seconds(), "ratio")
	b.ReportMetric(0, "ns/op")
}
