//go:build unix

package index_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// Meilisearch is SIGKILLed while a crawl keeps saving hits and the Indexer
// keeps draining; it restarts on the same data dir and port. Every hit must
// reach the index in its latest state, the outbox must empty, and re-sighted
// listings must not duplicate alerts.
func TestKillMeilisearchWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a server")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dataDir := t.TempDir()
	server := indextest.StartServer(t, dataDir, "")
	c := indextest.Client(t, server, "hits")
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	ix := index.NewIndexer(c, db, zaptest.NewLogger(t), fastIndexer)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		if err := ix.Run(ctx); err != nil {
			t.Errorf("Indexer.Run: %v", err)
		}
	})

	// The writer sees 150 distinct listings twice over (a second crawl
	// re-sights them with a higher score), so alerts must stay one per
	// (mark, url) while saves carry on through the outage.
	const distinct, total = 150, 300
	killAt, restartAt := make(chan struct{}), make(chan struct{})
	var savedWhileDown int
	down := make(chan struct{})
	writerErr := make(chan error, 1)
	wg.Go(func() {
		defer close(writerErr)
		for i := range total {
			switch i {
			case total / 3:
				close(killAt)
				<-down // the rest of this third is written against a dead server
			case 2 * total / 3:
				close(restartAt)
			}
			ms := matches(i % distinct)
			if i >= distinct {
				ms[0].Score = 0.95
			}
			if _, err := db.SaveListing(ctx, listing(i%distinct), ms); err != nil {
				writerErr <- fmt.Errorf("save %d: %w", i, err)
				return
			}
			select {
			case <-down:
				select {
				case <-restartAt:
				default:
					savedWhileDown++
				}
			default:
			}
			ix.Kick()
			time.Sleep(time.Millisecond) // a crawl's pace, so the kill lands mid-stream
		}
	})

	receiveWithin(t, killAt, "a third of the documents written")
	pending, err := db.OutboxLen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(server.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	receiveWithin(t, server.Exited(), "the killed Meilisearch to exit")
	close(down)
	receiveWithin(t, restartAt, "two thirds of the documents written")
	restarted := indextest.StartServer(t, dataDir, server.Addr())
	if restarted.URL() != server.URL() {
		t.Fatalf("restarted on %s, the client talks to %s", restarted.URL(), server.URL())
	}

	if err := <-writerErr; err != nil {
		t.Fatal(err)
	}
	flushCtx, flushCancel := context.WithTimeout(ctx, 60*time.Second)
	defer flushCancel()
	if err := ix.Flush(flushCtx); err != nil {
		t.Fatalf("Flush after restart: %v", err)
	}
	t.Logf("outbox held %d entries at the kill; %d saves happened while Meilisearch was down; stats %+v",
		pending, savedWhileDown, ix.Stats())
	if savedWhileDown == 0 {
		t.Error("no save happened while Meilisearch was down: the test did not test the outage")
	}
	if st := ix.Stats(); st.Failed == 0 {
		t.Error("the Indexer never failed an attempt: the kill did not land while it was working")
	}

	// Every stored hit is in the index with its latest state.
	want := map[int64]domain.Hit{}
	if err := db.AllHits(ctx, func(h domain.Hit) error { want[h.ID] = h; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) != 2*distinct {
		t.Fatalf("store holds %d hits, want %d", len(want), 2*distinct)
	}
	res, err := c.Search(ctx, "", index.SearchFilter{Limit: index.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(want) || len(res.Hits) != len(want) {
		t.Errorf("index holds %d hits (total %d), store %d", len(res.Hits), res.Total, len(want))
	}
	for _, got := range res.Hits {
		w, ok := want[got.ID]
		if !ok {
			t.Errorf("index has hit %d the store does not", got.ID)
			continue
		}
		// last_seen alone moving is not sent to the index (issue 12): the
		// index's may lag the store's, never lead it.
		if got.Score != w.Score || got.Title != w.Title || got.LastSeen.After(w.LastSeen) || got.Alert != w.Alert {
			t.Errorf("hit %d indexed as %+v, stored as %+v", got.ID, got, w)
		}
	}
	if n, err := db.OutboxLen(ctx); err != nil || n != 0 {
		t.Errorf("outbox holds %d entries after the flush (%v)", n, err)
	}

	// One alert per (mark, url): every listing alerts on lincheng-walnut,
	// every third also on xingtai-walnut.
	alerts, totalAlerts, err := db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range alerts {
		key := a.MarkID + " " + a.URL
		if seen[key] {
			t.Errorf("duplicate alert for %s", key)
		}
		seen[key] = true
	}
	if wantAlerts := distinct + distinct/3; totalAlerts != wantAlerts || len(seen) != wantAlerts {
		t.Errorf("%d alerts (%d distinct), want %d", totalAlerts, len(seen), wantAlerts)
	}
}

// receiveWithin bounds a wait of this test on ch.
func receiveWithin[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatalf("timed out waiting for %s", what)
	}
}
