package app

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// /readyz answers 503 naming the disk and why when the data dir's free
// space is below the floor (a floor above any disk stands in for a full
// one), while the store and index stay ok.
func TestReadyzFailsOnFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Meilisearch")
	}
	ctx := context.Background()
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.RunOnStart = false
	cfg.DataDirMinFreeMB = math.MaxInt32
	d, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(ctx)
	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	code, body := call(t, nil, "GET", d.httpURL+"/readyz", tok, nil, nil)
	var ready struct {
		Checks  map[string]string `json:"checks"`
		Reasons map[string]string `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	if code != 503 || ready.Checks["disk"] != "failed" || ready.Reasons["disk"] != "free space in the data dir below the floor" ||
		ready.Checks["store"] != "ok" || ready.Checks["index"] != "ok" {
		t.Errorf("/readyz on a full disk: %d %s; want 503 with only disk failed, and why", code, body)
	}
}
