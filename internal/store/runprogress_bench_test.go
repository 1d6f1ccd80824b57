package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkSaveListingsWithProgress measures what recording a running
// run's progress adds to a crawl batch: 50 unchanged re-sightings (the
// cheapest batch, so the added UPDATE weighs most) saved alternately
// without and with the run's row updated in the same transaction. Baseline:
// the plain SaveListings of the same batches in the same loop; with/plain
// is the ratio.
func BenchmarkSaveListingsWithProgress(b *testing.B) {
	ctx := context.Background()
	db := openBench(b, false)
	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		b.Fatal(err)
	}
	const size, rounds = 50, 20
	batches := make([][]ListingMatches, rounds)
	for r := range batches {
		batches[r] = make([]ListingMatches, size)
		for i := range batches[r] {
			l := walnut(fmt.Sprintf("https://demo.local/p/%d/%d", r, i))
			batches[r][i] = ListingMatches{Listing: l, Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}}
		}
		if _, err := db.SaveListings(ctx, batches[r]); err != nil {
			b.Fatal(err)
		}
	}
	progress := domain.CrawlRun{ID: run.ID, Pages: 12, Listings: 480, Hits: 40, Alerts: 3, Errors: map[string]int{"timeout": 1}}
	var plain, with time.Duration
	r := 0
	for b.Loop() {
		r++
		start := time.Now()
		if _, err := db.SaveListings(ctx, batches[r%rounds]); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := db.SaveListingsWithProgress(ctx, batches[(r+rounds/2)%rounds], progress); err != nil {
			b.Fatal(err)
		}
		plain += mid.Sub(start)
		with += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(plain.Nanoseconds())/n, "ns/batch_plain")
	b.ReportMetric(float64(with.Nanoseconds())/n, "ns/batch_progress")
	b.ReportMetric(float64(with)/float64(plain), "with/plain")
	b.ReportMetric(0, "ns/op")
}
