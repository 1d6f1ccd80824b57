package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/markwatch/markwatch/internal/domain"
)

// metric finds the series of name with exactly labels in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			return m
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return nil
}

func histogramCount(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) uint64 {
	t.Helper()
	return metric(t, reg, name, labels).GetHistogram().GetSampleCount()
}

// TestMetrics: queue depth by kind and state from river_job, with empty
// pairs at zero; wait and duration per execution.
func TestMetrics(t *testing.T) {
	url := newDB(t)
	reg := prometheus.NewRegistry()
	runner := runnerFunc(func(_ context.Context, id string, _ time.Time) error {
		if id == "gone/迁西板栗" {
			return domain.Errorf(domain.ENOTFOUND, "no source %s", id)
		}
		return nil
	})
	q := newQueue(t, url, Options{Work: true, Runner: runner, Registerer: reg})
	slot := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, id := range []string{"taobao/六个核桃", "gone/迁西板栗"} {
		if _, err := q.Enqueue(t.Context(), Slot{id, slot}); err != nil {
			t.Fatal(err)
		}
	}
	depth := func(kind, state string) float64 {
		return metric(t, reg, "markwatch_jobs", map[string]string{"kind": kind, "state": state}).GetGauge().GetValue()
	}
	eventually(t, 10*time.Second, "one completed and one cancelled", func() bool {
		return depth("crawl_run", "completed") == 1 && depth("crawl_run", "cancelled") == 1
	})
	if n := depth("crawl_run", "available"); n != 0 {
		t.Errorf("%v crawl jobs available, want 0", n)
	}
	if n := depth("schedule_tick", "available"); n != 0 {
		t.Errorf("%v ticks available, want 0 (and the series present)", n)
	}
	if n := histogramCount(t, reg, "markwatch_job_wait_seconds", nil); n != 2 {
		t.Errorf("%d waits observed, want 2", n)
	}
	for result, want := range map[string]uint64{"ok": 1, "error": 1, "snoozed": 0} {
		if n := histogramCount(t, reg, "markwatch_job_duration_seconds", map[string]string{"kind": "crawl_run", "result": result}); n != want {
			t.Errorf("%d crawl_run executions with result %s, want %d", n, result, want)
		}
	}
}
