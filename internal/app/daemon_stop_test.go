package app

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/datadir"
)

func TestStopStackStopsInReverse(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var s stopStack
	var order []string
	for _, name := range []string{"数据目录 lock", "store", "demo marketplace", "scheduler"} {
		s.push(name, func(context.Context) error {
			order = append(order, name)
			if name == "demo marketplace" {
				return errors.New("address already closed")
			}
			return nil
		})
	}
	s.run(context.Background(), zap.New(core))
	if want := []string{"scheduler", "demo marketplace", "store", "数据目录 lock"}; !slices.Equal(order, want) {
		t.Errorf("stopped %v, want %v (reverse of start, past a part that failed to stop)", order, want)
	}
	if n := logs.FilterMessage("stopping demo marketplace").FilterLevelExact(zapcore.WarnLevel).Len(); n != 1 {
		t.Errorf("%d warnings for the part that failed to stop, want 1", n)
	}
	s.run(context.Background(), zap.New(core))
	if len(order) != 4 {
		t.Errorf("a second stop stopped again: %v", order)
	}
}

// stoppedParts reads the parts the daemon stopped, in order, from its log.
func stoppedParts(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.FilterMessage("stopped").All() {
		out = append(out, e.ContextMap()["part"].(string))
	}
	return out
}

// TestStartFailureStopsWhatStarted: a start that fails half-way (http.listen
// taken by another process, after the store, the background goroutines and
// the demo are up) stops exactly what it started, newest first, and leaves
// the data dir and the demo's port free for the next attempt.
func TestStartFailureStopsWhatStarted(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := testConfig(t, "")
	cfg.Meilisearch.URL = "http://127.0.0.1:1" // external and down: search waits, the daemon starts
	cfg.HTTP.Listen = taken.Addr().String()
	core, logs := observer.New(zapcore.DebugLevel)

	d, err := startDaemon(context.Background(), cfg, zap.New(core), nil)
	if err == nil || !strings.Contains(err.Error(), "listening on http.listen") {
		d.stop(context.Background())
		t.Fatalf("start with http.listen taken: %v, want the listen error", err)
	}
	want := []string{"index outbox and background goroutines", "demo marketplace", "background goroutines", "store", "data dir lock"}
	if got := stoppedParts(logs); !slices.Equal(got, want) {
		t.Errorf("stopped %v, want %v", got, want)
	}
	lock, err := datadir.Acquire(cfg.DataDir)
	if err != nil {
		t.Fatalf("data dir still held after the failed start: %v", err)
	}
	mustDo(t, lock.Release)
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(d.demoBase, "http://"), time.Second); err == nil {
		c.Close()
		t.Errorf("the demo marketplace still answers on %s after the failed start", d.demoBase)
	}
	if _, err := d.db.GetSource(context.Background(), demoSourceID); err == nil {
		t.Error("the store still answers after the failed start")
	}
}

// TestStopOrder: a daemon that started stops every part, the reverse of
// the order they started in.
func TestStopOrder(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Meilisearch.URL = "http://127.0.0.1:1"
	cfg.Crawl.RunOnStart = false
	core, logs := observer.New(zapcore.DebugLevel)
	d, err := startDaemon(context.Background(), cfg, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	d.stop(context.Background())
	want := []string{"scheduler", "HTTP server", "reindex", "HTTP listener", "index outbox and background goroutines",
		"demo marketplace", "background goroutines", "store", "data dir lock"}
	if got := stoppedParts(logs); !slices.Equal(got, want) {
		t.Errorf("stopped %v, want %v", got, want)
	}
}
