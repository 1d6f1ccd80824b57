package index_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// Meilisearch answers some writes before reading their body (a body over
// its payload limit, a wrong key) and leaves that connection deaf. The
// client's other requests (a health check and searches, as task polls or
// console searches would be, some running meanwhile) must still be answered
// at once, not time out as if the server were down.
func TestRequestsAfterAnEarlyAnswerAreAnswered(t *testing.T) {
	big := hit(1, "lincheng-walnut", "临城薄皮核桃 "+strings.Repeat("正宗河北特产薄皮核桃", 3000), true) // ~180 KB
	for _, tc := range []struct {
		name, status string
		server       func(t *testing.T) *index.Managed
		key          func(*index.Managed) string
	}{
		{"over the payload limit", "413", func(t *testing.T) *index.Managed {
			return indextest.StartServerWith(t, index.ManagedOptions{PayloadLimit: "64KiB"})
		}, (*index.Managed).Key},
		{"wrong key", "403", func(t *testing.T) *index.Managed {
			_, s := indextest.Start(t)
			return s
		}, func(*index.Managed) string { return "wrong-key" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			server := tc.server(t)
			writer, err := index.NewClient(server.URL(), tc.key(server), index.ClientOptions{IndexName: "early"})
			if err != nil {
				t.Fatal(err)
			}
			// The searcher shares the writer's pool only when it is the
			// writer: with the right key the writer searches too.
			searcher := writer
			if tc.key(server) != server.Key() {
				searcher = indextest.Client(t, server, "early")
			}
			if err := searcher.ApplySettings(ctx); err != nil {
				t.Fatal(err)
			}
			var failures atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
					if _, err := writer.Search(sctx, "核桃", index.SearchFilter{}); err != nil && searcher == writer {
						failures.Add(1)
						t.Errorf("a search meanwhile failed: %v", err)
					}
					cancel()
				}
			})
			defer wg.Wait()
			defer close(stop)
			for i := range 20 {
				err := writer.Upsert(ctx, []domain.Hit{big})
				if err == nil || index.IsUnavailable(err) || !strings.Contains(err.Error(), tc.status) {
					t.Fatalf("round %d: Upsert of a 180 KB document = %v; want Meilisearch's %s", i, err, tc.status)
				}
				hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				err = writer.Healthy(hctx)
				if err == nil && searcher == writer {
					_, err = writer.Search(hctx, "核桃", index.SearchFilter{})
				}
				cancel()
				if err != nil {
					t.Fatalf("round %d: the request after the %s failed: %v", i, tc.status, err)
				}
				if failures.Load() > 0 {
					return
				}
			}
		})
	}
}
