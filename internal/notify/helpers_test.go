package notify

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
)

// result is one scripted answer of a fake receiver.
type result struct {
	retry bool
	err   error
}

// script is a fake receiver: it answers from results in order (the last one
// repeats) and records every batch it was given.
type script struct {
	name    string
	results []result

	mu      sync.Mutex
	batches [][]domain.Alert
}

func (s *script) Name() string { return s.name }

func (s *script) Notify(_ context.Context, alerts []domain.Alert) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, alerts)
	if len(s.results) == 0 {
		return false, nil
	}
	r := s.results[min(len(s.batches), len(s.results))-1]
	return r.retry, r.err
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batches)
}

func (s *script) ids() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, b := range s.batches {
		ids = append(ids, alertIDs(b)...)
	}
	return ids
}

func alertsWithIDs(ids ...int64) []domain.Alert {
	out := make([]domain.Alert, len(ids))
	for i, id := range ids {
		out[i] = domain.Alert{ID: id, MarkID: "liugehetao", Title: "六个核桃 高仿 核桃乳", URL: "http://m.test/" + string(rune('a'+i))}
	}
	return out
}

// counter reads one series of a counter or gauge from reg.
func counter(t interface{ Fatalf(string, ...any) }, reg *prometheus.Registry, name, receiver string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "receiver" && l.GetValue() == receiver {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{receiver=%q} not registered", name, receiver)
	return 0
}

func newMetrics(t interface {
	Fatalf(string, ...any)
}) (*Metrics, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatalf("NewMetrics: %v", err)
	}
	return m, reg
}
