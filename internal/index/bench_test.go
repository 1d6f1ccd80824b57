package index_test

import (
	"context"
	"fmt"
	"testing"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// BenchmarkSearch compares Client.Search (compression off, pooled
// connections) with the same query through meilisearch-go's default client,
// the baseline: the ratio is the reason NewClient builds its own http.Client.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	c, server := indextest.Start(b)
	hits := make([]domain.Hit, 0, 2000)
	for i := int64(1); i <= 2000; i++ {
		title := fmt.Sprintf("临城薄皮核桃 %d号 5斤装", i)
		if i%2 == 0 {
			title = fmt.Sprintf("衡水老白干 %d度 500ml", 40+i%30)
		}
		hits = append(hits, hit(i, "m", title, i%3 == 0))
	}
	if err := c.Upsert(ctx, hits); err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-library-default-client", func(b *testing.B) {
		def := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
		req := &ms.SearchRequest{Limit: 20, MatchingStrategy: ms.All, Locales: []string{"cmn"}}
		for b.Loop() {
			if _, err := def.Index(c.IndexName()).Search(ctx, "老白干", req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Search(ctx, "老白干", index.SearchFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
