package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkSaveListing measures one listing with two matches per
// transaction: a first sighting (listing, 2 hits, 2 outbox rows, alerts)
// against a re-sighting (last_seen updates only, no outbox row). Baseline:
// the bare transaction cost, an insert of one row.
func BenchmarkSaveListing(b *testing.B) {
	ctx := context.Background()
	b.Run("baseline-empty-tx", func(b *testing.B) {
		db := openTest(b, nil)
		if _, err := db.wr.Exec("CREATE TABLE bench (n INTEGER)"); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			tx, err := db.wr.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec("INSERT INTO bench (n) VALUES (1)"); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		db := openTest(b, nil)
		i := 0
		for b.Loop() {
			i++
			mustSave(b, db, walnut(fmt.Sprintf("https://demo.local/b/%d", i)),
				match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.4, false))
		}
	})
	b.Run("resighted", func(b *testing.B) {
		db := openTest(b, nil)
		const n = 1000
		for i := range n {
			mustSave(b, db, walnut(fmt.Sprintf("https://demo.local/b/%d", i)),
				match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.4, false))
		}
		i := 0
		for b.Loop() {
			i++
			mustSave(b, db, walnut(fmt.Sprintf("https://demo.local/b/%d", i%n)),
				match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.4, false))
		}
	})
	// With a Router set and a subscriber, a re-sighting raises no alert, so
	// it must cost what it costs without one: no subscriber read.
	b.Run("resighted-routed", func(b *testing.B) {
		r := &testRouter{}
		db, _ := openRouted(b, nil, r.Route)
		mustSubscribe(b, db, ownerUser(b, db).ID)
		const n = 1000
		for i := range n {
			mustSave(b, db, walnut(fmt.Sprintf("https://demo.local/b/%d", i)),
				match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.4, false))
		}
		calls := r.calls
		i := 0
		for b.Loop() {
			i++
			mustSave(b, db, walnut(fmt.Sprintf("https://demo.local/b/%d", i%n)),
				match("lincheng-walnut", 0.9, true), match("xingtai-walnut", 0.4, false))
		}
		if r.calls != calls {
			b.Fatalf("router called %d times for re-sightings", r.calls-calls)
		}
	})
}

// BenchmarkSaveListings measures a crawl batch of 50 listings (one alerting
// mark each) in one transaction: first sightings and unchanged
// re-sightings, without evidence and (the pipeline's case) with a page's
// evidence and a RecordHash. An unchanged re-sighting must cost the same
// with evidence as without: no capture, version or job statement.
func BenchmarkSaveListings(b *testing.B) {
	const size = 50
	batch := func(round int, ev bool) []ListingMatches {
		out := make([]ListingMatches, size)
		for i := range out {
			l := walnut(fmt.Sprintf("https://demo.local/s/%d/%d", round, i))
			l.ImageURL = "https://demo.local/img.jpg"
			out[i] = ListingMatches{Listing: l, Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}}
			if ev {
				out[i].Evidence = benchEvidence
			}
		}
		return out
	}
	for _, ev := range []bool{false, true} {
		name := ""
		if ev {
			name = "-evidence"
		}
		b.Run("new"+name, func(b *testing.B) {
			db := openBench(b, ev)
			round := 0
			for b.Loop() {
				round++
				if _, err := db.SaveListings(context.Background(), batch(round, ev)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("resighted"+name, func(b *testing.B) {
			db := openBench(b, ev)
			const rounds = 20
			for r := range rounds {
				if _, err := db.SaveListings(context.Background(), batch(r, ev)); err != nil {
					b.Fatal(err)
				}
			}
			batches := make([][]ListingMatches, rounds)
			for r := range batches {
				batches[r] = batch(r, ev)
			}
			r := 0
			b.ResetTimer()
			for b.Loop() {
				r++
				if _, err := db.SaveListings(context.Background(), batches[r%rounds]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
