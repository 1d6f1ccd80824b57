package app

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/store"
)

// searchBenchHits is issue 12's index size for the search target.
const searchBenchHits = 100_000

// searchBench is a running daemon whose store holds searchBenchHits hits,
// all indexed, and the two clients the benchmark compares: one for the
// daemon's API and one straight to its Meilisearch.
type searchBench struct {
	d      *daemon
	api    *http.Client
	direct ms.ServiceManager
	// admin and supervisor are bearer tokens; the supervisor's
	// jurisdiction (河北) makes the daemon search with a tenant token.
	admin, supervisor string
	hits, alerting    int
	took              time.Duration // filling the store and indexing
}

// benchTitles are what a crawl for Hebei marks brings back: the genuine
// names, look-alikes one character off (衡水老自干, 陆个核桃), titles naming
// two marks at once, and goods the matcher lets pass. The daemon's own
// matcher decides which marks each title hits and which alert.
var searchBenchTitles = []string{
	"衡水老白干 67度 白酒 500ml",
	"衡水老自干 古法酿造 67度 500ml*6 整箱",
	"衡水老白干 十八酒坊 陆个核桃 年货礼盒",
	"六个核桃 核桃乳 240ml*20罐",
	"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发",
	"露露 杏仁露 240ml*20罐 整箱",
	"露露杏仁露 六个核桃 饮品组合装",
	"衡水老白干 52度 白酒 整箱 礼盒",
	"迁西板栗 新货 生板栗 5斤装",
	"今麦郎 方便面 六个核桃 早餐组合",
}

// searchBenchWords vary the titles as marketplaces do, so the index holds
// many distinct words and not ten titles repeated.
var searchBenchWords = []string{"包邮", "特价", "正品", "批发", "清仓", "新货", "年货", "送礼", "整箱", "家庭装",
	"厂家直销", "限时秒杀", "买二送一", "原浆", "珍藏", "老字号", "散装", "促销", "特级", "官方"}

var searchBenchLocations = []string{"河北 衡水", "河北 石家庄", "河北 保定", "河北 沧州", "河北 邢台",
	"山东 临沂", "浙江 金华", "广东 广州", "河南 郑州", "北京"}

var searchBenchSellers = []string{"衡水老酒坊", "太行山货店", "冀州特产专营", "义乌小商品批发", "燕赵名酒行", "沧州枣业"}

// startSearchBench starts the daemon on a fresh data dir with its managed
// Meilisearch, saves listings through the store's API until their matches
// make searchBenchHits hits, and waits until the daemon's own outbox drain
// has put every hit in Meilisearch and the server has processed every task.
// The daemon stops when b ends.
func startSearchBench(b *testing.B) *searchBench {
	b.Helper()
	ctx := context.Background()
	bin, err := index.FindBinary()
	if err != nil {
		b.Fatalf("the search benchmark needs the pinned Meilisearch (make meilisearch): %v", err)
	}
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Sources.Demo.Enabled = false // no crawls: the store is filled below
	cfg.Meilisearch.Binary = bin
	// The daemon's own logger at its configured level: one line per
	// request is part of what a search costs.
	log, err := newLogger(cfg.Log, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	d, err := startDaemon(ctx, cfg, log, func(domain.CrawlRun) {})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.stop(context.Background()) })
	if d.meili == nil {
		b.Fatal("the daemon runs no managed Meilisearch to compare with")
	}
	sb := &searchBench{
		d:   d,
		api: &http.Client{Transport: loopbackTransport()},
		// The daemon's index client's settings: no request compression,
		// kept-alive connections.
		direct: ms.New(d.meili.URL(), ms.WithAPIKey(d.meili.Key()), ms.WithCustomClient(&http.Client{Transport: loopbackTransport()})),
	}
	sb.admin = benchToken(b, d.db, domain.User{Name: "bench-admin", Role: domain.RoleAdmin})
	sb.supervisor = benchToken(b, d.db, domain.User{Name: "bench-supervisor", Role: domain.RoleSupervisor, Jurisdiction: "河北"})

	start := time.Now()
	sb.hits, sb.alerting = fillStore(b, d)
	fctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	if err := d.indexer.Flush(fctx); err != nil {
		b.Fatal(err)
	}
	if n, err := d.db.OutboxLen(ctx); err != nil || n != 0 {
		b.Fatalf("outbox after the drain: %d entries, %v", n, err)
	}
	waitTasks(b, fctx, sb.direct)
	st, err := sb.direct.Index(d.search.IndexName()).GetStats(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	if int(st.NumberOfDocuments) != sb.hits {
		b.Fatalf("Meilisearch holds %d documents, the store %d hits", st.NumberOfDocuments, sb.hits)
	}
	sb.took = time.Since(start)
	return sb
}

// loopbackTransport keeps connections alive and sends nothing compressed:
// on loopback gzip only costs CPU.
func loopbackTransport() *http.Transport {
	return &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
}

// fillStore saves listings in batches through SaveListings, as the pipeline
// does, each matched by the daemon's matcher, until they have made
// searchBenchHits hits. It kicks the daemon's indexer after each batch so
// the drain runs beside the writes, as during a crawl. It returns the hits
// and how many of them alert.
func fillStore(b *testing.B, d *daemon) (hits, alerting int) {
	b.Helper()
	ctx := context.Background()
	const batchSize = 500
	seen := d.now()
	batch := make([]store.ListingMatches, 0, batchSize)
	flush := func() {
		res, err := d.db.SaveListings(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			for _, h := range r.Hits {
				hits++
				if h.Alert {
					alerting++
				}
			}
		}
		batch = batch[:0]
		d.indexer.Kick()
	}
	planned := 0
	for i := 0; planned < searchBenchHits; i++ {
		l := benchListing(i, seen)
		m := d.matcher.Match(l)
		if len(m) == 0 {
			continue
		}
		if planned+len(m) > searchBenchHits {
			m = m[:searchBenchHits-planned]
		}
		planned += len(m)
		batch = append(batch, store.ListingMatches{Listing: l, Matches: m})
		if len(batch) == batchSize {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	if hits != searchBenchHits {
		b.Fatalf("the store made %d hits of %d planned", hits, searchBenchHits)
	}
	if f := float64(alerting) / float64(hits); f < 0.25 || f > 0.45 {
		b.Fatalf("%d of %d hits alert (%.2f); the benchmark's listings should alert about a third", alerting, hits, f)
	}
	return hits, alerting
}

// benchListing is the i-th listing: a title with two varying words, one of
// 3,000 sellers in one of ten places, a price.
func benchListing(i int, seen time.Time) domain.Listing {
	nw := len(searchBenchWords)
	title := fmt.Sprintf("%s %s %s %d号", searchBenchTitles[i%len(searchBenchTitles)],
		searchBenchWords[(i/7)%nw], searchBenchWords[(i/3+11)%nw], i%97+1)
	return domain.Listing{
		ID:       fmt.Sprintf("bench-%d", i),
		SourceID: "bench",
		Platform: "bench",
		Title:    title,
		Price:    19.9 + float64(i*37%2000)/10,
		Seller:   fmt.Sprintf("%s%d号店", searchBenchSellers[i%len(searchBenchSellers)], i%500),
		Location: searchBenchLocations[(i/len(searchBenchTitles))%len(searchBenchLocations)],
		URL:      fmt.Sprintf("https://bench.example/item/%d", i),
		SeenAt:   seen.Add(time.Duration(i) * time.Second),
	}
}

// waitTasks waits until Meilisearch has no task enqueued or processing, so
// the timed searches do not share the server with indexing.
func waitTasks(b *testing.B, ctx context.Context, c ms.ServiceManager) {
	b.Helper()
	for {
		res, err := c.GetTasks(ctx, &ms.TasksQuery{Statuses: []ms.TaskStatus{ms.TaskStatusEnqueued, ms.TaskStatusProcessing}, Limit: 1})
		if err != nil {
			b.Fatalf("waiting for Meilisearch's tasks: %v", err)
		}
		if res.Total == 0 {
			return
		}
		select {
		case <-ctx.Done():
			b.Fatalf("Meilisearch still has %d tasks: %v", res.Total, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// benchToken creates u in db and returns a bearer token for it.
func benchToken(b *testing.B, db *store.DB, u domain.User) string {
	b.Helper()
	ctx := context.Background()
	hash, err := access.HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	if u, err = db.CreateUser(ctx, u, hash, domain.SystemActor); err != nil {
		b.Fatal(err)
	}
	secret, tokHash, shown, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, domain.APIToken{UserID: u.ID, Name: "bench", Hash: tokHash, Prefix: shown}, domain.SystemActor); err != nil {
		b.Fatal(err)
	}
	return secret
}

// percentile is the p-quantile (0 < p ≤ 1) of sorted durations, by the
// nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p)) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortedCopy(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}
