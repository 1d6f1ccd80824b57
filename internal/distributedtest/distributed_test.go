package distributedtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/pgtest"
)

// demoSources are the embedded demo marketplace's three platforms.
var demoSources = []string{"demo", "demo-pifa", "demo-youxuan"}

// TestSchedulerAPIAndThreeWorkersSurviveAWorkerKilledMidRun is issue 13's
// multi-process test: one scheduler, one api and three worker processes on
// one PostgreSQL crawl the demo marketplace's three platforms; the worker
// running the first run is killed with SIGKILL mid-run. Its job is rescued
// and retried to completion by another worker, its run is recorded as
// interrupted, and no listing or alert is stored twice.
func TestSchedulerAPIAndThreeWorkersSurviveAWorkerKilledMidRun(t *testing.T) {
	bin := markwatchBinary(t)
	dbURL := pgtest.Shared(t).NewDatabase(t)
	meili := indextest.StartServer(t, "", "")
	market := slowDemo(t, 120*time.Millisecond)
	cfg := writeConfig(t, dbURL, meili.URL(), meili.Key(), market)

	sched := start(t, bin, cfg, "", "scheduler", "scheduler")
	sched.field(t, "markwatch running", "role", 60*time.Second)
	api := start(t, bin, cfg, "", "api", "api")
	apiURL := api.field(t, "HTTP API listening", "url", 60*time.Second)
	workers := map[int]*proc{}
	for i := range 3 {
		w := start(t, bin, cfg, "", fmt.Sprintf("worker-%d", i+1), "worker")
		w.field(t, "markwatch running", "role", 60*time.Second)
		workers[w.cmd.Process.Pid] = w
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	token := operatorToken(t, bin, cfg)
	for _, id := range demoSources {
		runNow(t, apiURL, token, id)
	}

	// The first worker to be running a crawl job is killed mid-run.
	var victimPID int
	var victimJob int64
	waitFor(t, "a worker running a crawl job with pages fetched", 60*time.Second, func(ctx context.Context) (bool, error) {
		var by string
		err := db.QueryRowContext(ctx, `SELECT j.id, j.attempted_by[array_length(j.attempted_by, 1)]
			FROM river_job j WHERE j.kind = 'crawl_run' AND j.state = 'running'
			AND EXISTS (SELECT 1 FROM crawl_runs r WHERE r.status = 'running' AND r.pages > 0)
			ORDER BY j.id LIMIT 1`).Scan(&victimJob, &by)
		if err == sql.ErrNoRows {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		victimPID, err = strconv.Atoi(by[strings.LastIndex(by, "-")+1:])
		return err == nil, err
	})
	victim, ok := workers[victimPID]
	if !ok {
		t.Fatalf("job %d is attempted by pid %d, not one of the workers %v", victimJob, victimPID, workers)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	t.Logf("killed %s (pid %d) while it ran job %d", victim.name, victimPID, victimJob)

	// Every source's job completes, the killed one on a later attempt. The
	// demo's sources are also scheduled every ten minutes, so a slot the
	// scheduler plans while the test runs adds jobs of its own: wait until
	// none is left to run, not for a count.
	waitFor(t, "every crawl job completed", 150*time.Second, func(ctx context.Context) (bool, error) {
		var done, pending int
		err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'completed'),
			count(*) FILTER (WHERE state NOT IN ('completed', 'discarded', 'cancelled'))
			FROM river_job WHERE kind = 'crawl_run'`).Scan(&done, &pending)
		return done >= len(demoSources) && pending == 0, err
	})
	var attempt int
	var state string
	if err := db.QueryRow(`SELECT attempt, state FROM river_job WHERE id = $1`, victimJob).Scan(&attempt, &state); err != nil {
		t.Fatal(err)
	}
	if attempt < 2 || state != "completed" {
		t.Fatalf("the killed worker's job: attempt %d, %s; want it retried to completion", attempt, state)
	}

	checkRuns(t, db)
	checkStoredOnce(t, db)
}

// checkRuns: one run interrupted (the killed worker's), every source's
// newest run succeeded, none left running.
func checkRuns(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT source_id, status, end_reason FROM crawl_runs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	newest := map[string]string{}
	interrupted := 0
	var all []string
	for rows.Next() {
		var src, status, reason string
		if err := rows.Scan(&src, &status, &reason); err != nil {
			t.Fatal(err)
		}
		all = append(all, src+":"+status)
		newest[src] = status
		if status == "interrupted" {
			interrupted++
		}
		if status == "running" {
			t.Errorf("run of %s still running after every job completed", src)
		}
	}
	if interrupted != 1 {
		t.Errorf("%d interrupted runs, want the killed worker's one: %v", interrupted, all)
	}
	for _, id := range demoSources {
		if newest[id] != "succeeded" {
			t.Errorf("newest run of %s is %q, want succeeded: %v", id, newest[id], all)
		}
	}
}

// checkStoredOnce: no listing, hit or alert twice, and the crawl found
// look-alikes at all (a test storing nothing would pass the rest).
func checkStoredOnce(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []struct{ what, sql string }{
		{"listings", `SELECT count(*) FROM (SELECT source_id, url_key FROM listings GROUP BY 1, 2 HAVING count(*) > 1) d`},
		{"hits", `SELECT count(*) FROM (SELECT listing_id, mark_id FROM hits GROUP BY 1, 2 HAVING count(*) > 1) d`},
		{"alerts", `SELECT count(*) FROM (SELECT mark_id, url_key FROM alerts GROUP BY 1, 2 HAVING count(*) > 1) d`},
	} {
		var dup int
		if err := db.QueryRow(q.sql).Scan(&dup); err != nil {
			t.Fatal(err)
		}
		if dup != 0 {
			t.Errorf("%d %s stored more than once", dup, q.what)
		}
	}
	var listings, alerts int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM listings), (SELECT count(*) FROM alerts)`).Scan(&listings, &alerts); err != nil {
		t.Fatal(err)
	}
	if listings == 0 || alerts == 0 {
		t.Fatalf("%d listings, %d alerts stored; want the demo's look-alikes", listings, alerts)
	}
	t.Logf("%d listings, %d alerts, each stored once", listings, alerts)
}

// slowDemo serves the demo marketplace answering each request after
// latency, so a run lasts long enough to be killed in the middle.
func slowDemo(t *testing.T, latency time.Duration) string {
	t.Helper()
	h := demo.NewServer(demo.Options{}).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// writeConfig writes the one configuration every process reads, and the
// demo's source definitions pointed at market.
func writeConfig(t *testing.T, dbURL, meiliURL, meiliKey, market string) string {
	t.Helper()
	dir := t.TempDir()
	srcDir := filepath.Join(dir, "sources")
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range demoSources {
		b, err := os.ReadFile(filepath.Join("..", "..", "config", "sources", id+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		def := strings.Replace(string(b), "base_url: http://127.0.0.1:8089", "base_url: "+market, 1)
		if def == string(b) {
			t.Fatalf("%s.yaml has no base_url line to point at the test marketplace", id)
		}
		if err := os.WriteFile(filepath.Join(srcDir, id+".yaml"), []byte(def), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`log: {level: info, format: json}
http: {listen: "127.0.0.1:0"}
store: {url: %q}
meilisearch: {url: %q, api_key: %q, index: hits}
auth: {secret: "e2e-secret-shared-by-every-process"}
evidence: {dir: %q}
sources: {dir: %q, demo: {enabled: false}}
crawl: {allow_private_addresses: true, run_on_start: false}
jobs: {workers: 1, rescue_after: 20s, stop_timeout: 5s}
`, dbURL, meiliURL, meiliKey, filepath.Join(dir, "evidence"), srcDir)
	path := filepath.Join(dir, "markwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
