package app

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

// TestDemoIsKnownByOriginNotByName: an operator's source file that calls
// itself "demo" is an ordinary source; only the embedded demo definition
// may read the demo marketplace on loopback.
func TestDemoIsKnownByOriginNotByName(t *testing.T) {
	dir := t.TempDir()
	def := `id: demo
name: 伪装的演示源
platform: demo
schedule: "@every 1h"
search:
  url: "http://127.0.0.1:6379/search?q={query}&page={page}"
extract:
  css:
    item: "li"
    fields:
      title: "a"
      url: "a@href"
`
	if err := os.WriteFile(filepath.Join(dir, "demo.yaml"), []byte(def), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Sources.Dir = dir
	srcs, demoFiles, err := loadSources(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || len(demoFiles) != 0 {
		t.Fatalf("sources %d, demo files %v: an operator's file named demo must not be the demo", len(srcs), demoFiles)
	}
	d := &daemon{cfg: cfg, sources: srcs}
	if d.isDemo(srcs[0]) {
		t.Fatal("the operator's demo.yaml would get the loopback crawler")
	}

	cfg = config.Default() // embedded definitions
	cfg.Sources.Demo.Enabled = true
	srcs, demoFiles, err = loadSources(cfg)
	if err != nil || len(srcs) != 3 {
		t.Fatalf("embedded: %d sources, want the demo's three platforms, %v", len(srcs), err)
	}
	d = &daemon{cfg: cfg, sources: srcs, demoFiles: demoFiles}
	for _, s := range srcs {
		if !d.isDemo(s) {
			t.Fatalf("the embedded demo source %s is not recognised", s.ID)
		}
	}
}

// TestCLICrawlBesideTheDaemonAddsNoDuplicates runs `markwatch crawl --source
// demo` while the daemon serves the demo: the command reads the daemon's
// own demo marketplace, so the same offers have the same URLs and raise no
// second alerts.
func TestCLICrawlBesideTheDaemonAddsNoDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sources.Demo.Listen = ln.Addr().String()
	ln.Close()
	runs := make(chan domain.CrawlRun, 2)
	d, err := startDaemon(context.Background(), cfg, zap.NewNop(), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	first := within(t, runs, 90*time.Second, "the first crawl run")
	ctx := context.Background()
	_, before, _ := d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1})

	cfgFile := filepath.Join(t.TempDir(), "markwatch.yaml")
	yaml := "data_dir: " + cfg.DataDir + "\nsources:\n  demo:\n    enabled: true\n    listen: " + cfg.Sources.Demo.Listen + "\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := Main(ctx, []string{"crawl", "--source", "demo", "--config", cfgFile}, Env{
		Stdout: &out, Stderr: &out, Getenv: func(string) (string, bool) { return "", false }})
	if code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, out.String())
	}
	all, after, err := d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
	if err != nil || first.Alerts == 0 || after < before {
		t.Fatalf("alerts before the CLI crawl %d (first run raised %d), after %d: %v", before, first.Alerts, after, err)
	}
	// The CLI crawl goes on with the next window of the query rotation, so
	// it may find new offers; it must not find the same offer twice.
	seen := map[string]string{}
	for _, a := range all {
		u, err := url.Parse(a.URL)
		if err != nil {
			t.Fatal(err)
		}
		key := a.MarkID + " " + u.Path
		if prev, dup := seen[key]; dup {
			t.Errorf("one offer, two alerts: %s and %s", prev, a.URL)
		}
		seen[key] = a.URL
	}
}

// TestQueryRotationSurvivesRestarts: the run index that picks a run's
// queries comes from the store's count of ended runs, so a daemon that
// restarts goes on to the next window of marks instead of the first.
func TestQueryRotationSurvivesRestarts(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	ctx := context.Background()
	var planned []int
	newCrawler := func(db *store.DB) *sourceCrawler {
		return &sourceCrawler{
			sources:  map[string]crawl.Source{"jd": {ID: "jd"}},
			runs:     map[string]int{},
			runIndex: db.FinishedRuns,
			plan:     func(_ crawl.Source, run int) []string { planned = append(planned, run); return nil },
			crawler:  func(crawl.Source) *crawl.Crawler { return crawl.New(crawl.Options{}) },
		}
	}
	for restart := range 3 {
		db, err := openStore(ctx, cfg, true)
		if err != nil {
			t.Fatal(err)
		}
		c := newCrawler(db)
		r, err := db.StartRun(ctx, "jd")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Crawl(ctx, "jd", func(domain.Listing) error { return nil })
		r.Status = domain.RunSucceeded
		if err := db.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if planned[restart] != restart {
			t.Fatalf("after %d restarts the plan used run index %d, want %d (rotation starts again)", restart, planned[restart], restart)
		}
	}
}

func TestOwnerTypedShortIsSuggested(t *testing.T) {
	marks, err := loadRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	err = checkUserFields(domain.User{Name: "yy", Role: domain.RoleOwner, Owner: "河北养元智汇饮品"}, marks)
	if err == nil || !strings.Contains(err.Error(), `did you mean "河北养元智汇饮品股份有限公司"?`) {
		t.Fatalf("error %v, want a suggestion of the full owner name", err)
	}
}
