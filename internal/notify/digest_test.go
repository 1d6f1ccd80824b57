package notify

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestGroupRows(t *testing.T) {
	nine := cst(2026, 12, 2, 9, 0, 0)
	ten := nine.Add(time.Hour)
	row := func(id, sub int64, due time.Time) domain.Notification {
		return domain.Notification{ID: id, SubscriptionID: sub, DueAt: due, IdempotencyKey: "mw-alert-" + strconv.FormatInt(id, 10) + "-s" + strconv.FormatInt(sub, 10)}
	}
	digest := func(sub int64) bool { return sub >= 10 } // subscriptions 10+ send digests
	unix := strconv.FormatInt(nine.Unix(), 10)
	type want struct {
		key string
		ids []int64
	}
	tests := []struct {
		name string
		rows []domain.Notification
		full bool
		want []want
	}{
		{"immediate rows go alone", []domain.Notification{row(1, 1, nine), row(2, 1, nine)}, false,
			[]want{{"mw-alert-1-s1", []int64{1}}, {"mw-alert-2-s1", []int64{2}}}},
		{"a digest per subscription and due time", []domain.Notification{row(1, 10, nine), row(2, 1, nine), row(3, 10, nine), row(4, 11, nine), row(5, 10, ten)}, false,
			[]want{{"mw-digest-s10-" + unix, []int64{1, 3}}, {"mw-alert-2-s1", []int64{2}}, {"mw-digest-s11-" + unix, []int64{4}},
				{"mw-digest-s10-" + strconv.FormatInt(ten.Unix(), 10), []int64{5}}}},
		{"a full page defers the digest it ends in", []domain.Notification{row(1, 1, nine), row(2, 10, nine), row(3, 10, nine)}, true,
			[]want{{"mw-alert-1-s1", []int64{1}}}},
		{"a full page ending in an immediate row sends everything", []domain.Notification{row(2, 10, nine), row(3, 1, nine)}, true,
			[]want{{"mw-digest-s10-" + unix, []int64{2}}, {"mw-alert-3-s1", []int64{3}}}},
		{"a digest filling the page goes as a part", []domain.Notification{row(7, 10, nine), row(8, 10, nine)}, true,
			[]want{{"mw-digest-s10-" + unix + "-n7", []int64{7, 8}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []want
			for _, b := range groupRows(tt.rows, tt.full, digest) {
				got = append(got, want{b.key, b.ids()})
			}
			if !slices.EqualFunc(got, tt.want, func(a, b want) bool { return a.key == b.key && slices.Equal(a.ids, b.ids) }) {
				t.Errorf("groupRows = %v, want %v", got, tt.want)
			}
		})
	}
}
