package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestReindexBesideTheDaemon: `markwatch reindex` while the daemon holds
// the data dir (and its managed Meilisearch) asks the daemon to rebuild,
// instead of refusing; it needs an operator's token, says how to get one,
// and afterwards search answers with every stored hit.
func TestReindexBesideTheDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	d, _ := startAfterFirstCrawl(t, cfg)
	ctx := context.Background()
	stored := 0
	if err := d.db.AllHits(ctx, func(domain.Hit) error { stored++; return nil }); err != nil || stored == 0 {
		t.Fatalf("stored hits %d, %v; the demo's first run should store some", stored, err)
	}

	cfgFile := filepath.Join(t.TempDir(), "markwatch.yaml")
	yaml := fmt.Sprintf("data_dir: %s\nhttp:\n  listen: %s\n", cfg.DataDir, d.ln.Addr())
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	reindex := func(token string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(ctx, []string{"reindex", "--config", cfgFile}, Env{Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) (string, bool) { return token, k == "MARKWATCH_TOKEN" && token != "" }})
		return code, out.String(), errOut.String()
	}

	code, _, stderr := reindex("")
	if code != 1 || !strings.Contains(stderr, "MARKWATCH_TOKEN") || !strings.Contains(stderr, "holds data_dir") {
		t.Fatalf("without a token: exit %d, %q; want 1 saying the daemon rebuilds and a token is needed", code, stderr)
	}
	code, _, stderr = reindex(testToken(t, d.db, "jianguan", domain.RoleSupervisor, ""))
	if code != 1 || !strings.Contains(stderr, "forbidden") {
		t.Fatalf("as a supervisor: exit %d, %q; want 1, forbidden", code, stderr)
	}
	code, stdout, stderr := reindex(testToken(t, d.db, "ops", domain.RoleOperator, ""))
	if code != 0 {
		if strings.Contains(stderr, "not_found") {
			t.Fatalf("the daemon serves no %s: wire Reindexer: d.reindexer() into httpapi.Deps in daemon_http.go (issue 14)\n%s", "POST /api/v1/admin/reindex", stderr)
		}
		t.Fatalf("as an operator: exit %d\n%s", code, stderr)
	}
	if want := fmt.Sprintf("reindexed %d hits", stored); !strings.Contains(stdout, want) || !strings.Contains(stdout, "through the daemon") {
		t.Fatalf("reindex said %q, want %q through the daemon", stdout, want)
	}

	var hits struct {
		Total int `json:"total"`
	}
	if c := getJSON(t, d.httpURL+"/api/v1/hits?limit=1", &hits, testToken(t, d.db, "root", domain.RoleAdmin, "")); c != 200 || hits.Total != stored {
		t.Fatalf("after the rebuild /api/v1/hits: status %d, total %d, want %d", c, hits.Total, stored)
	}
}
