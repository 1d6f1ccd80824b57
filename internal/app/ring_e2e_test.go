package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestDemoRingLinksAcrossPlatforms crawls the demo's three platforms: the
// shops of its counterfeit ring, which share a phone and a WeChat id, are
// one seller network; once a supervisor confirms one of the ring's alerts,
// the next crawl raises an alert on a ring shop's plain-name listing on
// another platform, with the seller network as its reason.
func TestDemoRingLinksAcrossPlatforms(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Sources.Demo.Platforms = []string{"demo", "demo-pifa", "demo-youxuan"}
	runs := make(chan domain.CrawlRun, 8)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	for _, r := range firstRuns(t, runs, 90*time.Second, cfg.Sources.Demo.Platforms...) {
		if r.Status != domain.RunSucceeded {
			t.Fatalf("first run %+v did not succeed", r)
		}
	}
	// The demo's photos were fetched and hashed for the image signal.
	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	_, metrics := call(t, nil, "GET", d.httpURL+"/metrics", tok, nil, nil)
	if !strings.Contains(string(metrics), `markwatch_crawl_images_total{result="fetched",source="demo"}`) {
		t.Fatal("/metrics counts no fetched listing image of the demo")
	}
	ctx := context.Background()
	alerts, _, err := d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var ring domain.Alert // the look-alike the ring's first shop sells
	for _, a := range alerts {
		if a.Seller == "鑫旺食品专营店" && strings.HasPrefix(a.Title, "陆个核桃") {
			ring = a
		}
		for _, r := range a.Reasons {
			if r.Tactic == "seller" {
				t.Fatalf("a seller reason before any confirmation: %+v", a)
			}
		}
	}
	if ring.ID == 0 || ring.SellerID == 0 {
		t.Fatalf("no alert with a seller for the ring's 陆个核桃 among %d alerts", len(alerts))
	}
	net, err := d.db.SellerNetwork(ctx, ring.SellerID, domain.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[string]bool{}
	for _, s := range net.Sellers {
		platforms[s.Platform] = true
	}
	if len(platforms) < 3 || len(net.Links) < 2 {
		t.Fatalf("the ring's network spans %v with %d links; want three platforms linked by shared contacts", platforms, len(net.Links))
	}

	if _, err := d.db.SetAlertStatus(ctx, ring.ID, domain.AlertConfirmed); err != nil {
		t.Fatal(err)
	}
	if r := triggerRun(t, d, runs, "demo-pifa"); r.Status != domain.RunSucceeded {
		t.Fatalf("run after the confirmation %+v did not succeed", r)
	}
	alerts, _, err = d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if a.SourceID != "demo-pifa" || a.Seller == ring.Seller {
			continue
		}
		for _, r := range a.Reasons {
			if r.Tactic == "seller" && strings.Contains(r.Text, "已确认") {
				return // the plain name by a linked shop now alerts, and says why
			}
		}
	}
	t.Fatalf("after confirming %q, no alert on 燕赵批发网 gives the seller network as a reason", ring.Title)
}
