package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestDaemonSchedulesOperatorsTune drives the daemon as an operator would:
// change a schedule and pause through the CLI, restart, and find both kept.
func TestDaemonSchedulesOperatorsTune(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	bin := needMeilisearch(t)
	cfg := testConfig(t, bin)
	cfg.Crawl.RunOnStart = false
	start := func() *daemon {
		d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := start()
	c := &sourcesCLI{api: d.httpURL, token: testToken(t, d.db, "ops", domain.RoleOperator, "")}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"schedule", "demo", "*/7 * * * *"}, `demo: schedule now "*/7 * * * *"`},
		{[]string{"schedule", "demo", "0 99 * * *"}, "not a valid cron spec"},
		{[]string{"pause", "demo"}, "demo: paused"},
	} {
		_, out, errOut := c.run(step.args...)
		if !strings.Contains(out+errOut, step.want) {
			t.Fatalf("%v: %q%q lacks %q", step.args, out, errOut, step.want)
		}
	}
	d.stop(context.Background())

	// Restart with runs on start: the paused source must not be among them.
	cfg.Crawl.RunOnStart = true
	runs := make(chan domain.CrawlRun, 1)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	if e, _ := entryOf(d.sched, demoSourceID); e.Running || !e.Paused {
		t.Fatalf("paused source after restart with run_on_start: %+v, want paused and not running", e)
	}
	c.api = d.httpURL
	_, out, _ := c.run("show", "demo")
	if !strings.Contains(out, "*/7 * * * *") || !strings.Contains(out, "paused") {
		t.Fatalf("after restart:\n%s", out)
	}
	if _, out, errOut := c.run("run", "demo"); !strings.Contains(out, "run started") {
		t.Fatalf("run now while paused: %q %q", out, errOut)
	}
	select {
	case r := <-runs:
		if r.Status != domain.RunSucceeded {
			t.Fatalf("run: %+v", r)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("triggered run did not finish within 60s")
	}
	_, out, _ = c.run("runs", "demo")
	if !strings.Contains(out, "succeeded") {
		t.Errorf("runs:\n%s", out)
	}
}
