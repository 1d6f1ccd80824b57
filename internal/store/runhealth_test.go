package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestRunHealthRoundTrip records a healthy and a degraded run and reads them
// back: health survives, only the healthy one is a yardstick, and the
// degraded one wrote its audit entry in the same transaction.
func TestRunHealthRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	db := openTest(t, clock)

	healthy := &domain.RunHealth{Pages: 6, Listings: 54, ListingsPerPage: 9,
		EmptyFields: map[string]int{"image": 2}, Unmatched: []string{"title: a.title@title"}}
	degraded := &domain.RunHealth{Pages: 6, PagesAuto: 6, Listings: 54, ListingsPerPage: 9,
		EmptyFields: map[string]int{"seller": 54}, Unmatched: []string{"item: ul.result-list li.result-item"},
		AutoItems: []string{"div.goods-grid > div.goods-card"},
		Reasons:   []string{`item selector "ul.result-list li.result-item" matched nothing: 6 of 6 pages read by auto-detection`}}
	var ids []int64
	for _, h := range []*domain.RunHealth{healthy, degraded, nil} {
		run, err := db.StartRun(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		run.Status, run.Pages, run.Listings, run.Health = domain.RunSucceeded, 6, 30, h
		run.Degraded = h != nil && len(h.Reasons) > 0
		if err := db.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	runs, err := db.ListRuns(ctx, "demo", 10)
	if err != nil || len(runs) != 3 {
		t.Fatalf("ListRuns = %d runs, %v", len(runs), err)
	}
	if runs[2].Degraded || !reflect.DeepEqual(runs[2].Health, healthy) {
		t.Errorf("healthy run read back as degraded=%v %+v", runs[2].Degraded, runs[2].Health)
	}
	if !runs[1].Degraded || !reflect.DeepEqual(runs[1].Health, degraded) {
		t.Errorf("degraded run read back as degraded=%v %+v", runs[1].Degraded, runs[1].Health)
	}
	if runs[0].Degraded || runs[0].Health != nil {
		t.Errorf("run without health read back as degraded=%v %+v", runs[0].Degraded, runs[0].Health)
	}

	recent, err := db.RecentHealthyRuns(ctx, "demo", 5)
	if err != nil || len(recent) != 1 || recent[0].ID != ids[0] || !reflect.DeepEqual(recent[0].Health, healthy) {
		t.Fatalf("RecentHealthyRuns = %+v, %v; want only run %d", recent, err, ids[0])
	}

	es, n, err := db.ListAudit(ctx, domain.AuditFilter{Action: AuditSourceDegraded})
	if err != nil || n != 1 || es[0].Object != "source:demo" || es[0].Actor.Name != domain.SystemActor.Name {
		t.Fatalf("degraded audit = %+v (%d), %v", es, n, err)
	}
	var after struct {
		RunID   int64    `json:"run_id"`
		Reasons []string `json:"reasons"`
	}
	if err := json.Unmarshal(es[0].After, &after); err != nil || after.RunID != ids[1] ||
		len(after.Reasons) != 1 || !strings.Contains(after.Reasons[0], "ul.result-list li.result-item") {
		t.Errorf("degraded audit after = %s, %v", es[0].After, err)
	}
}

// TestFinishRunDegradedOnlyWhenSucceeded: a failed run is not "degraded",
// it failed; the flag is not stored and no audit entry is written.
func TestFinishRunDegradedOnlyWhenSucceeded(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, newClock())
	run, err := db.StartRun(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.Degraded = domain.RunFailed, true
	run.Health = &domain.RunHealth{Pages: 1, Reasons: []string{"x"}}
	if err := db.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	runs, err := db.ListRuns(ctx, "demo", 1)
	if err != nil || runs[0].Degraded {
		t.Errorf("failed run read back degraded=%v, %v", runs[0].Degraded, err)
	}
	if got := countRows(t, db, "audit_log"); got != 0 {
		t.Errorf("audit rows = %d, want 0", got)
	}
}

// TestMigrateVersion4KeepsRuns upgrades a schema-4 database with recorded
// runs: they keep their ids and counters, read as not degraded with no
// health, and are no yardstick for new runs.
func TestMigrateVersion4KeepsRuns(t *testing.T) {
	sqliteOnly(t, "upgrades a SQLite file written by an older schema (PostgreSQL starts at the current schema)")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v4.db")
	buildOldDatabase(t, path, 4,
		`INSERT INTO sources (id, schedule, created_at) VALUES ('demo', '@every 6h', 1700000000000)`,
		`INSERT INTO crawl_runs (id, source_id, status, started_at, finished_at, pages, listings, hits, alerts, errors, end_reason)
			VALUES (41, 'demo', 'succeeded', 1700000000000, 1700000060000, 6, 34, 9, 3, '{"http_5xx":1}', 'done')`,
	)
	db, err := Open(ctx, path, Options{RecordHash: testRecordHash})
	if err != nil {
		t.Fatalf("Open(v4) = %v", err)
	}
	defer db.Close()
	var v int
	if err := db.sql.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != SchemaVersion() || v < 5 {
		t.Fatalf("schema version = %d, %v; want %d", v, err, SchemaVersion())
	}
	runs, err := db.ListRuns(ctx, "demo", 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns after migrating = %+v, %v", runs, err)
	}
	r := runs[0]
	if r.ID != 41 || r.Status != domain.RunSucceeded || r.Pages != 6 || r.Listings != 34 || r.Hits != 9 ||
		r.Alerts != 3 || r.Errors["http_5xx"] != 1 || r.EndReason != "done" || r.Degraded || r.Health != nil {
		t.Errorf("run after migrating = %+v", r)
	}
	if recent, err := db.RecentHealthyRuns(ctx, "demo", 5); err != nil || len(recent) != 0 {
		t.Errorf("RecentHealthyRuns after migrating = %+v, %v; want none (no health recorded)", recent, err)
	}
}
