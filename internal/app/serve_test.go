package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
)

// needMeilisearch finds the pinned binary; under CI its absence is a failure,
// never a skip.
func needMeilisearch(t *testing.T) string {
	t.Helper()
	bin, err := index.FindBinary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Meilisearch binary required under CI: %v", err)
		}
		t.Skipf("Meilisearch not installed (run deploy/scripts/install-meilisearch.sh): %v", err)
	}
	return bin
}

func testConfig(t *testing.T, bin string) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Sources.Demo.Enabled = true
	cfg.Sources.Demo.Listen = "127.0.0.1:0"
	// One platform: the tests follow the demo's first run; the ring across
	// three is tested where it is the subject (TestDemoRingLinksAcrossPlatforms).
	cfg.Sources.Demo.Platforms = []string{demoSourceID}
	cfg.Meilisearch.Binary = bin
	cfg.Crawl.ShutdownGrace = 5 * time.Second
	return cfg
}

func getJSON(t *testing.T, u string, v any, token string) int {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: decoding: %v", u, err)
	}
	return resp.StatusCode
}

// TestDaemonEndToEnd runs the whole flow on the embedded defaults: the demo
// marketplace is crawled at once, look-alikes become alerts in SQLite and the
// API, hits reach Meilisearch, and a second run raises no duplicate alerts.
func TestDaemonEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts Meilisearch")
	}
	bin := needMeilisearch(t)
	cfg := testConfig(t, bin)
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())

	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	var first domain.CrawlRun
	select {
	case first = <-runs:
	case <-time.After(60 * time.Second):
		t.Fatal("no crawl run finished within 60s")
	}
	if first.Status != domain.RunSucceeded || first.Listings == 0 || first.Alerts == 0 {
		t.Fatalf("first run: %+v, want success with listings and alerts", first)
	}

	var alerts struct {
		Alerts []domain.Alert `json:"alerts"`
		Total  int            `json:"total"`
	}
	if code := getJSON(t, d.httpURL+"/api/v1/alerts?limit=500", &alerts, tok); code != 200 {
		t.Fatalf("/api/v1/alerts: status %d", code)
	}
	if alerts.Total != first.Alerts {
		t.Fatalf("API lists %d alerts, run raised %d", alerts.Total, first.Alerts)
	}
	for _, a := range alerts.Alerts {
		if len(a.Reasons) == 0 || a.URL == "" || a.MarkID == "" {
			t.Fatalf("alert without evidence: %+v", a)
		}
	}

	// Hits reach the index through the outbox.
	if err := d.indexer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var hits struct {
		Hits  []domain.Hit `json:"hits"`
		Total int          `json:"total"`
	}
	q := url.QueryEscape("核桃")
	if code := getJSON(t, d.httpURL+"/api/v1/hits?q="+q, &hits, tok); code != 200 || hits.Total == 0 {
		t.Fatalf("/api/v1/hits?q=核桃: status %d, %d hits", code, hits.Total)
	}
	for _, h := range hits.Hits {
		if !strings.Contains(h.Title, "核桃") && !strings.Contains(h.Title, "核") {
			t.Fatalf("search for 核桃 returned %q", h.Title)
		}
	}

	// A second run over the same pages raises nothing new.
	second := triggerRun(t, d, runs, demoSourceID)
	if second.Status != domain.RunSucceeded {
		t.Fatalf("second run: %+v", second)
	}
	var again struct {
		Total int `json:"total"`
	}
	getJSON(t, d.httpURL+"/api/v1/alerts", &again, tok)
	if again.Total != alerts.Total+second.Alerts {
		t.Fatalf("alerts after second run: %d, want %d + %d new", again.Total, alerts.Total, second.Alerts)
	}
	// The supervisors' console lists the alerts with the evidence highlighted.
	sup := d.demoLogins[0]
	browser, _ := signIn(t, d.httpURL, sup.Name, sup.Password)
	code, page := call(t, browser, "GET", d.httpURL+"/", "", nil, nil)
	if code != 200 || !strings.Contains(page, "<mark") {
		t.Fatalf("console: status %d, no highlighted evidence in %.300s", code, page)
	}

	_, metrics := call(t, nil, "GET", d.httpURL+"/metrics", tok, nil, nil)
	for _, m := range []string{`markwatch_crawl_runs_total{source="demo",status="succeeded"}`, "markwatch_index_outbox_pending", "markwatch_index_refused_entries 0", `markwatch_alerts_raised_total{source="demo"}`} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}

	var ready map[string]any
	if code := getJSON(t, d.httpURL+"/readyz", &ready, tok); code != 200 {
		t.Fatalf("/readyz: %d %v", code, ready)
	}
}

// TestServeRefusesBrokenInput checks that a broken registry or config stops
// startup with an error naming file, line and field.
func TestServeRefusesBrokenInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	brokenReg := write("marks.yaml", "version: 1\nmarks:\n  - id: lulu\n    name: 露露\n    kind: trademrk\n")
	cases := []struct {
		name   string
		config string
		want   []string
	}{
		{"unknown config field", "http:\n  listen: 127.0.0.1:0\n  lisen: x\n", []string{"cfg-0.yaml:3", "lisen"}},
		{"bad duration", "crawl:\n  shutdown_grace: 十秒\n", []string{"cfg-1.yaml:2", "shutdown_grace"}},
		{"broken registry", fmt.Sprintf("registry:\n  path: %s\n", brokenReg), []string{"marks.yaml:5", "kind"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfgPath := write(fmt.Sprintf("cfg-%d.yaml", i), c.config+fmt.Sprintf("data_dir: %s\n", filepath.Join(dir, "data")))
			var stderr bytes.Buffer
			code := Main(context.Background(), []string{"serve", "--config", cfgPath}, Env{
				Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr,
				Getenv: func(string) (string, bool) { return "", false },
			})
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr: %s", code, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("error %q does not mention %q", stderr.String(), w)
				}
			}
		})
	}
}
