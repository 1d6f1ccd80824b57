package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pgtest"
)

// BenchmarkSaveListingsPostgresVsSQLite measures store write throughput
// on PostgreSQL beside SQLite in the same run: each batch (a page of 48
// realistic listings, resightOffers: look-alikes that alert, goods below
// the threshold, shops with a phone) is saved into a SQLite store and a
// PostgreSQL one of the shared test cluster, alternating which goes first.
// "first" saves listings never seen; "resighted" unchanged re-sightings
// (the fast path, resight.go). "pg/sqlite" is PostgreSQL's time over
// SQLite's. The cluster is pgtest's: loopback, no fsync, so the ratio is
// the database's and the driver's cost, not a disk's.
func BenchmarkSaveListingsPostgresVsSQLite(b *testing.B) {
	const size = 48
	open := func(b *testing.B) (lite, pg *DB) {
		lite = openURL(b, "sqlite:"+b.TempDir()+"/markwatch.db", Options{})
		pg = openURL(b, pgtest.Shared(b).NewDatabase(b), Options{})
		return lite, pg
	}
	type timing struct{ lite, pg time.Duration }
	saveBoth := func(b *testing.B, lite, pg *DB, batch []ListingMatches, pgFirst bool, t *timing) {
		for k := range 2 {
			db, into := lite, &t.lite
			if (k == 0) == pgFirst {
				db, into = pg, &t.pg
			}
			t0 := time.Now()
			_, err := db.SaveListings(context.Background(), batch)
			*into += time.Since(t0)
			if err != nil {
				b.Fatalf("%s: %v", db.Dialect(), err)
			}
		}
	}
	report := func(b *testing.B, t timing, listings int) {
		b.ReportMetric(float64(t.lite.Microseconds())/float64(listings), "sqlite_µs/listing")
		b.ReportMetric(float64(t.pg.Microseconds())/float64(listings), "pg_µs/listing")
		b.ReportMetric(t.pg.Seconds()/t.lite.Seconds(), "pg/sqlite")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("first", func(b *testing.B) {
		lite, pg := open(b)
		var t timing
		n := 0
		for b.Loop() {
			saveBoth(b, lite, pg, firstSightings(n, size), n%2 == 0, &t)
			n++
		}
		report(b, t, n*size)
	})
	b.Run("resighted", func(b *testing.B) {
		lite, pg := open(b)
		const batches = 8
		for _, bt := range resightBatches(batches, size, 0) {
			saveBoth(b, lite, pg, bt, false, &timing{})
		}
		var t timing
		n, round := 0, 0
		var rounds [][]ListingMatches
		for b.Loop() {
			if len(rounds) == 0 {
				round++
				rounds = resightBatches(batches, size, round)
			}
			saveBoth(b, lite, pg, rounds[0], round%2 == 0, &t)
			rounds = rounds[1:]
			n++
		}
		report(b, t, n*size)
	})
}

// firstSightings is batch n of listings never seen before, made like
// resightBatches' (the same offers, shops and verdicts).
func firstSightings(n, size int) []ListingMatches {
	seen := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
	out := make([]ListingMatches, size)
	for i := range out {
		k := n*size + i
		o := resightOffers[k%len(resightOffers)]
		out[i] = ListingMatches{Listing: domain.Listing{
			SourceID: "taobao-search", Platform: "taobao", ID: fmt.Sprintf("taobao:%d", 800000+k),
			Title: o.title, Price: o.price, Seller: fmt.Sprintf("%s%d号", o.seller, k%40), Location: o.location,
			URL: fmt.Sprintf("https://item.taobao.test/item.htm?id=%d", 800000+k), ImageURL: fmt.Sprintf("https://img.taobao.test/%d.jpg", k),
			Query: "六个核桃", SeenAt: seen,
			Contacts: []domain.Contact{{Kind: domain.ContactPhone, Value: fmt.Sprintf("1380000%04d", k%40)}},
		}, Matches: o.matches}
	}
	return out
}
