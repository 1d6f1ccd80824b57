//go:build unix

package app

import (
	"context"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// The managed Meilisearch is SIGKILLed under a running daemon: the daemon
// restarts it, counts the restart in /metrics, and /readyz and search over
// the API answer again, with the hits the index held before.
func TestDaemonRestartsKilledMeilisearch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills Meilisearch")
	}
	bin := needMeilisearch(t)
	ctx := context.Background()
	cfg := testConfig(t, bin)
	cfg.Crawl.RunOnStart = false
	d, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(ctx)
	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := d.search.Upsert(ctx, []domain.Hit{{
		ID: 1, ListingID: 10, SourceID: demoSourceID, MarkID: "lincheng-walnut", Title: "临城薄皮核桃 2025新货",
		URL: "https://demo.local/item/1", Seller: "太行山货店", Location: "河北 邢台", Score: 0.9, Alert: true,
		FirstSeen: now, LastSeen: now,
	}}); err != nil {
		t.Fatal(err)
	}
	searchOK := func() bool {
		var res struct {
			Total int `json:"total"`
		}
		code := getJSON(t, d.httpURL+"/api/v1/hits?q="+url.QueryEscape("临城核桃"), &res, tok)
		return code == 200 && res.Total == 1
	}
	if !searchOK() {
		t.Fatal("search before the kill does not find the hit")
	}

	pid := d.meili.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var ready map[string]any
		if getJSON(t, d.httpURL+"/readyz", &ready, tok) == 200 && searchOK() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz or search not back within 60s of killing Meilisearch pid %d", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d.meili.PID() == pid {
		t.Errorf("still pid %d after the restart", pid)
	}
	_, metrics := call(t, nil, "GET", d.httpURL+"/metrics", tok, nil, nil)
	if !strings.Contains(metrics, "markwatch_meilisearch_restarts_total 1") {
		t.Errorf("/metrics lacks markwatch_meilisearch_restarts_total 1")
	}
}
