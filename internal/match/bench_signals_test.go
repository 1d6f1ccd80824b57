package match

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkSignals measures what each signal beyond the title costs per
// listing: the same listings matched with and without the signal's field,
// in alternating blocks of the same run, on the realistic 10,000-mark
// registry with two reference images per mark. It reports both per-listing
// times (base-ns, with-ns, by the thread's CPU time where available) and
// the difference, extra-ns.
func BenchmarkSignals(b *testing.B) {
	defaultTables()
	marks, _ := realisticRegistry(b, realisticMarks)
	rng := rand.New(rand.NewPCG(1, 2))
	var refs []domain.PHash
	for i := range marks {
		marks[i].Images = nil
		for range 2 {
			h := domain.PHash(rng.Uint64())
			marks[i].Images = append(marks[i].Images, domain.RefImage{Path: "ref.png", Hash: h})
			refs = append(refs, h)
		}
	}
	m, err := New(marks, Options{})
	if err != nil {
		b.Fatal(err)
	}
	// the labelled positive titles: a title hit, mostly on marks with prices
	var base []domain.Listing
	for _, c := range labelledCases(b) {
		if len(c.Expect) > 0 {
			l := c.Listing
			l.Price, l.ImageHash, l.SellerHistory = 0, 0, nil
			base = append(base, l)
		}
	}
	cases := []struct {
		name string
		with func(i int, l domain.Listing) domain.Listing
	}{
		{"price", func(i int, l domain.Listing) domain.Listing {
			l.Price = 9.9 + float64(i%50)
			return l
		}},
		{"image-lookup", func(i int, l domain.Listing) domain.Listing {
			l.ImageHash = domain.PHash(rng.Uint64()) // near no reference: the index probes alone
			return l
		}},
		{"image-hit", func(i int, l domain.Listing) domain.Listing {
			l.ImageHash = refs[rng.IntN(len(refs))] ^ 0b1011 // three bits off a reference image
			return l
		}},
		{"seller", func(i int, l domain.Listing) domain.Listing {
			l.SellerHistory = &domain.SellerHistory{Confirmed: 2, Via: "电话 138****5678 与 鑫旺食品专营店"}
			return l
		}},
	}
	for _, c := range cases {
		with := make([]domain.Listing, len(base))
		for i, l := range base {
			with[i] = c.with(i, l)
		}
		b.Run(c.name, func(b *testing.B) { timePair(b, m, base, with) })
	}
	runtime.KeepAlive(m)
}

// timePair matches base[i] and with[i] in alternating blocks and reports
// the per-listing time of each and their difference.
func timePair(b *testing.B, m *Matcher, base, with []domain.Listing) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const block = 64
	clock := func() time.Duration {
		if d, ok := threadCPU(); ok {
			return d
		}
		return time.Duration(time.Now().UnixNano())
	}
	var tBase, tWith time.Duration
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		from := (i / block * block) % len(base)
		c0 := clock()
		for j := 0; j < block; j++ {
			m.Match(base[(from+j)%len(base)])
		}
		c1 := clock()
		for j := 0; j < block; j++ {
			m.Match(with[(from+j)%len(with)])
		}
		tWith += clock() - c1
		tBase += c1 - c0
		n += block
	}
	b.StopTimer()
	baseNs := float64(tBase.Nanoseconds()) / float64(n)
	withNs := float64(tWith.Nanoseconds()) / float64(n)
	b.ReportMetric(baseNs, "base-ns")
	b.ReportMetric(withNs, "with-ns")
	b.ReportMetric(withNs-baseNs, "extra-ns")
}
