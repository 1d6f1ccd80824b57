package index_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/store"
)

const ingestN = 20_000

// lookAlikes are n listings as crawls find them, each matching one protected
// mark: four title shapes, 40 marks, 500 sellers.
func lookAlikes(n int) []store.ListingMatches {
	titles := []string{"临城薄皮核桃 %d号 5斤装", "衡水老白干 %d度 500ml 整箱", "六个核桃 核桃乳 %d罐 礼盒", "全聚德烤鸭 真空 %d只装"}
	out := make([]store.ListingMatches, n)
	for i := range out {
		out[i] = store.ListingMatches{
			Listing: domain.Listing{
				SourceID: "demo", Title: fmt.Sprintf(titles[i%len(titles)], i), Price: 59.9 + float64(i%7),
				Seller: fmt.Sprintf("太行山货店%d", i%500), Location: "河北 石家庄", URL: fmt.Sprintf("https://demo.local/item/%d", i),
			},
			Matches: []domain.Match{{MarkID: fmt.Sprintf("mark-%d", i%40), Score: 0.5 + float64(i%50)/100, Alert: i%3 == 0,
				Reasons: []domain.Reason{{Tactic: "exact", Text: "标题含受保护名称", Start: 0, End: 4}}}},
		}
	}
	return out
}

// filledStore saves n look-alikes into a store once and returns a function
// opening a fresh copy of its file, index outbox full, for each iteration.
func filledStore(b *testing.B, n int) (open func() *store.DB, hits []domain.Hit) {
	ctx := context.Background()
	dir := b.TempDir()
	tmpl := filepath.Join(dir, "template.db")
	db, err := store.Open(ctx, tmpl, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	all := lookAlikes(n)
	for start := 0; start < len(all); start += 500 {
		if _, err := db.SaveListings(ctx, all[start:min(start+500, len(all))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.AllHits(ctx, func(h domain.Hit) error { hits = append(hits, h); return nil }); err != nil {
		b.Fatal(err)
	}
	if queued, err := db.OutboxLen(ctx); err != nil || queued != n || len(hits) != n {
		b.Fatalf("template store: %d hits, %d queued (%v); want %d each", len(hits), queued, err, n)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	copies := 0
	return func() *store.DB {
		copies++
		path := filepath.Join(dir, fmt.Sprintf("copy%d.db", copies))
		for _, suffix := range []string{"", "-wal"} {
			if err := copyFile(tmpl+suffix, path+suffix); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return db
	}, hits
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
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

// BenchmarkIngest compares the outbox drain (through a real SQLite store and
// through an in-memory pager) and Reindex with one raw AddDocuments of the
// same documents, waited, on the same server. Each iteration measures the raw
// baseline beside the variant, in turn first, so both see the same load on a
// shared machine; raw-ratio is raw time / variant time (≥ 0.9 is issue 12's
// target).
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	c, server := indextest.Start(b)
	open, hits := filledStore(b, ingestN)
	docs, err := index.Documents(c, hits)
	if err != nil {
		b.Fatal(err)
	}
	raw := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
	reset := func(b *testing.B) {
		if err := c.DropIndex(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.ApplySettings(ctx); err != nil {
			b.Fatal(err)
		}
	}
	rawBulk := func(b *testing.B) time.Duration {
		reset(b)
		start := time.Now()
		pk := "id"
		info, err := raw.Index(c.IndexName()).AddDocuments(ctx, docs, &ms.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			b.Fatal(err)
		}
		if t, err := raw.WaitForTask(ctx, info.TaskUID, 10*time.Millisecond); err != nil || t.Status != ms.TaskStatusSucceeded {
			b.Fatalf("raw bulk: %v %+v", err, t)
		}
		return time.Since(start)
	}
	ratios := map[string]float64{}
	// run times variant against the raw baseline; prepare (untimed) returns
	// the timed work and a check of its outcome.
	run := func(name string, prepare func(b *testing.B) (work func() error, check func())) {
		b.Run(name, func(b *testing.B) {
			var rawTime, varTime time.Duration
			i := 0
			for b.Loop() {
				b.StopTimer()
				if i%2 == 0 {
					rawTime += rawBulk(b)
				}
				reset(b)
				work, check := prepare(b)
				b.StartTimer()
				start := time.Now()
				if err := work(); err != nil {
					b.Fatal(err)
				}
				varTime += time.Since(start)
				b.StopTimer()
				check()
				if i%2 == 1 {
					rawTime += rawBulk(b)
				}
				b.StartTimer()
				i++
			}
			ratios[name] = rawTime.Seconds() / varTime.Seconds()
			b.ReportMetric(ratios[name], "raw-ratio")
			b.ReportMetric(float64(ingestN*i)/varTime.Seconds(), "docs/s")
		})
	}
	indexed := func(b *testing.B) {
		res, err := c.Search(ctx, "", index.SearchFilter{Limit: 1})
		if err != nil || res.Total != ingestN {
			b.Fatalf("index holds %d hits (%v), want %d", res.Total, err, ingestN)
		}
	}
	run("drain-store", func(b *testing.B) (func() error, func()) {
		db := open()
		work := func() error { return index.NewIndexer(c, db, nil, index.IndexerOptions{}).Flush(ctx) }
		return work, func() {
			if n, err := db.OutboxLen(ctx); err != nil || n != 0 {
				b.Fatalf("drain left %d entries (%v)", n, err)
			}
			indexed(b)
			_ = db.Close()
		}
	})
	run("drain-memory-pager", func(b *testing.B) (func() error, func()) {
		ob := &pagerOutbox{memOutbox{failed: map[int64]string{}}}
		for i, h := range hits {
			ob.entries = append(ob.entries, domain.OutboxEntry{ID: int64(i + 1), Op: domain.OutboxUpsert, HitID: h.ID, Hit: h})
		}
		work := func() error { return index.NewIndexer(c, ob, nil, index.IndexerOptions{}).Flush(ctx) }
		return work, func() {
			if len(ob.entries) != 0 {
				b.Fatalf("drain left %d entries", len(ob.entries))
			}
			indexed(b)
		}
	})
	run("reindex-store", func(b *testing.B) (func() error, func()) {
		db := open()
		work := func() error {
			n, err := index.Reindex(ctx, c, db)
			if err == nil && n != ingestN {
				err = fmt.Errorf("reindexed %d hits, want %d", n, ingestN)
			}
			return err
		}
		return work, func() { indexed(b); _ = db.Close() }
	})
	b.Logf("N=%d, throughput / raw bulk: drain-store %.2f, drain-memory-pager %.2f, reindex-store %.2f",
		ingestN, ratios["drain-store"], ratios["drain-memory-pager"], ratios["reindex-store"])
}
