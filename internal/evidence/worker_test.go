package evidence

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

type fakeFetcher struct {
	body  []byte
	err   error
	calls int
	limit int64
}

func (f *fakeFetcher) FetchImage(ctx context.Context, _ domain.Alert, url string, limit int64) ([]byte, string, domain.Fetch, error) {
	f.calls++
	f.limit = limit
	if f.err != nil {
		return nil, "", domain.Fetch{}, f.err
	}
	return f.body, "image/jpeg", domain.Fetch{RequestURL: url, FinalURL: url, Status: 200, UserAgent: "ua", RemoteAddr: "198.51.100.1:443",
		Headers: map[string][]string{"Content-Type": {"image/jpeg"}}, Body: f.body, FetchedAt: time.Unix(1, 0)}, nil
}

type fakeBrowser struct{}

func (fakeBrowser) CapturePage(ctx context.Context, _ domain.Alert, url string) ([]byte, []byte, domain.Fetch, error) {
	return []byte("\x89PNG screenshot"), []byte("MIME-Version: 1.0\r\n"), domain.Fetch{RequestURL: url, FinalURL: url, Status: 200, Rendered: true}, nil
}

type fakeRechecker struct{ res RecheckResult }

func (f *fakeRechecker) Recheck(ctx context.Context, a domain.Alert) (RecheckResult, error) {
	return f.res, nil
}

type workerScene struct {
	store *memStore
	blobs *FS
	clk   *clock
	w     *Worker
	fetch *fakeFetcher
	check *fakeRechecker
}

func newWorkerScene(t *testing.T) *workerScene {
	t.Helper()
	ws := &workerScene{store: newMemStore(), blobs: newFS(t, 1<<20), clk: newClock(),
		fetch: &fakeFetcher{body: []byte("\xff\xd8\xff jpeg")}, check: &fakeRechecker{}}
	ws.store.blobs = ws.blobs
	ws.store.alerts[7] = domain.Alert{ID: 7, MarkID: "nike", SourceID: "taobao", URL: "https://item.taobao.com/item.htm?id=7"}
	ws.store.versions = []domain.ListingVersion{{ID: 1, AlertID: 7, Version: 1, Title: "耐克 气垫", Price: 299, Seller: "潮流鞋铺", Available: true}}
	w, err := NewWorker(WorkerOptions{
		Store: ws.store, Blobs: ws.blobs, Fetcher: ws.fetch, Browser: fakeBrowser{}, Rechecker: ws.check,
		Version: "v-test", Now: ws.clk.Now, Rand: func() float64 { return 0 },
		Backoff: Backoff{Initial: time.Minute, Max: time.Hour}, MaxAttempts: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	ws.w = w
	return ws
}

func (ws *workerScene) job(kind, url string) {
	ws.store.jobs = append(ws.store.jobs, domain.CaptureJob{ID: int64(len(ws.store.jobs)) + 1, AlertID: 7, Kind: kind, URL: url, NextAt: ws.clk.Now()})
}

func TestWorkerImage(t *testing.T) {
	ws := newWorkerScene(t)
	ws.job(JobImage, "https://img.alicdn.com/a.jpg")
	n, err := ws.w.Tick(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("tick: %d, %v", n, err)
	}
	if len(ws.store.jobs) != 0 || len(ws.store.captures) != 1 {
		t.Fatalf("jobs %v, captures %d", ws.store.jobs, len(ws.store.captures))
	}
	c := ws.store.captures[0]
	if len(c.Artefacts) != 1 || c.Artefacts[0].Role != domain.RoleImage || c.Version != 1 || c.MarkwatchVersion != "v-test" ||
		c.ListingURL != "https://item.taobao.com/item.htm?id=7" || c.Fetch.RemoteAddr != "198.51.100.1:443" || c.Fetch.Body != nil {
		t.Fatalf("capture %+v", c)
	}
	if len(ws.store.misses) != 0 {
		t.Fatalf("rows written before their files: %v", ws.store.misses)
	}
	if ws.fetch.limit != 10<<20 {
		t.Errorf("image limit %d", ws.fetch.limit)
	}
}

func TestWorkerScreenshot(t *testing.T) {
	ws := newWorkerScene(t)
	ws.job(JobScreenshot, "")
	if _, err := ws.w.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := ws.store.captures[0]
	if len(c.Artefacts) != 2 || c.Artefacts[0].Role != domain.RoleScreenshot || c.Artefacts[1].Role != domain.RoleSnapshot ||
		c.Fetch.RequestURL != "https://item.taobao.com/item.htm?id=7" || !c.Fetch.Rendered {
		t.Fatalf("capture %+v", c)
	}
	if len(ws.store.misses) != 0 {
		t.Fatalf("rows written before their files: %v", ws.store.misses)
	}
}

// A failing fetch is retried later with a growing wait and its error
// kept; after MaxAttempts it is given up; an invalid job at once.
func TestWorkerRetriesAndGivesUp(t *testing.T) {
	ctx := context.Background()
	ws := newWorkerScene(t)
	ws.fetch.err = domain.Errorf(domain.EUNAVAILABLE, "connection reset")
	ws.job(JobImage, "https://img.alicdn.com/a.jpg")
	if _, err := ws.w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	j := ws.store.jobs[0]
	if j.Attempts != 1 || !j.NextAt.Equal(ws.clk.Now().Add(time.Minute)) || !strings.Contains(j.LastError, "connection reset") {
		t.Fatalf("job after a failure: %+v", j)
	}
	if n, _ := ws.w.Tick(ctx); n != 0 || ws.fetch.calls != 1 {
		t.Fatalf("job run again before its time")
	}
	ws.clk.Add(time.Minute)
	_, _ = ws.w.Tick(ctx)
	if j := ws.store.jobs[0]; j.Attempts != 2 || !j.NextAt.Equal(ws.clk.Now().Add(2*time.Minute)) {
		t.Fatalf("second failure: %+v, want a 2m wait", j)
	}
	ws.clk.Add(2 * time.Minute)
	_, _ = ws.w.Tick(ctx)
	if len(ws.store.jobs) != 0 || len(ws.store.captures) != 0 {
		t.Fatalf("after MaxAttempts: jobs %+v", ws.store.jobs)
	}

	ws.fetch.err = nil
	ws.fetch.body = bytes.Repeat([]byte{1}, 2<<20) // over the 1 MiB store limit
	ws.job(JobImage, "https://img.alicdn.com/huge.jpg")
	_, _ = ws.w.Tick(ctx)
	if len(ws.store.jobs) != 0 || len(ws.store.captures) != 0 {
		t.Fatalf("oversized image: jobs %+v, captures %d; want given up at once", ws.store.jobs, len(ws.store.captures))
	}
}

func TestWorkerStoreFailureKeepsJob(t *testing.T) {
	ws := newWorkerScene(t)
	ws.job(JobImage, "https://img.alicdn.com/a.jpg")
	ws.store.failTo = errors.New("disk I/O error")
	_, _ = ws.w.Tick(context.Background())
	ws.store.failTo = nil
	if len(ws.store.jobs) != 1 || len(ws.store.captures) != 0 {
		t.Fatalf("jobs %v captures %d", ws.store.jobs, len(ws.store.captures))
	}
	// The file is there already; the retry reuses it.
	if ok, _ := ws.blobs.Exists(context.Background(), hexSHA(ws.fetch.body)); !ok {
		t.Error("artefact not stored before the row")
	}
}

func TestWorkerRecheck(t *testing.T) {
	ctx := context.Background()
	ws := newWorkerScene(t)
	page := domain.Fetch{RequestURL: "https://item.taobao.com/item.htm?id=7", Status: 200, Body: []byte("<html>¥199</html>"),
		Headers: map[string][]string{"content-type": {"text/html; charset=gbk"}}}
	ws.check.res = RecheckResult{Title: "耐克 气垫", Price: 199, Seller: "潮流鞋铺", Available: true, Fetch: page}
	ws.job(JobRecheck, "")
	if _, err := ws.w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ws.store.versions) != 2 || ws.store.versions[1].Price != 199 || ws.store.versions[1].CaptureID != 1 {
		t.Fatalf("versions %+v", ws.store.versions)
	}
	c := ws.store.captures[0]
	if c.Version != 2 || c.Artefacts[0].Role != domain.RoleDetailPage || c.Artefacts[0].MediaType != "text/html; charset=gbk" {
		t.Fatalf("capture %+v", c)
	}
	// Unchanged: a capture of the current version, no new version.
	ws.job(JobRecheck, "")
	_, _ = ws.w.Tick(ctx)
	if len(ws.store.versions) != 2 || len(ws.store.captures) != 2 || ws.store.captures[1].Version != 2 {
		t.Fatalf("unchanged recheck: %d versions, %d captures", len(ws.store.versions), len(ws.store.captures))
	}
	// Removed: the last details are kept, the removal is the change.
	ws.check.res = RecheckResult{Removed: true, Fetch: domain.Fetch{Status: 404, Body: []byte("该商品已下架")}}
	ws.job(JobRecheck, "")
	_, _ = ws.w.Tick(ctx)
	v := ws.store.versions[2]
	if !v.Removed || v.Available || v.Title != "耐克 气垫" || v.Price != 199 {
		t.Fatalf("removal version %+v", v)
	}
	if len(ws.store.misses) != 0 {
		t.Fatalf("rows written before their files: %v", ws.store.misses)
	}
}

// Jobs whose part is not configured wait instead of being lost.
func TestWorkerWithoutBrowserKeepsJob(t *testing.T) {
	ws := newWorkerScene(t)
	w, _ := NewWorker(WorkerOptions{Store: ws.store, Blobs: ws.blobs, Now: ws.clk.Now})
	ws.job(JobScreenshot, "")
	_, _ = w.Tick(context.Background())
	if len(ws.store.jobs) != 1 || !strings.Contains(ws.store.jobs[0].LastError, "no browser") {
		t.Fatalf("jobs %+v", ws.store.jobs)
	}
}
