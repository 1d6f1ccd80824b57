package index_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/store"
)

// failNotes is the store's outbox, noting the error each FailOutbox records
// (the store keeps it in index_outbox.last_error, which it does not read back).
type failNotes struct {
	*store.DB
	mu   sync.Mutex
	errs map[int64]string
}

func (o *failNotes) FailOutbox(ctx context.Context, ids []int64, msg string) error {
	o.mu.Lock()
	for _, id := range ids {
		o.errs[id] = msg
	}
	o.mu.Unlock()
	return o.DB.FailOutbox(ctx, ids, msg)
}

// A document Meilisearch refuses (here: over its payload limit) keeps its
// outbox row, with the error and the attempt counted, while the rest of the
// batch lands: through the real store and a real server.
func TestDrainKeepsRefusedDocumentAndLandsTheRest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	server := indextest.StartServerWith(t, index.ManagedOptions{PayloadLimit: "64KiB"})
	c := indextest.Client(t, server, "refused")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	var batch []store.ListingMatches
	for i := range 10 {
		l := listing(i)
		if i == 4 { // one listing whose document alone is over the limit
			l.Title = "临城薄皮核桃 " + strings.Repeat("正宗河北特产薄皮核桃", 3000)
		}
		batch = append(batch, store.ListingMatches{Listing: l, Matches: matches(i)[:1]})
	}
	saved, err := db.SaveListings(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	big := saved[4].Hits[0].ID
	ob := &failNotes{DB: db, errs: map[int64]string{}}
	err = index.NewIndexer(c, ob, zaptest.NewLogger(t), fastIndexer).Flush(ctx)
	if err == nil || index.IsUnavailable(err) {
		t.Fatalf("Flush = %v; want the refused entry reported, not an outage", err)
	}
	left, err := db.NextOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].HitID != big || left[0].Attempts < 1 {
		t.Fatalf("outbox after the drain = %+v; want only hit %d, its attempts counted", left, big)
	}
	if msg := ob.errs[left[0].ID]; !strings.Contains(msg, "413") && !strings.Contains(strings.ToLower(msg), "payload") {
		t.Errorf("recorded error %q does not say the payload was too large", msg)
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 100})
	if err != nil || res.Total != 9 {
		t.Fatalf("Search = %d hits, %v; want the 9 others", res.Total, err)
	}
	for _, h := range res.Hits {
		if h.ID == big {
			t.Errorf("the refused hit %d is in the index", big)
		}
	}
}
