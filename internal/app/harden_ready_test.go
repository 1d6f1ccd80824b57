package app

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// A daemon whose database file is overwritten by garbage under it reports
// not ready, naming the store, where /readyz said 200 before.
func TestReadyzFailsOnCorruptStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Meilisearch")
	}
	ctx := context.Background()
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.RunOnStart = false
	d, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(ctx)
	tok := testToken(t, d.db, "root", domain.RoleAdmin, "")
	if code, body := call(t, nil, "GET", d.httpURL+"/readyz", tok, nil, nil); code != 200 {
		t.Fatalf("/readyz before: %d %s", code, body)
	}

	f, err := os.OpenFile(dbPath(cfg), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("六个核桃 衡水老白干 ", 300)), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	code, body := call(t, nil, "GET", d.httpURL+"/readyz", tok, nil, nil)
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	if code != 503 || ready.Checks["store"] != "failed" {
		t.Fatalf("/readyz with the database overwritten: %d %s; want 503 with store failed", code, body)
	}
}
