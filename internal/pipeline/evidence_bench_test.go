package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/crawl/crawltest"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pipeline"
)

// benchTitles cycle over the cards of a results page; 2 in 8 alert, so a
// page of 40 cards has 10 alerts, each page's listings sharing one Fetch.
var benchTitles = []string{
	"六个核桃 核桃乳 240ml×20罐 整箱装", "高仿六个核桃 核桃乳 240ml*20罐 特价", "养元六个核桃 精品型 礼盒",
	"核桃露 植物蛋白饮料 整箱", "六个核桃 2430 礼盒装 送礼", "高仿 六个核桃 清仓 假一赔十",
	"露露 杏仁露 240ml*20", "旺仔牛奶 245ml*24 罐装",
}

type benchMatcher struct{}

func (benchMatcher) Match(l domain.Listing) []domain.Match {
	if !strings.Contains(l.Title, "核桃") {
		return nil
	}
	return []domain.Match{{MarkID: "liugehetao", Score: 0.9, Alert: strings.Contains(l.Title, "高仿")}}
}

// countingStore stores nothing and counts the alerts it was handed.
type countingStore struct{ alerts, withEvidence atomic.Int64 }

func (s *countingStore) SaveListings(_ context.Context, batch []pipeline.Item, _ domain.CrawlRun) ([]pipeline.SaveResult, error) {
	for _, it := range batch {
		if it.Matches[0].Alert {
			s.alerts.Add(1)
		}
		if it.Evidence != nil {
			s.withEvidence.Add(1)
		}
	}
	return make([]pipeline.SaveResult, len(batch)), nil
}
func (*countingStore) StartRun(_ context.Context, id string) (domain.CrawlRun, error) {
	return domain.CrawlRun{ID: 1, SourceID: id}, nil
}
func (*countingStore) FinishRun(context.Context, domain.CrawlRun) error      { return nil }
func (*countingStore) RecordProgress(context.Context, domain.CrawlRun) error { return nil }

// runCrawler runs the real crawler over the benchmark pages; without
// retain it drops each listing's Fetch as it is emitted (the run without
// capture).
type runCrawler struct {
	c       *crawl.Crawler
	src     crawl.Source
	queries []string
	retain  bool
}

func (r runCrawler) Crawl(ctx context.Context, _ string, emit func(domain.Listing) error) (pipeline.CrawlResult, error) {
	st, err := r.c.Run(ctx, r.src, r.queries, func(l domain.Listing) error {
		if !r.retain {
			l.Fetch, l.DetailFetch = nil, nil
		}
		return emit(l)
	})
	return pipeline.CrawlResult{Pages: st.Pages, Errors: st.Errors, EndReason: st.EndReason}, err
}

// dirEvidence is a stand-in for the evidence store: SHA-256 of the page,
// written to dir under its hash unless already there.
type dirEvidence struct {
	dir   string
	bytes atomic.Int64
	spent atomic.Int64 // ns inside Keep
}

func (e *dirEvidence) Keep(_ context.Context, l domain.Listing) ([]domain.ArtefactRef, error) {
	start := time.Now()
	defer func() { e.spent.Add(int64(time.Since(start))) }()
	f, role := l.Fetch, domain.RoleSearchPage
	if f == nil {
		f, role = l.DetailFetch, domain.RoleDetailPage
	}
	sum := sha256.Sum256(f.Body)
	name := hex.EncodeToString(sum[:])
	p := filepath.Join(e.dir, name)
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(p, f.Body, 0o444); err != nil {
			return nil, err
		}
		e.bytes.Add(int64(len(f.Body)))
	}
	return []domain.ArtefactRef{{Role: role, SHA256: name, Size: int64(len(f.Body)), MediaType: "text/html"}}, nil
}

// BenchmarkPipelineEvidenceCapture crawls the same local results pages
// (crawltest, 200 pages of 40 cards, 10 alerts a page) through the real
// crawler and the pipeline twice per iteration: without capture (Fetch
// dropped at emit, no Evidence) and with it (Fetch kept, a Keep that hashes
// and writes each page to a fresh temp dir). It reports the cost per alert
// of both, their ratio, the time spent inside Keep per alert and the bytes
// stored per alert.
func BenchmarkPipelineEvidenceCapture(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchEvidence(b, 0) })
	b.Run("latency_20ms", func(b *testing.B) { benchEvidence(b, 20*time.Millisecond) })
}

func benchEvidence(b *testing.B, latency time.Duration) {
	base, queries := crawltest.ProcessServer(b, benchTitles, latency)
	src, err := crawl.ParseSource("bench.yaml", []byte(crawltest.SourceYAML(base)))
	if err != nil {
		b.Fatal(err)
	}
	c := crawl.New(crawl.Options{AllowPrivate: true, Transport: crawltest.Transport()})
	runner := func(retain bool, ev pipeline.Evidence, st pipeline.Store) *pipeline.Runner {
		r := &pipeline.Runner{
			Crawler: runCrawler{c: c, src: src, queries: queries, retain: retain},
			Matcher: benchMatcher{}, Store: st, Log: zap.NewNop(), Now: time.Now,
		}
		if ev != nil {
			r.Evidence = ev
		}
		return r
	}
	var plainTime, captureTime time.Duration
	var alerts, stored, spent int64
	b.ResetTimer()
	for i := range b.N {
		plain := &countingStore{}
		start := time.Now()
		if _, err := runner(false, nil, plain).Run(context.Background(), "bench"); err != nil {
			b.Fatal(err)
		}
		plainTime += time.Since(start)

		ev := &dirEvidence{dir: filepath.Join(b.TempDir(), "ev")}
		if err := os.MkdirAll(ev.dir, 0o755); err != nil {
			b.Fatal(err)
		}
		kept := &countingStore{}
		start = time.Now()
		if _, err := runner(true, ev, kept).Run(context.Background(), "bench"); err != nil {
			b.Fatal(err)
		}
		captureTime += time.Since(start)
		if kept.alerts.Load() != plain.alerts.Load() || kept.withEvidence.Load() != kept.alerts.Load() || kept.alerts.Load() == 0 {
			b.Fatalf("iteration %d: %d alerts without capture, %d with, %d with evidence",
				i, plain.alerts.Load(), kept.alerts.Load(), kept.withEvidence.Load())
		}
		alerts += kept.alerts.Load()
		stored += ev.bytes.Load()
		spent += ev.spent.Load()
	}
	b.StopTimer()
	perPlain := float64(plainTime.Nanoseconds()) / float64(alerts)
	perCapture := float64(captureTime.Nanoseconds()) / float64(alerts)
	b.ReportMetric(perPlain, "ns/alert_plain")
	b.ReportMetric(perCapture, "ns/alert_capture")
	b.ReportMetric(perCapture/perPlain, "capture/plain")
	b.ReportMetric(float64(stored)/float64(alerts), "B_stored/alert")
	// Keep's own time is the steadiest figure on a shared machine.
	b.ReportMetric(float64(spent)/float64(alerts), "ns/alert_in_keep")
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/op")
	b.ReportMetric(0, "ns/op")
}
