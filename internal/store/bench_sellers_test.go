package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkSaveListingsSellers measures what recording sellers costs a
// crawl batch of 50 listings (one alerting mark each, three platforms,
// every listing its own shop with a phone and a WeChat id, every tenth
// sharing the previous one's phone, so networks merge). The baseline is
// the same batch whose listings name no seller, saved into a second
// database in the same loop, alternating which goes first, so both see the
// same machine; "ratio" is the sellers' time over the baseline's.
func BenchmarkSaveListingsSellers(b *testing.B) {
	const size = 50
	platforms := []string{"taobao", "jd", "pinduoduo"}
	batch := func(round int, sellers bool) []ListingMatches {
		out := make([]ListingMatches, size)
		for i := range out {
			n := round*size + i
			l := shopListing(platforms[i%3], "", fmt.Sprintf("https://item.test/%d", n))
			if sellers {
				p := n
				if i%10 == 9 {
					p = n - 1
				}
				l.Seller = fmt.Sprintf("鑫旺%d号食品专营店", n)
				l.Contacts = []domain.Contact{
					{Kind: domain.ContactPhone, Value: fmt.Sprintf("138%08d", p)},
					{Kind: domain.ContactWeChat, Value: fmt.Sprintf("xinwang_%d", n)},
				}
			}
			out[i] = ListingMatches{Listing: l, Matches: []domain.Match{match("liugehetao", 0.9, true)}}
		}
		return out
	}
	// run saves next's batches; warm rounds are saved first, untimed.
	run := func(b *testing.B, warm int, next func(round int, sellers bool) []ListingMatches) {
		base, with := openTest(b, nil), openTest(b, nil)
		for r := range warm {
			for db, s := range map[*DB]bool{base: false, with: true} {
				if _, err := db.SaveListings(context.Background(), next(r, s)); err != nil {
					b.Fatal(err)
				}
			}
		}
		var baseT, withT time.Duration
		save := func(db *DB, bt []ListingMatches, into *time.Duration) {
			t0 := time.Now()
			if _, err := db.SaveListings(context.Background(), bt); err != nil {
				b.Fatal(err)
			}
			*into += time.Since(t0)
		}
		round := 0
		for b.Loop() {
			round++
			bb, bw := next(round, false), next(round, true)
			if round%2 == 0 {
				save(base, bb, &baseT)
				save(with, bw, &withT)
			} else {
				save(with, bw, &withT)
				save(base, bb, &baseT)
			}
		}
		b.ReportMetric(float64(baseT.Nanoseconds())/float64(round), "baseline-ns/batch")
		b.ReportMetric(float64(withT.Nanoseconds())/float64(round), "sellers-ns/batch")
		b.ReportMetric(float64(withT)/float64(baseT), "ratio")
	}
	b.Run("new", func(b *testing.B) { run(b, 0, batch) })
	// Unchanged re-sightings, a crawl's usual case.
	b.Run("resighted", func(b *testing.B) {
		const rounds = 20
		batches := map[bool][][]ListingMatches{}
		for _, s := range []bool{false, true} {
			for r := range rounds {
				batches[s] = append(batches[s], batch(r, s))
			}
		}
		run(b, rounds, func(round int, sellers bool) []ListingMatches { return batches[sellers][round%rounds] })
	})
}
