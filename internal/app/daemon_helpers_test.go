package app

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/config"

	"github.com/markwatch/markwatch/internal/domain"
)

// startAfterFirstCrawl starts the daemon on cfg, waits for its first crawl
// run to end and returns it with that run; the daemon stops when the test
// ends.
func startAfterFirstCrawl(t *testing.T, cfg config.Config) (*daemon, domain.CrawlRun) {
	t.Helper()
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zap.NewNop(), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.stop(context.Background()) })
	return d, within(t, runs, 90*time.Second, "the first crawl run")
}
