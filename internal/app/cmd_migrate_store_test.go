package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/pgtest"
	"github.com/markwatch/markwatch/internal/store"
)

// TestMigrateStoreCopiesAndVerifies: an installation's SQLite store is
// copied into PostgreSQL with its alerts, printed table by table, and a
// second copy into the now non-empty target is refused with nothing kept.
func TestMigrateStoreCopiesAndVerifies(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "markwatch.db")
	src, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	batch := []store.ListingMatches{
		{Listing: domain.Listing{SourceID: "demo", Platform: "demo", Title: "陆个核桃 核桃乳 240ml*20罐 整箱", URL: "http://127.0.0.1:8089/item/7", Seller: "鑫源副食批发部", Price: 39.9},
			Matches: []domain.Match{{MarkID: "liugehetao", Score: 0.93, Alert: true, Reasons: []domain.Reason{{Tactic: "sound", Text: "陆个核桃"}}}}},
		{Listing: domain.Listing{SourceID: "demo", Platform: "demo", Title: "衡水老白干 67度 500ml", URL: "http://127.0.0.1:8089/item/8", Seller: "衡水老白干官方旗舰店", Price: 88},
			Matches: []domain.Match{{MarkID: "hengshui-laobaigan", Score: 1}}},
	}
	if _, err := src.SaveListings(ctx, batch); err != nil {
		t.Fatal(err)
	}
	_, wantAlerts, err := src.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	to := pgtest.Start(t).NewDatabase(t)

	// The first run names the target with --to, the second takes it from
	// MARKWATCH_STORE_URL, which keeps the password out of the process list.
	run := func(args []string, getenv func(string) (string, bool)) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(ctx, append([]string{"migrate-store", "--from", "sqlite:" + path}, args...), Env{
			Stdout: &out, Stderr: &errOut, Getenv: getenv,
		})
		return code, out.String(), errOut.String()
	}
	noEnv := func(string) (string, bool) { return "", false }
	code, out, errOut := run([]string{"--to", to}, noEnv)
	if code != 0 {
		t.Fatalf("migrate-store exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"listings", "alerts", "hits", "copied and verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	dst, err := store.OpenURL(ctx, to, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alerts, n, err := dst.ListAlerts(ctx, domain.AlertFilter{})
	dst.Close()
	if err != nil || n != wantAlerts || n == 0 || alerts[0].Title != batch[0].Listing.Title {
		t.Fatalf("target alerts %d (%v), want the source's %d with its title", n, err, wantAlerts)
	}

	code, out, errOut = run(nil, func(k string) (string, bool) { return to, k == "MARKWATCH_STORE_URL" })
	if code == 0 || !strings.Contains(errOut, "not empty") || strings.Contains(out, "copied and verified") {
		t.Fatalf("a second copy into a filled target: exit %d\n%s\n%s; want it refused as not empty", code, out, errOut)
	}
}

func TestMigrateStoreRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"migrate-store"},
		{"migrate-store", "--from", "/var/lib/markwatch.db", "--to", "postgres://db/markwatch"},
		{"migrate-store", "--from", "sqlite:/x.db", "--to", "mysql://db/markwatch"},
	} {
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) (string, bool) { return "", false }}); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut.String())
		}
	}
}
