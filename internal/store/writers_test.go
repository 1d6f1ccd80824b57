package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestWritersOnOneStore: four processes (four *DB, each with its own
// pools) save overlapping batches of the same listings at once, as
// workers re-crawling one source would. On PostgreSQL their transactions
// conflict, and the retries (pgtx.go) must absorb every conflict: no error
// surfaces, every listing is stored once, one alert per (mark, identity),
// one hit per (listing, mark) and one outbox row per hit. On SQLite the
// same holds through its file lock.
func TestWritersOnOneStore(t *testing.T) {
	ctx := context.Background()
	storeURL := newStoreURL(t)
	const writers, listings, batch, rounds = 4, 48, 12, 3
	dbs := make([]*DB, writers)
	for w := range dbs {
		dbs[w] = openURL(t, storeURL, Options{RetrySeed: uint64(w + 1)})
	}
	offer := func(i, w int) ListingMatches {
		l := liugeListing(fmt.Sprintf("https://item.taobao.com/item.htm?id=%d", 9000+i), "河北 衡水")
		l.Seller = fmt.Sprintf("鑫旺食品专营店%d", i%5)
		l.Price = 49.9 + float64(w) // every writer changes the listing, so saves conflict
		return ListingMatches{Listing: l, Matches: []domain.Match{
			match(liugehetao, 0.9, true), match("lincheng-walnut", 0.5, i%3 == 0),
		}}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w, db := range dbs {
		wg.Go(func() {
			for r := range rounds {
				// Each writer walks the listings from its own offset, in
				// batches that overlap the other writers'.
				for start := 0; start < listings; start += batch {
					var b []ListingMatches
					for k := range batch {
						b = append(b, offer((start+k+w*5+r)%listings, w))
					}
					if _, err := db.SaveListings(ctx, b); err != nil {
						errs <- fmt.Errorf("writer %d round %d: %w", w, r, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if onPostgres() {
		var n int64
		for _, db := range dbs {
			n += db.retry.retries.Load()
		}
		t.Logf("%d transactions retried after a conflict", n)
	}
	db := dbs[0]
	if got := countRows(t, db, "listings"); got != listings {
		t.Errorf("%d listings, want %d", got, listings)
	}
	if got := countRows(t, db, "hits"); got != 2*listings {
		t.Errorf("%d hits, want %d", got, 2*listings)
	}
	wantAlerts := listings + (listings+2)/3
	if got := countRows(t, db, "alerts"); got != wantAlerts {
		t.Errorf("%d alerts, want %d (one per mark and listing that alerts)", got, wantAlerts)
	}
	var dupAlerts, orphans, missing int
	queries := []struct {
		q    string
		into *int
	}{
		{"SELECT count(*) FROM (SELECT mark_id, url_key FROM alerts GROUP BY mark_id, url_key HAVING count(*) > 1) AS d", &dupAlerts},
		{"SELECT count(*) FROM index_outbox o WHERE NOT EXISTS (SELECT 1 FROM hits h WHERE h.id = o.hit_id)", &orphans},
		{"SELECT count(*) FROM hits h WHERE NOT EXISTS (SELECT 1 FROM index_outbox o WHERE o.hit_id = h.id)", &missing},
	}
	for _, c := range queries {
		if err := db.sql.QueryRow(c.q).Scan(c.into); err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
	}
	if dupAlerts != 0 || orphans != 0 || missing != 0 {
		t.Errorf("%d duplicated alerts, %d outbox rows without a hit, %d hits without an outbox row; want none",
			dupAlerts, orphans, missing)
	}
	if got := countRows(t, db, "index_outbox"); got != 2*listings {
		t.Errorf("%d outbox rows, want one per hit (%d)", got, 2*listings)
	}
}
