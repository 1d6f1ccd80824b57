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

// BenchmarkSearchScoped measures what a tenant token costs: the unscoped
// search (with and without the same mark filter in the request) is the
// baseline in the same run; scoped runs reuse a cached token.
func BenchmarkSearchScoped(b *testing.B) {
	ctx := context.Background()
	c, _ := indextest.Start(b)
	locs := []string{"河北 石家庄", "河北 衡水", "山东 临沂"}
	hits := make([]domain.Hit, 0, 2000)
	for i := int64(1); i <= 2000; i++ {
		h := hit(i, markA, fmt.Sprintf("六个核桃 核桃乳 %d罐", i), i%3 == 0)
		if i%2 == 0 {
			h = hit(i, markB, fmt.Sprintf("衡水老白干 核桃酒 %d度", 40+i%30), i%3 == 0)
		}
		h.Location = locs[i%3]
		hits = append(hits, h)
	}
	if err := c.Upsert(ctx, hits); err != nil {
		b.Fatal(err)
	}
	run := func(name string, search func() (index.SearchResult, error)) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := search(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("baseline-unscoped", func() (index.SearchResult, error) { return c.Search(ctx, "核桃", index.SearchFilter{}) })
	run("baseline-unscoped-mark-filter", func() (index.SearchResult, error) {
		return c.Search(ctx, "核桃", index.SearchFilter{MarkID: markA})
	})
	run("scoped-owner", func() (index.SearchResult, error) {
		return c.SearchScoped(ctx, "核桃", index.SearchFilter{}, scopeA)
	})
	run("scoped-jurisdiction", func() (index.SearchResult, error) {
		return c.SearchScoped(ctx, "核桃", index.SearchFilter{}, domain.Scope{Jurisdiction: "河北 石家庄"})
	})
	run("scoped-owner-and-jurisdiction", func() (index.SearchResult, error) {
		return c.SearchScoped(ctx, "核桃", index.SearchFilter{}, domain.Scope{Restricted: true, MarkIDs: []string{markA}, Jurisdiction: "河北"})
	})
}
