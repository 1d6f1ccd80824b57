package notify

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestDedup(t *testing.T) {
	fail := result{retry: true, err: errors.New("503")}
	tests := []struct {
		name    string
		size    int
		batches [][]int64
		results []result // per call of the receiver; empty: all succeed
		want    []int64  // ids the receiver was given, in order
	}{
		{name: "a repeat is suppressed", batches: [][]int64{{1, 2}, {2, 3}, {1}},
			want: []int64{1, 2, 3}},
		{name: "twice in one batch", batches: [][]int64{{4, 4, 5}},
			want: []int64{4, 5}},
		{name: "a failed delivery is not remembered", batches: [][]int64{{1}, {1}, {1}},
			results: []result{fail, {}, {}}, want: []int64{1, 1}},
		{name: "unstored alerts are always sent", batches: [][]int64{{0}, {0}},
			want: []int64{0, 0}},
		{name: "the oldest is forgotten past the bound", size: 2, batches: [][]int64{{1, 2}, {3}, {1}, {3}},
			want: []int64{1, 2, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{name: "hook", results: tt.results}
			d := NewDedup(s, tt.size)
			for _, b := range tt.batches {
				_, _ = d.Notify(context.Background(), alertsWithIDs(b...))
			}
			if got := s.ids(); !slices.Equal(got, tt.want) {
				t.Errorf("receiver got %v, want %v", got, tt.want)
			}
		})
	}
}

// Being delivered to one receiver says nothing about another.
func TestDedupIsPerReceiver(t *testing.T) {
	dingtalk, wecom := &script{name: "dingtalk"}, &script{name: "wecom"}
	receivers := []Notifier{NewDedup(dingtalk, 0), NewDedup(wecom, 0)}
	for range 2 {
		for _, r := range receivers {
			_, _ = r.Notify(context.Background(), alertsWithIDs(9))
		}
	}
	if !slices.Equal(dingtalk.ids(), []int64{9}) || !slices.Equal(wecom.ids(), []int64{9}) {
		t.Errorf("dingtalk got %v, wecom got %v; want alert 9 once each", dingtalk.ids(), wecom.ids())
	}
}
