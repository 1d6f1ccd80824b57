package index_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

var base = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func hit(id int64, mark, title string, alert bool) domain.Hit {
	return domain.Hit{
		ID: id, ListingID: id * 10, SourceID: "demo", MarkID: mark, Title: title,
		URL: fmt.Sprintf("https://demo.local/item/%d", id), Seller: "太行山货店", Location: "河北 邢台",
		Price: 59.9, Score: 0.5 + float64(id)/100, Alert: alert,
		Reasons:   []domain.Reason{{Tactic: "exact", Text: "标题含商标名称", Start: 0, End: 2}},
		FirstSeen: base, LastSeen: base.Add(time.Duration(id) * time.Minute),
	}
}

func ids(hits []domain.Hit) []int64 {
	out := make([]int64, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.ID)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestSearchChineseTitles(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	hits := []domain.Hit{
		hit(1, "lincheng-walnut", "临城薄皮核桃 2025新货 5斤装", true),
		hit(2, "lincheng-walnut", "纸皮核桃仁 原味", false),
		hit(3, "hengshui-laobaigan", "衡水老白干 67度 500ml", true),
		hit(4, "laoganma", "老干妈风味豆豉 辣椒酱", false),
		hit(5, "lincheng-walnut", "臨城核桃禮盒 傳統工藝", true), // traditional script
		hit(6, "jinmailang", "今麦郎 方便面 ５连包", false),     // full-width digit
		hit(7, "lincheng-walnut", "核桃ソフト 临城产", true),   // kana in a Chinese title
	}
	if err := c.Upsert(ctx, hits); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		q      string
		filter index.SearchFilter
		want   []int64
	}{
		{"simplified word", "核桃", index.SearchFilter{}, []int64{1, 2, 5, 7}},
		{"traditional query finds simplified titles", "臨城核桃", index.SearchFilter{}, []int64{1, 5, 7}},
		{"all words must match, no noise", "老白幹", index.SearchFilter{}, []int64{3}},
		{"full-width digits fold", "5连包", index.SearchFilter{}, []int64{6}},
		{"mark filter", "核桃", index.SearchFilter{MarkID: "lincheng-walnut"}, []int64{1, 2, 5, 7}},
		{"alert only", "核桃", index.SearchFilter{AlertOnly: true}, []int64{1, 5, 7}},
		{"source filter", "核桃", index.SearchFilter{SourceID: "elsewhere"}, []int64{}},
		{"quotes in a filter value stay a value", "", index.SearchFilter{MarkID: `x" OR mark_id != "y`}, []int64{}},
		{"empty query lists everything", "", index.SearchFilter{}, []int64{1, 2, 3, 4, 5, 6, 7}},
		{"nothing", "茅台", index.SearchFilter{}, []int64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Search(ctx, tc.q, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Hits); fmt.Sprint(got) != fmt.Sprint(tc.want) || res.Total != len(tc.want) {
				t.Errorf("Search(%q, %+v) = %v (total %d), want %v", tc.q, tc.filter, got, res.Total, tc.want)
			}
		})
	}

	res, err := c.Search(ctx, "", index.SearchFilter{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 || res.Hits[0].ID != 6 || res.Hits[1].ID != 5 || res.Total != 7 {
		t.Errorf("newest-first page = %v (total %d), want [6 5] of 7", ids(res.Hits), res.Total)
	}
	got := res.Hits[0]
	want := hits[5]
	if got.Title != want.Title || !got.LastSeen.Equal(want.LastSeen) || got.Score != want.Score ||
		len(got.Reasons) != 1 || got.Reasons[0] != want.Reasons[0] || got.URL != want.URL {
		t.Errorf("round trip: got %+v\nwant %+v", got, want)
	}
}

func TestUpsertReplacesAndDeleteRemoves(t *testing.T) {
	ctx := context.Background()
	c, _ := indextest.Start(t)
	h := hit(1, "lincheng-walnut", "临城核桃", false)
	if err := c.Upsert(ctx, []domain.Hit{h}); err != nil {
		t.Fatal(err)
	}
	h.Title, h.Alert = "临城核桃 特级", true
	if err := c.Upsert(ctx, []domain.Hit{h, hit(2, "m", "核桃仁", false)}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, "核桃", index.SearchFilter{AlertOnly: true})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Title != "临城核桃 特级" {
		t.Fatalf("after replace: %+v, %v", res, err)
	}
	if err := c.Delete(ctx, []int64{1, 99}); err != nil {
		t.Fatal(err)
	}
	res, err = c.Search(ctx, "核桃", index.SearchFilter{})
	if err != nil || fmt.Sprint(ids(res.Hits)) != "[2]" {
		t.Fatalf("after delete: %v, %v; want [2]", ids(res.Hits), err)
	}
	if err := c.Upsert(ctx, []domain.Hit{{Title: "no id"}}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Upsert(hit without id) = %v, want EINVALID", err)
	}
}

func TestSearchRejectsBadPaging(t *testing.T) {
	c, _ := indextest.Start(t)
	for _, f := range []index.SearchFilter{{Limit: -1}, {Offset: -1}, {Limit: index.MaxLimit + 1}} {
		if _, err := c.Search(context.Background(), "核桃", f); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Search(%+v) = %v, want EINVALID", f, err)
		}
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	c, err := index.NewClient("http://127.0.0.1:1", "key", index.ClientOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, err := range map[string]error{
		"healthy": c.Healthy(ctx),
		"upsert":  c.Upsert(ctx, []domain.Hit{hit(1, "m", "核桃", false)}),
		"search": func() error {
			_, err := c.Search(ctx, "核桃", index.SearchFilter{})
			return err
		}(),
	} {
		if !index.IsUnavailable(err) || domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("%s: %v: want an unavailable error with code %s", name, err, domain.EUNAVAILABLE)
		}
	}
}
