package store

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestQueryAlertsByHits: ByHits keeps the alerts of the hits the index
// found for words or a tactic, none when it found none, and the scope
// still applies.
func TestQueryAlertsByHits(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	a := mustSave(t, db, walnut("https://item.taobao.com/item.htm?id=601"), match("lincheng-hetao", 0.92, true))
	b := mustSave(t, db, walnut("https://item.taobao.com/item.htm?id=602"), match("lincheng-hetao", 0.88, true))
	if len(a.NewAlerts) != 1 || len(b.NewAlerts) != 1 {
		t.Fatalf("alerts raised: %d, %d; want one each", len(a.NewAlerts), len(b.NewAlerts))
	}
	for _, tc := range []struct {
		name string
		f    domain.AlertFilter
		want int
	}{
		{"one hit", domain.AlertFilter{ByHits: true, HitIDs: []int64{a.Hits[0].ID}}, 1},
		{"both", domain.AlertFilter{ByHits: true, HitIDs: []int64{a.Hits[0].ID, b.Hits[0].ID}}, 2},
		{"the index found none", domain.AlertFilter{ByHits: true}, 0},
		{"not by hits", domain.AlertFilter{}, 2},
		{"out of scope", domain.AlertFilter{ByHits: true, HitIDs: []int64{a.Hits[0].ID},
			Scope: domain.Scope{Restricted: true, MarkIDs: []string{"hengshui-laobaigan"}}}, 0},
	} {
		got, total, err := db.QueryAlerts(ctx, tc.f)
		if err != nil || total != tc.want || len(got) != tc.want {
			t.Errorf("%s: %d alerts (total %d), %v; want %d", tc.name, len(got), total, err, tc.want)
		}
		if tc.name == "one hit" && len(got) == 1 && got[0].HitID != a.Hits[0].ID {
			t.Errorf("one hit: alert of hit %d, want %d", got[0].HitID, a.Hits[0].ID)
		}
	}
}
