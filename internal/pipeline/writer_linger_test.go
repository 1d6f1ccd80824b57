package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestWriterLingersForASmallBatch: listings trickling in faster than
// lingerFor go into one transaction; a lone listing is still stored after
// lingerFor without waiting for more (lingerFor bounds the wait from a
// batch's first listing, however many follow); closing ends a batch at once.
func TestWriterLingersForASmallBatch(t *testing.T) {
	item := func(i int) Item {
		return Item{
			Listing: domain.Listing{Title: "陆个核桃 核桃乳饮品 240ml*24罐", URL: fmt.Sprintf("http://m.test/item/%d", i)},
			Matches: []domain.Match{{MarkID: "liugehetao", Score: 0.9}},
		}
	}
	synctest.Test(t, func(t *testing.T) {
		st := &memStore{alerts: map[string]bool{}}
		var mu sync.Mutex
		w := newWriter(newRunner(fakeCrawler{}, st, &alertRecorder{}), "s", &domain.CrawlRun{ID: 7}, &mu, zap.NewNop())
		ctx := context.Background()
		for i := range 10 {
			if err := w.add(ctx, item(i)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(lingerFor / 20) // 10 listings within half of lingerFor
		}
		synctest.Wait()
		if b, _ := st.counts(); b != 0 {
			t.Fatalf("stored %d batches while listings kept coming within %v; want them held for one", b, lingerFor)
		}
		time.Sleep(lingerFor)
		synctest.Wait()
		if b, n := st.counts(); b != 1 || n != 10 {
			t.Fatalf("after the linger: %d batches, %d listings; want 1 batch of 10", b, n)
		}

		if err := w.add(ctx, item(10)); err != nil {
			t.Fatal(err)
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		if b, n := st.counts(); b != 2 || n != 11 {
			t.Fatalf("after close: %d batches, %d listings; want the last listing stored at once in a batch of its own", b, n)
		}
	})
}

// counts are the batches and listings stored so far.
func (s *memStore) counts() (batches, listings int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches, len(s.items)
}
