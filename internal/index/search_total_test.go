package index_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// manyHits are 1,500 hits, more than Meilisearch counts by default (1,000):
// every fifth a 衡水老白干 look-alike, the rest 临城核桃.
func manyHits() []domain.Hit {
	out := make([]domain.Hit, 0, 1500)
	for i := int64(1); i <= 1500; i++ {
		if i%5 == 0 {
			out = append(out, hit(i, "hengshui-laobaigan", fmt.Sprintf("衡水老白干 %d号 67度", i), true))
		} else {
			out = append(out, hit(i, "lincheng-walnut", fmt.Sprintf("临城薄皮核桃 %d号 5斤装", i), i%2 == 0))
		}
	}
	return out
}

// Totals past 1,000 are exact, and pages past the 1,000th hit answer, at
// aligned and unaligned offsets alike.
func TestSearchTotalsPastOneThousand(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	if err := c.Upsert(ctx, manyHits()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		q             string
		f             index.SearchFilter
		total, onPage int
	}{
		{"newest first", "", index.SearchFilter{}, 1500, index.DefaultLimit},
		{"walnut look-alikes", "核桃", index.SearchFilter{Limit: 50}, 1200, 50},
		{"walnut, last page", "临城核桃", index.SearchFilter{Limit: 20, Offset: 1180}, 1200, 20},
		{"past the end", "核桃", index.SearchFilter{Limit: 20, Offset: 1200}, 1200, 0},
		{"deep page, unaligned", "", index.SearchFilter{Limit: 10, Offset: 1495}, 1500, 5},
		{"deep page, odd window", "", index.SearchFilter{Limit: 7, Offset: 1103}, 1500, 7},
		{"laobaigan", "老白干", index.SearchFilter{Limit: 100}, 300, 100},
		{"alert filter", "核桃", index.SearchFilter{AlertOnly: true, Limit: 1000}, 600, 600},
		{"mark filter deep", "", index.SearchFilter{MarkID: "lincheng-walnut", Limit: 30, Offset: 1170}, 1200, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Search(ctx, tc.q, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tc.total || res.Estimated {
				t.Errorf("total %d (estimated %v), want exactly %d", res.Total, res.Estimated, tc.total)
			}
			if len(res.Hits) != tc.onPage {
				t.Errorf("%d hits on the page, want %d", len(res.Hits), tc.onPage)
			}
		})
	}

	// Pages cut at any offset join up to the same list as one request.
	whole, err := c.Search(ctx, "", index.SearchFilter{Limit: 30, Offset: 1100})
	if err != nil {
		t.Fatal(err)
	}
	var joined []int64
	for _, w := range [][2]int{{1100, 7}, {1107, 13}, {1120, 10}} {
		res, err := c.Search(ctx, "", index.SearchFilter{Offset: w[0], Limit: w[1]})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			joined = append(joined, h.ID)
		}
	}
	if fmt.Sprint(joined) != fmt.Sprint(hitIDs(whole.Hits)) {
		t.Errorf("pages 1100+7, 1107+13, 1120+10 = %v\nwant the window 1100+30 = %v", joined, hitIDs(whole.Hits))
	}
}

// A collection larger than the index counts to has its total marked as an
// estimate (a lower bound) rather than passed off as exact.
func TestSearchTotalBeyondCountMarkedEstimate(t *testing.T) {
	ctx := context.Background()
	_, server := indextest.Start(t)
	c, err := index.NewClient(server.URL(), server.Key(), index.ClientOptions{
		IndexName: "capped_" + fmt.Sprint(time.Now().UnixNano()), MaxTotalHits: 1200,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplySettings(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DropIndex(context.Background()) })
	if err := c.Upsert(ctx, manyHits()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q         string
		total     int
		estimated bool
	}{
		{"", 1200, true},
		{"核桃", 1200, true},
		{"老白干", 300, false},
	} {
		res, err := c.Search(ctx, tc.q, index.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tc.total || res.Estimated != tc.estimated {
			t.Errorf("Search(%q): total %d estimated %v, want %d estimated %v", tc.q, res.Total, res.Estimated, tc.total, tc.estimated)
		}
	}
}

func hitIDs(hits []domain.Hit) []int64 {
	out := make([]int64, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}
