package distributedtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/index/indextest"
	"github.com/markwatch/markwatch/internal/pgtest"
)

// benchSources is how many sources share the work: four copies of each
// demo platform, each on its own host, so four workers have three runs
// each and the last round is not one worker finishing alone.
const benchSources = 12

// BenchmarkWorkerProcesses measures crawl throughput of a distributed
// installation with 1, 2 and 4 worker processes (jobs.workers: 1 each),
// one scheduler and one api, on a fresh database each time: every
// source's run is asked for at once through the api, and the time is
// from the first crawl_run job enqueued to the last one completed (River's
// own timestamps). pages/s counts result pages (crawl_runs.pages);
// market_req/s every request the marketplace answered in that time
// (detail pages, images, robots.txt, the scheduler's evidence captures).
// x_vs_1 is the ratio to workers=1's pages/s measured in the same run,
// target_x the 0.8×N it should reach. job_s is a run's mean duration,
// worker_busy the share of the time the workers had a job.
//
// CPU is read from /proc for every process the benchmark started:
// worker_cpu_ms/page is the workers' CPU per page; worker_runq_ms/page the
// time their threads were ready but waited for a core; install_cpu_ms/page
// the workers, scheduler, api, postgres and meilisearch together;
// market_cpu_ms/page this process (the marketplace, the log readers).
// cores_busy is all of that over the elapsed time, machine_cores_busy the
// whole machine's, others' work included (2 is all of it).
//
// Where it stops scaling on this 2-core machine, and why. Three runs
// (x_vs_1 for 2 and 4 workers; workers=1 20.6–27.0 pages/s): 1.67 and
// 2.33, 1.71 and 3.73, 1.83 and 2.37; at quieter moments, the machine
// no busier than this benchmark made it, 1.88 and 3.38, and 3.10 for 4.
// One run is bound by politeness, not CPU: the pacer's 20ms between two
// requests to a host caps a source at 50 requests/s, which a demo run
// (72 result pages and about as many detail pages, images and robots.txt
// in 3s) reaches; one worker then keeps only half a core busy. A worker
// costs a constant 5.5–6.8ms of CPU per page at every N, the whole
// installation 8.4–13, the marketplace another 4.4–6.6: on an idle
// 2-core machine this setup would stop scaling near 2 cores / ~15ms ≈ 130
// pages/s, five workers' worth. This machine was not idle: the whole of
// it was busy (machine_cores_busy ≈ 2.0 in most runs, this benchmark
// using 0.4–1.0 of it), and the workers' threads waited for a core two
// to five times as long as they ran (11–52ms per page), more so with
// more workers; so 4 workers reach the 3.2 target only when the others
// sharing the machine are quiet, and the ratio moves with their load, not
// with markwatch. About a tenth more is lost to granularity: 12 runs of
// 0.7–3s over 4 workers, the first jobs taken up to 0.5s after they are
// enqueued, the last round leaving a worker idle (worker_busy 0.74–0.95).
//
//	go test -run '^$' -bench BenchmarkWorkerProcesses -benchtime 1x ./internal/distributedtest/
func BenchmarkWorkerProcesses(b *testing.B) {
	env := benchEnv{
		bin:    markwatchBinary(b),
		pg:     pgtest.Shared(b),
		market: newBenchMarket(b, benchSources, 20*time.Millisecond),
	}
	meili := indextest.StartServer(b, "", "")
	env.meiliURL, env.meiliKey = meili.URL(), meili.Key()
	var base float64 // workers=1's pages/s in this run; 0 when filtered out
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			var sum benchResult
			runs := 0
			for b.Loop() {
				sum.add(env.crawlAll(b, n))
				runs++
			}
			r := sum.perRun(runs)
			if n == 1 {
				base = r.pagesPerSecond()
			}
			r.report(b, n, base)
		})
	}
}

// benchEnv is what every sub-benchmark shares: the binary, the
// PostgreSQL cluster (a database of its own per run), Meilisearch (an
// index of its own per run) and the marketplace.
type benchEnv struct {
	bin                string
	pg                 *pgtest.Cluster
	meiliURL, meiliKey string
	market             *benchMarket
}

// benchResult is one measured run, or the sum of several.
type benchResult struct {
	pages, requests int64
	elapsed         time.Duration
	busy            time.Duration // the jobs' run times summed
	cpu             cpuSample
}

func (r *benchResult) add(o benchResult) {
	r.pages += o.pages
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.busy += o.busy
	if r.cpu.by == nil {
		r.cpu.by, r.cpu.runq = map[string]time.Duration{}, map[string]time.Duration{}
	}
	for who, d := range o.cpu.by {
		r.cpu.by[who] += d
	}
	for who, d := range o.cpu.runq {
		r.cpu.runq[who] += d
	}
	r.cpu.machine += o.cpu.machine
}

func (r benchResult) perRun(runs int) benchResult {
	out := benchResult{pages: r.pages / int64(runs), requests: r.requests / int64(runs),
		elapsed: r.elapsed / time.Duration(runs), busy: r.busy / time.Duration(runs), cpu: cpuSample{by: map[string]time.Duration{}, runq: map[string]time.Duration{}, machine: r.cpu.machine / time.Duration(runs)}}
	for who, d := range r.cpu.by {
		out.cpu.by[who] = d / time.Duration(runs)
	}
	for who, d := range r.cpu.runq {
		out.cpu.runq[who] = d / time.Duration(runs)
	}
	return out
}

// pagesPerSecond is the throughput the benchmark is about.
func (r benchResult) pagesPerSecond() float64 { return float64(r.pages) / r.elapsed.Seconds() }

// report reports r, measured with n workers, and its ratio to base, the
// pages/s of one worker in the same benchmark run (0: not measured).
func (r benchResult) report(b *testing.B, n int, base float64) {
	pps := r.pagesPerSecond()
	b.ReportMetric(0, "ns/op") // a run's time is not a per-op figure
	b.ReportMetric(pps, "pages/s")
	b.ReportMetric(float64(r.requests)/r.elapsed.Seconds(), "market_req/s")
	b.ReportMetric(r.busy.Seconds()/benchSources, "job_s")
	b.ReportMetric(r.busy.Seconds()/(float64(n)*r.elapsed.Seconds()), "worker_busy")
	if base > 0 {
		b.ReportMetric(pps/base, "x_vs_1")
		b.ReportMetric(0.8*float64(n), "target_x")
	} else {
		b.Log("workers=1 did not run in this benchmark: no ratio to it")
	}
	all := time.Duration(0)
	for _, d := range r.cpu.by {
		all += d
	}
	perPage := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(r.pages) }
	b.ReportMetric(perPage(r.cpu.by["worker"]), "worker_cpu_ms/page")
	b.ReportMetric(perPage(r.cpu.runq["worker"]), "worker_runq_ms/page")
	b.ReportMetric(perPage(all-r.cpu.by["market"]), "install_cpu_ms/page")
	b.ReportMetric(perPage(r.cpu.by["market"]), "market_cpu_ms/page")
	b.ReportMetric(all.Seconds()/r.elapsed.Seconds(), "cores_busy")
	b.ReportMetric(r.cpu.machine.Seconds()/r.elapsed.Seconds(), "machine_cores_busy")
	b.Logf("workers=%d: %d pages, %d requests in %v; CPU by process: %v", n, r.pages, r.requests,
		r.elapsed.Round(time.Millisecond), r.cpu.by)
}

// crawlAll starts a scheduler, an api and n workers on a fresh database,
// runs every source once, stops them and returns what it measured.
func (e benchEnv) crawlAll(b *testing.B, n int) benchResult {
	b.Helper()
	dir := b.TempDir()
	srcDir := filepath.Join(dir, "sources")
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		b.Fatal(err)
	}
	ids := writeBenchSources(b, srcDir, e.market.urls)
	dbURL := e.pg.NewDatabase(b)
	cfg := writeBenchConfig(b, dir, dbURL, e.meiliURL, e.meiliKey, fmt.Sprintf("bench_%d_%d", n, time.Now().UnixNano()), srcDir)

	roles := map[int]string{}
	sched := start(b, e.bin, cfg, dir, "scheduler", "scheduler")
	api := start(b, e.bin, cfg, dir, "api", "api")
	procs := []*proc{sched, api}
	roles[sched.cmd.Process.Pid], roles[api.cmd.Process.Pid] = "scheduler", "api"
	for i := range n {
		w := start(b, e.bin, cfg, dir, fmt.Sprintf("worker-%d", i+1), "worker")
		procs = append(procs, w)
		roles[w.cmd.Process.Pid] = "worker"
	}
	apiURL := api.field(b, "HTTP API listening", "url", 60*time.Second)
	for _, p := range procs {
		p.field(b, "markwatch running", "role", 60*time.Second)
	}
	token := operatorToken(b, e.bin, cfg)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	before, err := sampleCPU(roles)
	if err != nil {
		b.Fatal(err)
	}
	requests := e.market.requests.Load()
	for _, id := range ids {
		runNow(b, apiURL, token, id)
	}
	waitFor(b, "every source's crawl job completed", 150*time.Second, func(ctx context.Context) (bool, error) {
		var done, failed int
		err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'completed'),
			count(*) FILTER (WHERE state IN ('retryable', 'discarded', 'cancelled') OR cardinality(errors) > 0)
			FROM river_job WHERE kind = 'crawl_run'`).Scan(&done, &failed)
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d crawl jobs failed an attempt: the figures would include retries", failed)
		}
		return done == len(ids), err
	})
	after, err := sampleCPU(roles)
	if err != nil {
		b.Fatal(err)
	}
	r := benchResult{requests: e.market.requests.Load() - requests, cpu: after.since(before)}
	stopAll(b, procs)

	var secs, busy float64
	if err := db.QueryRow(`SELECT EXTRACT(EPOCH FROM max(finalized_at) - min(created_at))::float8,
		EXTRACT(EPOCH FROM sum(finalized_at - attempted_at))::float8
		FROM river_job WHERE kind = 'crawl_run'`).Scan(&secs, &busy); err != nil {
		b.Fatal(err)
	}
	r.elapsed = time.Duration(secs * float64(time.Second))
	r.busy = time.Duration(busy * float64(time.Second))
	var runs, succeeded, hits int
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'succeeded'),
		coalesce(sum(pages), 0), coalesce(sum(hits), 0) FROM crawl_runs`).Scan(&runs, &succeeded, &r.pages, &hits); err != nil {
		b.Fatal(err)
	}
	if runs != len(ids) || succeeded != runs || r.pages == 0 || hits == 0 {
		b.Fatalf("%d runs, %d succeeded, %d pages, %d hits; want %d runs succeeded, finding the demo's look-alikes",
			runs, succeeded, r.pages, hits, len(ids))
	}
	return r
}

// stopGrace is how long a process has to exit on SIGTERM, nothing running
// by then (stop_timeout is 5s), before it is killed so the next
// sub-benchmark starts on time.
const stopGrace = 10 * time.Second

// stopAll stops every process at once and waits for them, logging those
// that had to be killed. A scheduler killed here costs nothing: the next
// run has a database of its own.
func stopAll(b *testing.B, procs []*proc) {
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() {
			if stop(p, stopGrace) {
				b.Logf("%s did not exit within %v of SIGTERM: killed", p.name, stopGrace)
			}
		})
	}
	wg.Wait()
}

// writeBenchConfig is writeConfig for the benchmark: its own sources
// directory and Meilisearch index, one job at a time per worker.
func writeBenchConfig(tb testing.TB, dir, dbURL, meiliURL, meiliKey, index, srcDir string) string {
	tb.Helper()
	cfg := fmt.Sprintf(`log: {level: info, format: json}
http: {listen: "127.0.0.1:0"}
store: {url: %q}
meilisearch: {url: %q, api_key: %q, index: %s}
auth: {secret: "bench-secret-shared-by-every-process"}
evidence: {dir: %q}
sources: {dir: %q, demo: {enabled: false}}
crawl: {allow_private_addresses: true, run_on_start: false}
jobs: {workers: 1, rescue_after: 60s, stop_timeout: 5s}
`, dbURL, meiliURL, meiliKey, index, filepath.Join(dir, "evidence"), srcDir)
	path := filepath.Join(dir, "markwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
