package index_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// BenchmarkTransport is what retiring connections costs a search and a small
// write (the common case: nothing is retired, each request with a body only
// carries a connection trace): the same requests alternate between a client
// on the retiring transport and one on a plain transport, the baseline.
func BenchmarkTransport(b *testing.B) {
	ctx := context.Background()
	c, server := indextest.Start(b)
	plain := indextest.Client(b, server, c.IndexName())
	index.UsePlainTransport(plain)
	hits := make([]domain.Hit, 0, 2000)
	for i := int64(1); i <= 2000; i++ {
		hits = append(hits, hit(i, "lincheng-walnut", fmt.Sprintf("临城薄皮核桃 %d号 5斤装", i), i%3 == 0))
	}
	if err := c.Upsert(ctx, hits); err != nil {
		b.Fatal(err)
	}
	for _, op := range []struct {
		name string
		do   func(*index.Client, int) error
	}{
		{"search", func(c *index.Client, _ int) error {
			_, err := c.Search(ctx, "核桃", index.SearchFilter{})
			return err
		}},
		{"upsert", func(c *index.Client, i int) error {
			return c.Upsert(ctx, []domain.Hit{hits[i%len(hits)]})
		}},
	} {
		b.Run(op.name, func(b *testing.B) {
			var retiring, base time.Duration
			i := 0
			for b.Loop() {
				i++
				for _, side := range []struct {
					c   *index.Client
					sum *time.Duration
				}{{c, &retiring}, {plain, &base}} {
					start := time.Now()
					if err := op.do(side.c, i); err != nil {
						b.Fatal(err)
					}
					*side.sum += time.Since(start)
				}
			}
			b.ReportMetric(float64(retiring.Microseconds())/float64(b.N), "retiring-µs/op")
			b.ReportMetric(float64(base.Microseconds())/float64(b.N), "plain-µs/op")
			b.ReportMetric(float64(retiring)/float64(base), "retiring/plain")
		})
	}
}
