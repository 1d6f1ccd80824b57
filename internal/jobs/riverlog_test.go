package jobs

import (
	"log/slog"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestRiverLogger: River's slog lines reach zap at their level, with
// attributes, groups as dotted keys, and below the logger's level dropped.
func TestRiverLogger(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	log := newRiverLogger(zap.New(core))
	log.Debug("dropped")
	log.With("client_id", "worker-1").WithGroup("job").Error("Job errored",
		slog.Int64("id", 42), slog.String("kind", "crawl_run"), slog.Duration("took", time.Second),
		slog.Group("args", slog.String("source_id", "taobao/六个核桃")))
	entries := logs.AllUntimed()
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1: %v", len(entries), entries)
	}
	e := entries[0]
	if e.Level != zap.ErrorLevel || e.Message != "Job errored" || e.LoggerName != "river" {
		t.Errorf("entry %v %q %q", e.Level, e.Message, e.LoggerName)
	}
	want := map[string]any{
		"client_id": "worker-1", "job.id": int64(42), "job.kind": "crawl_run",
		"job.took": time.Second, "job.args.source_id": "taobao/六个核桃",
	}
	got := e.ContextMap()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("field %s = %v (%T), want %v", k, got[k], got[k], v)
		}
	}
}
