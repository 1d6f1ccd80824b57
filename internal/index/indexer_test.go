package index_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/store"
)

func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "markwatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func listing(i int) domain.Listing {
	return domain.Listing{
		SourceID: "demo", Title: fmt.Sprintf("临城薄皮核桃 %d号 5斤装", i), Price: 59.9,
		Seller: "太行山货店", Location: "河北 邢台", URL: fmt.Sprintf("https://demo.local/item/%d", i),
	}
}

func matches(i int) []domain.Match {
	return []domain.Match{
		{MarkID: "lincheng-walnut", Score: 0.9, Alert: true, Reasons: []domain.Reason{{Tactic: "exact", Text: "标题含临城核桃", Start: 0, End: 2}}},
		{MarkID: "xingtai-walnut", Score: 0.4, Alert: i%3 == 0},
	}
}

var fastIndexer = index.IndexerOptions{BatchSize: 40, PollInterval: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}

func TestIndexerRunDrainsWhatIsSaved(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := indextest.Start(t)
	db := openStore(t)
	opts := fastIndexer
	opts.PollInterval = time.Hour // only Kick may wake it
	ix := index.NewIndexer(c, db, zaptest.NewLogger(t), opts)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := ix.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	defer wg.Wait()
	defer cancel()

	for i := range 100 {
		if _, err := db.SaveListing(ctx, listing(i), matches(i)); err != nil {
			t.Fatal(err)
		}
	}
	ix.Kick()
	waitFor(t, 30*time.Second, func() bool {
		n, err := db.OutboxLen(ctx)
		return err == nil && n == 0
	})
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 1000})
	if err != nil || res.Total != 200 {
		t.Fatalf("Search = %d hits, %v; want 200", res.Total, err)
	}
	if st := ix.Stats(); st.Upserted != 200 || st.Down {
		t.Errorf("Stats = %+v, want 200 upserted and up", st)
	}
}

// memOutbox is an in-memory Outbox for cases the store cannot produce,
// like an entry Meilisearch must reject.
type memOutbox struct {
	mu      sync.Mutex
	entries []domain.OutboxEntry
	failed  map[int64]string
}

func (o *memOutbox) NextOutbox(_ context.Context, limit int) ([]domain.OutboxEntry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]domain.OutboxEntry(nil), o.entries[:min(limit, len(o.entries))]...), nil
}

func (o *memOutbox) AckOutbox(_ context.Context, ids []int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	drop := map[int64]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	kept := o.entries[:0]
	for _, e := range o.entries {
		if !drop[e.ID] {
			kept = append(kept, e)
		}
	}
	o.entries = kept
	return nil
}

func (o *memOutbox) FailOutbox(_ context.Context, ids []int64, msg string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		o.failed[id] = msg
	}
	return nil
}

func TestFlushIsolatesRejectedEntries(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	ob := &memOutbox{failed: map[int64]string{}}
	for i := int64(1); i <= 5; i++ {
		h := hit(i, "m", "核桃", false)
		if i == 3 {
			h.ID = 0 // not a stored hit: refused before it reaches Meilisearch
		}
		ob.entries = append(ob.entries, domain.OutboxEntry{ID: i, Op: domain.OutboxUpsert, HitID: i, Hit: h})
	}
	ob.entries = append(ob.entries, domain.OutboxEntry{ID: 6, Op: domain.OutboxDelete, HitID: 1})
	ix := index.NewIndexer(c, ob, zaptest.NewLogger(t), fastIndexer)
	err := ix.Flush(ctx)
	if err == nil {
		t.Fatal("Flush succeeded with a rejected entry queued")
	}
	if len(ob.entries) != 1 || ob.entries[0].ID != 3 || ob.failed[3] == "" {
		t.Errorf("left %+v failed %v; want only entry 3, with its error recorded", ob.entries, ob.failed)
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{})
	if err != nil || fmt.Sprint(ids(res.Hits)) != "[2 4 5]" {
		t.Errorf("indexed %v, %v; want [2 4 5] (1 upserted then deleted)", ids(res.Hits), err)
	}
}

func TestFlushGivesUpWhenServerStaysDown(t *testing.T) {
	c, err := index.NewClient("http://127.0.0.1:1", "key", index.ClientOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ob := &memOutbox{failed: map[int64]string{}, entries: []domain.OutboxEntry{
		{ID: 1, Op: domain.OutboxUpsert, HitID: 1, Hit: hit(1, "m", "核桃", false)},
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	ix := index.NewIndexer(c, ob, zaptest.NewLogger(t), fastIndexer)
	if err := ix.Flush(ctx); !index.IsUnavailable(err) {
		t.Errorf("Flush = %v, want an unavailable error once ctx ends", err)
	}
	if len(ob.entries) != 1 || ob.failed[1] == "" || !ix.Stats().Down {
		t.Errorf("entries %v failed %v stats %+v: the entry must stay queued with its error", ob.entries, ob.failed, ix.Stats())
	}
}

func TestReindexRebuildsFromStore(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	db := openStore(t)
	for i := range 30 {
		if _, err := db.SaveListing(ctx, listing(i), matches(i)); err != nil {
			t.Fatal(err)
		}
	}
	// A stale document the store does not know must disappear.
	if err := c.Upsert(ctx, []domain.Hit{hit(9999, "gone", "核桃 过期", false)}); err != nil {
		t.Fatal(err)
	}
	n, err := index.Reindex(ctx, c, db)
	if err != nil || n != 60 {
		t.Fatalf("Reindex = %d, %v; want 60", n, err)
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 1000})
	if err != nil || res.Total != 60 {
		t.Fatalf("after reindex Search = %d, %v; want 60", res.Total, err)
	}
	for _, h := range res.Hits {
		if h.ID == 9999 {
			t.Error("stale document survived the reindex")
		}
	}
	// Rebuilding again works on the swapped-in index.
	if n, err := index.Reindex(ctx, c, db); err != nil || n != 60 {
		t.Fatalf("second Reindex = %d, %v", n, err)
	}
}

func waitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A daemon may start while Meilisearch is down, before any settings were
// applied: the Indexer applies them before the first document, so filters
// work on the index it creates.
func TestIndexerAppliesSettingsBeforeFirstDocument(t *testing.T) {
	ctx := context.Background()
	_, server := indextest.Start(t)
	c := indextest.Client(t, server, "fresh_"+fmt.Sprint(time.Now().UnixNano()))
	t.Cleanup(func() { _ = c.DropIndex(context.Background()) })
	db := openStore(t)
	if _, err := db.SaveListing(ctx, listing(1), matches(3)); err != nil {
		t.Fatal(err)
	}
	if err := index.NewIndexer(c, db, zaptest.NewLogger(t), fastIndexer).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{MarkID: "xingtai-walnut", AlertOnly: true})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("filtered search on an index the Indexer created = %+v, %v", res, err)
	}
}
