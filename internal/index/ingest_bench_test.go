package index_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

const ingestN = 20_000

// realisticHits are look-alikes of protected marks as crawls find them.
func realisticHits(n int) []domain.Hit {
	titles := []string{"临城薄皮核桃 %d号 5斤装", "衡水老白干 %d度 500ml 整箱", "六个核桃 核桃乳 %d罐 礼盒", "全聚德烤鸭 真空 %d只装"}
	hits := make([]domain.Hit, n)
	for i := range hits {
		h := hit(int64(i+1), fmt.Sprintf("mark-%d", i%40), fmt.Sprintf(titles[i%len(titles)], i), i%3 == 0)
		h.Location, h.Seller = "河北 石家庄", fmt.Sprintf("太行山货店%d", i%500)
		h.Reasons = []domain.Reason{{Tactic: "exact", Text: "标题含受保护名称", Start: 0, End: 4}}
		hits[i] = h
	}
	return hits
}

// pagerOutbox is an in-memory OutboxPager: the drain's own cost, without SQLite.
type pagerOutbox struct {
	memOutbox
}

func (o *pagerOutbox) NextOutboxAfter(_ context.Context, after int64, limit int) ([]domain.OutboxEntry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	i := sort.Search(len(o.entries), func(i int) bool { return o.entries[i].ID > after })
	return append([]domain.OutboxEntry(nil), o.entries[i:min(i+limit, len(o.entries))]...), nil
}

// BenchmarkIngest compares the outbox drain and Reindex with the baseline of
// one raw AddDocuments of the same documents, waited, on the same server.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	c, server := indextest.Start(b)
	hits := realisticHits(ingestN)
	raw := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
	docs := make([]map[string]any, len(hits))
	for i, h := range hits {
		docs[i] = map[string]any{"id": fmt.Sprintf("hit-%d", h.ID), "hit_id": h.ID, "listing_id": h.ListingID, "source_id": h.SourceID,
			"mark_id": h.MarkID, "title": h.Title, "title_norm": h.Title, "url": h.URL, "seller": h.Seller, "location": h.Location,
			"location_prefixes": []string{"河北", "河北 石家庄"}, "price": h.Price, "score": h.Score, "alert": h.Alert,
			"reasons": h.Reasons, "reasons_text": h.Reasons[0].Text, "first_seen": h.FirstSeen.UnixMilli(), "last_seen": h.LastSeen.UnixMilli()}
	}
	run := func(name string, fn func(b *testing.B)) float64 {
		var ns float64
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if err := c.DropIndex(ctx); err != nil {
					b.Fatal(err)
				}
				if err := c.ApplySettings(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				fn(b)
			}
			ns = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(ingestN)/(ns/1e9), "docs/s")
		})
		return ns
	}
	base := run("baseline-raw-bulk", func(b *testing.B) {
		pk := "id"
		info, err := raw.Index(c.IndexName()).AddDocuments(ctx, docs, &ms.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			b.Fatal(err)
		}
		if t, err := raw.WaitForTask(ctx, info.TaskUID, 10e6); err != nil || t.Status != ms.TaskStatusSucceeded {
			b.Fatalf("raw bulk: %v %+v", err, t)
		}
	})
	drain := func(ob index.Outbox) func(b *testing.B) {
		return func(b *testing.B) {
			if err := index.NewIndexer(c, ob, nil, index.IndexerOptions{}).Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	entries := func() []domain.OutboxEntry {
		es := make([]domain.OutboxEntry, len(hits))
		for i, h := range hits {
			es[i] = domain.OutboxEntry{ID: int64(i + 1), Op: domain.OutboxUpsert, HitID: h.ID, Hit: h}
		}
		return es
	}
	var pagedOB, pageOB *memOutbox
	paged := run("drain-paged", func(b *testing.B) {
		b.StopTimer()
		ob := &pagerOutbox{memOutbox{entries: entries(), failed: map[int64]string{}}}
		pagedOB = &ob.memOutbox
		b.StartTimer()
		drain(ob)(b)
	})
	onePage := run("drain-one-page-per-round", func(b *testing.B) {
		b.StopTimer()
		ob := &memOutbox{entries: entries(), failed: map[int64]string{}}
		pageOB = ob
		b.StartTimer()
		drain(ob)(b)
	})
	reindex := run("reindex", func(b *testing.B) {
		if n, err := index.Reindex(ctx, c, sliceSource(hits)); err != nil || n != ingestN {
			b.Fatalf("Reindex = %d, %v", n, err)
		}
	})
	if len(pagedOB.entries)+len(pageOB.entries) != 0 {
		b.Fatalf("drains left %d and %d entries", len(pagedOB.entries), len(pageOB.entries))
	}
	b.Logf("N=%d: drain-paged/raw = %.2f, drain-one-page/raw = %.2f, reindex/raw = %.2f (throughput ratios)",
		ingestN, base/paged, base/onePage, base/reindex)
}

// sliceSource is a HitSource over hits.
type sliceSource []domain.Hit

func (s sliceSource) AllHits(_ context.Context, fn func(domain.Hit) error) error {
	for _, h := range s {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}
