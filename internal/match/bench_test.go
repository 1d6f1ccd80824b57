package match

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/coregx/ahocorasick"

	"github.com/markwatch/markwatch/internal/domain"
)

// benchGoods are goods vocabularies synthetic marks draw from.
var benchGoods = [][]string{
	{"白酒", "酒", "粮食酒"}, {"挂面", "面条", "面粉"}, {"牛奶", "奶粉", "酸奶"}, {"饮料", "饮品", "冰茶"},
	{"胶囊", "颗粒", "中成药"}, {"汽车", "皮卡", "车模"}, {"相纸", "胶卷"}, {"酱菜", "咸菜"}, {"熟食", "扒鸡", "烧鸡"},
}

// syntheticMarks builds n distinct marks of two to five characters drawn from
// the GB2312 level-1 hanzi, with goods, a traditional form for some and
// an origin for every tenth (a GI), deterministic for a given n.
func syntheticMarks(tb testing.TB, n int) []domain.Mark {
	tb.Helper()
	pool := level1Hanzi()
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	seen := map[string]bool{}
	marks := make([]domain.Mark, 0, n)
	for len(marks) < n {
		k := 2 + rng.IntN(4)
		name := make([]rune, k)
		for i := range name {
			name[i] = pool[rng.IntN(len(pool))]
		}
		if seen[string(name)] {
			continue
		}
		seen[string(name)] = true
		i := len(marks)
		mk := domain.Mark{ID: fmt.Sprintf("m%05d", i), Name: string(name), Kind: domain.KindTrademark,
			Goods: benchGoods[rng.IntN(len(benchGoods))], WellKnown: i%7 == 0}
		if i%10 == 0 {
			mk.Kind = domain.KindGI
			mk.Product = mk.Goods
			mk.Goods = nil
			mk.Origin = domain.Origin{Places: []string{string(name[:2])}, SellerLocations: []string{"河北 唐山"}}
		}
		marks = append(marks, mk)
	}
	return marks
}

func level1Hanzi() []rune {
	t := defaultTables()
	var out []rune
	for r := rune(0x4E00); r <= 0x9FA5; r++ {
		if _, ok := t.shape[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

func benchTitles(tb testing.TB) []domain.Listing {
	tb.Helper()
	f, err := os.Open("testdata/titles.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []domain.Listing
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, domain.Listing{Title: sc.Text(), Seller: "某某专营店", Location: "山东 临沂"})
	}
	return out
}

// exactScanner is the floor any matcher pays: one exact multi-pattern scan
// of the title for every name and form.
type exactScanner struct {
	ac   *ahocorasick.Automaton
	bufs [][]byte
	hits int
}

func newExactScanner(b *testing.B, marks []domain.Mark, titles []domain.Listing) *exactScanner {
	var pats []string
	for _, m := range marks {
		pats = append(pats, m.Name)
		pats = append(pats, m.Forms...)
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(pats).Build()
	if err != nil {
		b.Fatal(err)
	}
	e := &exactScanner{ac: ac}
	for _, t := range titles {
		e.bufs = append(e.bufs, []byte(t.Title))
	}
	return e
}

func (e *exactScanner) scan(i int) { e.hits += len(e.ac.FindAllOverlapping(e.bufs[i%len(e.bufs)])) }

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMatch reports titles per second on one core at three registry
// sizes, the ratio to an exact Aho-Corasick scan of the same titles in the
// same run, and the memory the built index holds.
func BenchmarkMatch(b *testing.B) {
	titles := benchTitles(b)
	defaultTables() // shared tables are not part of any one index
	for _, n := range []int{50, 1000, 10000} {
		marks := syntheticMarks(b, n)
		b.Run(fmt.Sprintf("marks=%d", n), func(b *testing.B) {
			before := heapInUse()
			m, err := New(marks, Options{})
			if err != nil {
				b.Fatal(err)
			}
			indexBytes := heapInUse() - before
			exact := newExactScanner(b, marks, titles)
			timeAgainstExact(b, func(i int) { m.Match(titles[i%len(titles)]) }, exact)
			b.ReportMetric(float64(indexBytes)/(1<<20), "index-MB")
			runtime.KeepAlive(m)
		})
	}
}

// timeAgainstExact times match(i) for b.N titles and, in blocks between
// blocks of matching so that both see the same machine load, the exact
// scan of the same titles; it reports titles/s, exact-titles/s and their
// ratio x-exact by the wall clock, and titles per second of the
// benchmark thread's CPU time (cpu-titles/s), which a loaded machine does
// not distort. The exact scan's blocks are too short for this VM's thread
// clock, so its ratio is reported by the wall clock only.
func timeAgainstExact(b *testing.B, match func(i int), exact *exactScanner) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const block = 256
	var exactTime, matchCPU time.Duration
	exactN := 0
	cpuOK := true
	cpuNow := func() time.Duration {
		d, ok := threadCPU()
		cpuOK = cpuOK && ok
		return d
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuNow()
	for i := 0; i < b.N; i++ {
		match(i)
		if i%block == block-1 {
			b.StopTimer()
			c1 := cpuNow()
			matchCPU += c1 - c0
			start := time.Now()
			for j := 0; j < block; j++ {
				exact.scan(i + j)
			}
			exactTime += time.Since(start)
			c0 = cpuNow()
			exactN += block
			b.StartTimer()
		}
	}
	matchCPU += cpuNow() - c0
	b.StopTimer()
	if exactN == 0 {
		start := time.Now()
		for j := 0; j < block; j++ {
			exact.scan(j)
		}
		exactTime, exactN = time.Since(start), block
	}
	nsPerTitle := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	exactNs := float64(exactTime.Nanoseconds()) / float64(exactN)
	b.ReportMetric(1e9/nsPerTitle, "titles/s")
	b.ReportMetric(1e9/exactNs, "exact-titles/s")
	b.ReportMetric(nsPerTitle/exactNs, "x-exact")
	if cpuOK && matchCPU > 0 {
		cpuPerTitle := float64(matchCPU.Nanoseconds()) / float64(b.N)
		b.ReportMetric(1e9/cpuPerTitle, "cpu-titles/s")
	}
}
