package index_test

import (
	"context"
	"fmt"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// The drain keeps several tasks in flight: two updates of one hit in
// different tasks must end with the later one in the index, also when the
// earlier task fails and its entries are retried after the queue is empty.
func TestDrainKeepsLaterUpdateOfAHit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		failsFirst bool // the task with the older state also carries a refused entry
	}{
		{"both tasks succeed", false},
		{"older task fails", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, _ := indextest.Start(t)
			older := hit(7, "lincheng-walnut", "临城薄皮核桃 旧款 3斤装", false)
			newer := hit(7, "lincheng-walnut", "临城薄皮核桃 新款 5斤装", true)
			other := hit(8, "hengshui-laobaigan", "衡水老白干 67度", false)
			refused := hit(0, "hengshui-laobaigan", "衡水老白干 拒收", false) // id 0: never a stored hit
			first := domain.OutboxEntry{ID: 2, Op: domain.OutboxUpsert, HitID: 8, Hit: other}
			if tc.failsFirst {
				first = domain.OutboxEntry{ID: 2, Op: domain.OutboxUpsert, HitID: 9, Hit: refused}
			}
			ob := &pagerOutbox{memOutbox{failed: map[int64]string{}, entries: []domain.OutboxEntry{
				{ID: 1, Op: domain.OutboxUpsert, HitID: 7, Hit: older},
				first,
				{ID: 3, Op: domain.OutboxUpsert, HitID: 8, Hit: other},
				{ID: 4, Op: domain.OutboxUpsert, HitID: 7, Hit: newer},
			}}}
			// Two entries a task, all queued before the first is waited on.
			opts := fastIndexer
			opts.BatchSize, opts.TaskSize, opts.InFlight = 2, 2, 8
			err := index.NewIndexer(c, ob, zaptest.NewLogger(t), opts).Flush(ctx)
			if tc.failsFirst != (err != nil) {
				t.Fatalf("Flush = %v", err)
			}
			for q, want := range map[string]string{"新款": "[7]", "旧款": "[]", "老白干": "[8]"} {
				res, err := c.Search(ctx, q, index.SearchFilter{})
				if err != nil || fmt.Sprint(ids(res.Hits)) != want {
					t.Errorf("Search(%q) = %v, %v; want %s", q, ids(res.Hits), err, want)
				}
			}
			res, err := c.Search(ctx, "临城", index.SearchFilter{})
			if err != nil || len(res.Hits) != 1 || !res.Hits[0].Alert {
				t.Errorf("hit 7 = %+v, %v; want the newer state (alert)", res.Hits, err)
			}
			wantLeft := 0
			if tc.failsFirst {
				wantLeft = 1
			}
			if len(ob.entries) != wantLeft || tc.failsFirst && (ob.entries[0].ID != 2 || ob.failed[2] == "") {
				t.Errorf("left %+v, failed %v; want only the refused entry, with its error", ob.entries, ob.failed)
			}
		})
	}
}
