package notify

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestRecordCountsAndLogsFailuresOnce(t *testing.T) {
	m, reg := newMetrics(t)
	core, logs := observer.New(zap.InfoLevel)
	s := &script{name: "dingtalk", results: []result{{}, {retry: true, err: errors.New("giving up after 5 attempts: 503")}}}
	r := NewRecord(s, m, zap.New(core))

	if counter(t, reg, "markwatch_notify_failed_total", "dingtalk") != 0 {
		t.Error("failure series should exist at zero before any failure")
	}
	if _, err := r.Notify(context.Background(), alertsWithIDs(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	retry, err := r.Notify(context.Background(), alertsWithIDs(4, 5))
	if err == nil || !retry {
		t.Fatalf("Notify = %v, %v; want the receiver's outcome passed through", retry, err)
	}
	if got := counter(t, reg, "markwatch_notify_sent_total", "dingtalk"); got != 3 {
		t.Errorf("sent = %v, want 3", got)
	}
	if got := counter(t, reg, "markwatch_notify_failed_total", "dingtalk"); got != 2 {
		t.Errorf("failed = %v, want 2", got)
	}
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log entries at info and above, want the one failure: %v", len(entries), entries)
	}
	f := entries[0].ContextMap()
	if f["receiver"] != "dingtalk" || f["alerts"] != int64(2) || f["retryable"] != true || f["error"] == nil {
		t.Errorf("failure logged with %v", f)
	}
}
