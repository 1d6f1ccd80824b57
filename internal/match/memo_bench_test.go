package match

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	defaults "github.com/markwatch/markwatch/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/registry"
)

// resightTitles mix what a search for a protected name returns, as the
// app's pipeline benchmark does: mostly genuine or unrelated goods, some
// look-alikes.
var resightTitles = []string{
	"六个核桃 核桃乳 240ml*20罐 整箱 植物蛋白饮料",
	"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发",
	"新疆薄皮核桃 2斤装 纸皮核桃 生核桃",
	"今麦郎 红烧牛肉面 泡面 5连包",
	"迁西板栗 新货 生板栗 5斤装 现摘",
	"华为 Mate 60 手机壳 硅胶 防摔",
	"衡水老白干 67度 白酒 500ml",
	"小米 充电宝 20000毫安 快充",
	"金丝小枣 沧州特产 2斤 红枣",
	"露露 杏仁露 240ml*20罐 整箱",
}

var resightShops = []struct{ seller, location string }{
	{"鑫源副食批发部", "河南 周口"}, {"漯河鑫旺食品批发", "河南 漯河"}, {"津南副食批发部", "天津 天津"},
	{"临沂饮品总汇", "山东 临沂"}, {"唐山特产直供", "河北 唐山"}, {"好运来食品店", "河北 沧州"},
}

// resightListings are n distinct listings as a re-crawl sees them: the
// title mix by many shops at many prices.
func resightListings(n int) []domain.Listing {
	out := make([]domain.Listing, n)
	for i := range out {
		shop := resightShops[i%len(resightShops)]
		out[i] = domain.Listing{
			Title:    resightTitles[i%len(resightTitles)],
			Seller:   fmt.Sprintf("%s%d号店", shop.seller, i/len(resightTitles)),
			Location: shop.location,
			Price:    float64(20+i%61) + 0.9,
			Platform: "pinduoduo",
			URL:      fmt.Sprintf("https://mobile.yangkeduo.com/goods.html?goods_id=%d", 100000+i),
		}
	}
	return out
}

// embeddedMatcher is the daemon's matcher: the embedded registry, its
// reference images hashed.
func embeddedMatcher(tb testing.TB) *Matcher {
	tb.Helper()
	marks, err := registry.LoadFS(defaults.FS, defaults.Registry, defaults.Registry)
	if err != nil {
		tb.Fatal(err)
	}
	if err := registry.HashImages(defaults.FS, defaults.RegistryDir, marks, imagesig.Hasher{}.Hash); err != nil {
		tb.Fatal(err)
	}
	m, err := New(marks, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// BenchmarkMemo times re-sighting 8,000 distinct listings, all remembered,
// against matching them, alternating blocks of the same listings in one
// run; memo/matcher is the ratio of their times per listing.
func BenchmarkMemo(b *testing.B) {
	const distinct, block = 8000, 200
	m := embeddedMatcher(b)
	ls := resightListings(distinct)
	mm := NewMemo(m, 100_000)
	hits := 0
	for _, l := range ls {
		if len(mm.Match(l)) > 0 {
			hits++
		}
	}
	if hits == 0 || hits == distinct {
		b.Fatalf("%d of %d listings hit a mark; the mix should have both", hits, distinct)
	}
	var matchT, memoT time.Duration
	n := 0
	b.ResetTimer()
	for i := range b.N {
		from := (i * block) % distinct
		part := ls[from : from+block]
		start := time.Now()
		for _, l := range part {
			m.Match(l)
		}
		matchT += time.Since(start)
		start = time.Now()
		for _, l := range part {
			mm.Match(l)
		}
		memoT += time.Since(start)
		n += block
	}
	if st := mm.Stats(); st.Misses != distinct {
		b.Fatalf("memo matched %d times, want only the %d first sightings", st.Misses, distinct)
	}
	b.ReportMetric(float64(matchT.Nanoseconds())/float64(n), "matcher_ns/listing")
	b.ReportMetric(float64(memoT.Nanoseconds())/float64(n), "memo_ns/listing")
	b.ReportMetric(float64(memoT)/float64(matchT), "memo/matcher")
	b.ReportMetric(float64(hits)/distinct, "hit_share")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMemoContention times remembered answers from 8 goroutines on
// 2 cores, as a crawl at parallelism 8 asks, with the memo under one lock
// against memoShards locks, alternating in one run; sharded/one_lock is the
// ratio of their times.
func BenchmarkMemoContention(b *testing.B) {
	const goroutines, distinct, perGoroutine = 8, 8000, 2000
	m := embeddedMatcher(b)
	ls := resightListings(distinct)
	one, sharded := newMemo(m, 100_000, 1), newMemo(m, 100_000, memoShards)
	for _, l := range ls {
		one.Match(l)
		sharded.Match(l)
	}
	run := func(mm *Memo, i int) time.Duration {
		var wg sync.WaitGroup
		start := time.Now()
		for g := range goroutines {
			wg.Go(func() {
				for k := range perGoroutine {
					mm.Match(ls[(i*7919+g*perGoroutine+k)%distinct])
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	var oneT, shardedT time.Duration
	b.ResetTimer()
	for i := range b.N {
		oneT += run(one, i)
		shardedT += run(sharded, i)
	}
	calls := float64(b.N * goroutines * perGoroutine)
	b.ReportMetric(float64(oneT.Nanoseconds())/calls, "one_lock_ns/listing")
	b.ReportMetric(float64(shardedT.Nanoseconds())/calls, "sharded_ns/listing")
	b.ReportMetric(float64(shardedT)/float64(oneT), "sharded/one_lock")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMemoMemory measures what a full memo of 100,000 entries costs:
// the heap it holds after a collection, per entry, with the verdicts of the
// re-sighting mix (the matcher's own, 70% of them hits with reasons), and
// with listings like no mark only (most of what a search returns).
func BenchmarkMemoMemory(b *testing.B) {
	const size = 100_000
	m := embeddedMatcher(b)
	ls := resightListings(len(resightTitles) * len(resightShops))
	verdicts := make([][]domain.Match, len(ls))
	for i, l := range ls {
		verdicts[i] = m.Match(l)
	}
	// fill measures the heap a full memo holds, per entry, with the
	// verdict of listing j at entry i
	fill := func(verdict func(j int) []domain.Match) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		// one shard, so that the memo holds exactly size entries: with
		// more, keys spread unevenly and a few shards evict early
		mm := newMemo(m, size, 1)
		for i := range size {
			// what Match would store for a listing with these fields, at
			// a key of its own
			j := i % len(ls)
			l := ls[j]
			l.Seller = fmt.Sprint(i)
			k := mm.key(&l)
			mm.shards[0].put(k, cloneMatches(verdict(j)))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if st := mm.Stats(); st.Entries != size {
			b.Fatalf("memo holds %d, want %d", st.Entries, size)
		}
		runtime.KeepAlive(mm)
		return float64(after.HeapAlloc-before.HeapAlloc) / size
	}
	var perEntry, perMiss float64
	b.ResetTimer()
	for range b.N {
		perEntry = fill(func(j int) []domain.Match { return verdicts[j] })
		perMiss = fill(func(int) []domain.Match { return nil })
	}
	b.ReportMetric(perEntry, "B/entry")
	b.ReportMetric(perMiss, "B/entry_no_hit")
	b.ReportMetric(perEntry*size/(1<<20), "MiB/100k")
	b.ReportMetric(0, "ns/op")
}
