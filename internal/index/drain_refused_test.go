package index_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
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

// refusedBatch saves ten listings of one hit each, the fifth with a title
// that makes its document about 180 KB, and returns the store and the hit
// ids in order.
func refusedBatch(t *testing.T, ctx context.Context) (*store.DB, []int64) {
	t.Helper()
	db := openStore(t)
	var batch []store.ListingMatches
	for i := range 10 {
		l := listing(i)
		if i == 4 {
			l.Title = "临城薄皮核桃 " + strings.Repeat("正宗河北特产薄皮核桃", 3000)
		}
		batch = append(batch, store.ListingMatches{Listing: l, Matches: matches(i)[:1]})
	}
	saved, err := db.SaveListings(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(saved))
	for i, s := range saved {
		ids[i] = s.Hits[0].ID
	}
	return db, ids
}

// attemptsOf returns the attempts of the pending entry of hit, -1 if none.
func attemptsOf(t *testing.T, db *store.DB, hit int64) int {
	t.Helper()
	left, err := db.NextOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		if e.HitID == hit {
			return e.Attempts
		}
	}
	return -1
}

// A refused entry is held back while the daemon's drain goes on: rounds
// after it do not send it again (its attempts stay at one), hits saved later
// are indexed, and a change of its hit is indexed at once.
func TestDrainHoldsBackRefusedEntryUntilItsHitChanges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	server := indextest.StartServerWith(t, index.ManagedOptions{PayloadLimit: "64KiB"})
	c := indextest.Client(t, server, "held")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	db, ids := refusedBatch(t, ctx)
	big := ids[4]
	ix := index.NewIndexer(c, db, zaptest.NewLogger(t), fastIndexer)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		if err := ix.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	outboxIs := func(n int) func() bool {
		return func() bool {
			got, err := db.OutboxLen(ctx)
			return err == nil && got == n
		}
	}
	waitFor(t, 30*time.Second, func() bool { return outboxIs(1)() && ix.Stats().Refused == 1 })
	time.Sleep(20 * fastIndexer.PollInterval) // rounds that must leave it alone
	if n := attemptsOf(t, db, big); n != 1 {
		t.Errorf("the refused entry was tried %d times; want once, then held back", n)
	}
	if st := ix.Stats(); st.Down {
		t.Errorf("Stats = %+v: a refused document is not an outage", st)
	}

	for i := 10; i < 15; i++ {
		if _, err := db.SaveListing(ctx, listing(i), matches(i)[:1]); err != nil {
			t.Fatal(err)
		}
	}
	ix.Kick()
	waitFor(t, 30*time.Second, func() bool {
		res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 100})
		return err == nil && res.Total == 14
	})
	if n := attemptsOf(t, db, big); n != 1 {
		t.Errorf("the refused entry was tried %d times after later saves; want once", n)
	}

	// The listing is seen again with a title of ordinary length.
	if _, err := db.SaveListing(ctx, listing(4), matches(4)[:1]); err != nil {
		t.Fatal(err)
	}
	ix.Kick()
	waitFor(t, 30*time.Second, func() bool { return outboxIs(0)() && ix.Stats().Refused == 0 })
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 100})
	if err != nil || res.Total != 15 {
		t.Fatalf("Search = %d hits, %v; want 15, the changed hit among them", res.Total, err)
	}
}

// A held-back entry is sent again once RefusedRetry has passed (the limit
// may have been raised), and held back again when refused again.
func TestRefusedEntryIsSentAgainAfterRefusedRetry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	server := indextest.StartServerWith(t, index.ManagedOptions{PayloadLimit: "64KiB"})
	c := indextest.Client(t, server, "retry")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	db, ids := refusedBatch(t, ctx)
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	opts := fastIndexer
	opts.RefusedRetry = 10 * time.Minute
	opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ix := index.NewIndexer(c, db, zaptest.NewLogger(t), opts)
	for i, tc := range []struct {
		advance  time.Duration
		attempts int
	}{{0, 1}, {0, 1}, {9 * time.Minute, 1}, {2 * time.Minute, 2}, {time.Minute, 2}} {
		mu.Lock()
		now = now.Add(tc.advance)
		mu.Unlock()
		if err := ix.Flush(ctx); err == nil || index.IsUnavailable(err) || domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("flush %d = %v; want the refused entry reported", i, err)
		}
		if n := attemptsOf(t, db, ids[4]); n != tc.attempts {
			t.Errorf("after flush %d (+%v) the entry was tried %d times, want %d", i, tc.advance, n, tc.attempts)
		}
	}
	if st := ix.Stats(); st.Refused != 1 || st.Upserted != 9 {
		t.Errorf("Stats = %+v; want 9 upserted and 1 refused", st)
	}
}

// Documents are small by design: one over MaxDocumentBytes is refused
// before it is sent, under an error that names its hit, on a server that
// would have taken it.
func TestDocumentOverMaxDocumentBytesIsRefusedBeforeSending(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _ := indextest.Start(t)
	db, ids := refusedBatch(t, ctx)
	ob := &failNotes{DB: db, errs: map[int64]string{}}
	opts := fastIndexer
	opts.MaxDocumentBytes = 16 << 10
	ix := index.NewIndexer(c, ob, zaptest.NewLogger(t), opts)
	if err := ix.Flush(ctx); err == nil || index.IsUnavailable(err) {
		t.Fatalf("Flush = %v; want the refused entry reported", err)
	}
	left, err := db.NextOutbox(ctx, 100)
	if err != nil || len(left) != 1 || left[0].HitID != ids[4] || left[0].Attempts != 1 {
		t.Fatalf("outbox after the drain = %+v, %v; want only hit %d, tried once", left, err, ids[4])
	}
	msg := ob.errs[left[0].ID]
	for _, want := range []string{fmt.Sprintf("hit %d ", ids[4]), "over the 16384-byte limit", "MaxDocumentBytes", "临城薄皮核桃"} {
		if !strings.Contains(msg, want) {
			t.Errorf("recorded error %q does not say %q", msg, want)
		}
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 100})
	if err != nil || res.Total != 9 {
		t.Fatalf("Search = %d hits, %v; want the 9 others", res.Total, err)
	}
	if st := ix.Stats(); st.Refused != 1 || st.Failed != 1 {
		t.Errorf("Stats = %+v; want 1 refused, 1 failed attempt", st)
	}
}

// An outage is no refusal: while Meilisearch is stopped the entries are
// tried again and again with backoff, none is held back, and all of them
// land once it is back.
func TestOutageIsRetriedNotRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	server := indextest.StartServer(t, dir, "")
	c := indextest.Client(t, server, "outage")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	if err := server.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	for i := range 10 {
		if _, err := db.SaveListing(ctx, listing(i), matches(i)[:1]); err != nil {
			t.Fatal(err)
		}
	}
	ix := index.NewIndexer(c, db, zaptest.NewLogger(t), fastIndexer)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		if err := ix.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor(t, 30*time.Second, func() bool {
		left, err := db.NextOutbox(ctx, 100)
		if err != nil || len(left) != 10 {
			return false
		}
		for _, e := range left {
			if e.Attempts < 3 {
				return false
			}
		}
		return true
	})
	if st := ix.Stats(); !st.Down || st.Refused != 0 {
		t.Errorf("Stats during the outage = %+v; want down, nothing refused", st)
	}
	indextest.StartServer(t, dir, server.Addr())
	waitFor(t, 30*time.Second, func() bool {
		n, err := db.OutboxLen(ctx)
		return err == nil && n == 0
	})
	res, err := c.Search(ctx, "核桃", index.SearchFilter{Limit: 100})
	if err != nil || res.Total != 10 {
		t.Fatalf("Search after the outage = %d hits, %v; want 10", res.Total, err)
	}
	if st := ix.Stats(); st.Down || st.Refused != 0 || st.Upserted != 10 {
		t.Errorf("Stats after the outage = %+v; want up, 10 upserted, nothing refused", st)
	}
}
