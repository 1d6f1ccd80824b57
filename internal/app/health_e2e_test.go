package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

// TestSelectorHealthEndToEnd changes the demo marketplace's markup between
// runs of the daemon: the first run reads it with the shipped selectors and
// is healthy; after the switch to a card layout the run is recorded
// degraded with reasons naming the item selector that stopped matching,
// auto-detection still finds the same listings and their hits and alerts,
// and operators are told through the metric, the audit log, the API and the
// console's sources page. Switching back makes the source healthy again.
func TestSelectorHealthEndToEnd(t *testing.T) {
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
	ctx := context.Background()
	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	first := within(t, runs, 60*time.Second, "the first crawl run")
	if first.Status != domain.RunSucceeded || first.Degraded || first.Health == nil || first.Health.PagesAuto != 0 || first.Alerts == 0 {
		t.Fatalf("first run = %+v (health %+v), want a healthy success with alerts", first, first.Health)
	}
	if first.Health.ListingsPerPage == 0 || len(first.Health.EmptyFields) != 0 {
		t.Errorf("first run health = %+v, want listings on every page and no field empty", first.Health)
	}
	alertsBefore := alertsOf(t, d.httpURL, tok)

	// The marketplace redesigns its result pages.
	d.demo.SetLayout(demo.LayoutCards)
	second := triggerRun(t, d, runs, demoSourceID)
	if second.Status != domain.RunSucceeded || !second.Degraded || second.Health == nil {
		t.Fatalf("run after the markup changed = %+v (health %+v), want succeeded and degraded", second, second.Health)
	}
	h := second.Health
	reasons := strings.Join(h.Reasons, "; ")
	if h.PagesAuto != h.Pages || !strings.Contains(reasons, "ul.result-list li.result-item") || !strings.Contains(reasons, "auto-detection") {
		t.Errorf("degraded run health = %+v, want every page auto-detected and the item selector named", h)
	}
	// Auto-detection keeps finding the listings: as many per page as the
	// selectors found, every field filled, hits and alerts raised or seen
	// again. (The queries rotate between runs, so the listings themselves
	// differ from the first run's.)
	if second.Listings == 0 || second.Hits == 0 || h.ListingsPerPage < first.Health.ListingsPerPage/2 || len(h.EmptyFields) != 0 {
		t.Errorf("degraded run read %d listings (%.1f a page, empty fields %v), %d hits; the healthy one %.1f a page",
			second.Listings, h.ListingsPerPage, h.EmptyFields, second.Hits, first.Health.ListingsPerPage)
	}
	alertsAfter := alertsOf(t, d.httpURL, tok)
	if len(alertsAfter) != len(alertsBefore)+second.Alerts {
		t.Errorf("alerts after the degraded run: %d, want %d + %d new", len(alertsAfter), len(alertsBefore), second.Alerts)
	}
	seen := 0
	for _, a := range alertsAfter {
		if a.SourceID == demoSourceID && !a.LastSeen.Before(second.StartedAt) {
			seen++
		}
	}
	if seen == 0 {
		t.Errorf("no alert raised or seen again by the degraded run (%d new)", second.Alerts)
	}
	t.Logf("degraded run: %d pages, %d listings, %d hits, %d new alerts, %d alerts seen; reasons %q",
		second.Pages, second.Listings, second.Hits, second.Alerts, seen, h.Reasons)

	// Operators are told: the run as recorded, the metric, the audit log,
	// the console.
	code, body := call(t, nil, "GET", d.httpURL+"/api/v1/sources/"+demoSourceID+"/runs", tok, nil, nil)
	if code != 200 || !strings.Contains(body, `"degraded":true`) || !strings.Contains(body, "ul.result-list li.result-item") {
		t.Errorf("GET runs: %d %.600s", code, body)
	}
	_, metrics := call(t, nil, "GET", d.httpURL+"/metrics", tok, nil, nil)
	for _, m := range []string{`markwatch_crawl_runs_degraded_total{source="demo"} 1`, `markwatch_source_degraded{source="demo"} 1`} {
		if !strings.Contains(metrics, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	es, n, err := d.db.ListAudit(ctx, domain.AuditFilter{Action: store.AuditSourceDegraded})
	if err != nil || n != 1 || es[0].Object != "source:"+demoSourceID {
		t.Fatalf("source.degraded audit = %+v (%d), %v", es, n, err)
	}
	var after struct {
		RunID   int64    `json:"run_id"`
		Reasons []string `json:"reasons"`
	}
	if err := json.Unmarshal(es[0].After, &after); err != nil || after.RunID != second.ID || len(after.Reasons) == 0 {
		t.Errorf("audit after = %s, %v; want run %d and its reasons", es[0].After, err, second.ID)
	}
	sup := d.demoLogins[0]
	browser, _ := signIn(t, d.httpURL, sup.Name, sup.Password)
	code, page := call(t, browser, "GET", d.httpURL+"/sources", "", nil, nil)
	if code != 200 || !strings.Contains(page, "选择器失效") || !strings.Contains(page, "ul.result-list li.result-item") {
		t.Errorf("console /sources: %d, no 选择器失效 banner naming the selector in %.2000s", code, page)
	}

	// The layout comes back (or the definition is fixed): healthy again,
	// and the banner and gauge clear.
	d.demo.SetLayout(demo.LayoutClassic)
	if third := triggerRun(t, d, runs, demoSourceID); third.Status != domain.RunSucceeded || third.Degraded {
		t.Fatalf("run after the markup came back = %+v (health %+v), want healthy", third, third.Health)
	}
	_, metrics = call(t, nil, "GET", d.httpURL+"/metrics", tok, nil, nil)
	if !strings.Contains(metrics, `markwatch_source_degraded{source="demo"} 0`) {
		t.Errorf("/metrics: markwatch_source_degraded not cleared")
	}
	if _, page = call(t, browser, "GET", d.httpURL+"/sources", "", nil, nil); strings.Contains(page, "选择器失效 Selectors") {
		t.Errorf("console /sources still shows the banner after a healthy run")
	}

	// A smaller redesign: the list keeps its classes but the shop link is
	// renamed. Nothing needs auto-detection; every listing loses its seller.
	d.demo.SetLayout(demo.LayoutShopRenamed)
	fourth := triggerRun(t, d, runs, demoSourceID)
	if fourth.Status != domain.RunSucceeded || !fourth.Degraded || fourth.Health == nil || fourth.Health.PagesAuto != 0 {
		t.Fatalf("run after the shop link was renamed = %+v (health %+v), want degraded without auto-detection", fourth, fourth.Health)
	}
	if r := strings.Join(fourth.Health.Reasons, "; "); !strings.Contains(r, "field seller empty") || !strings.Contains(r, "a.shop-name") {
		t.Errorf("reasons = %q, want the seller field and its selector named", fourth.Health.Reasons)
	}
	if _, n, err := d.db.ListAudit(ctx, domain.AuditFilter{Action: store.AuditSourceDegraded}); err != nil || n != 2 {
		t.Errorf("source.degraded audit entries = %d, %v; want 2", n, err)
	}
}
