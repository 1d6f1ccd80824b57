package index_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// facetHits: two owners' marks on two sources, in 河北 and 山东, with look-alike
// tactics, scores in every band and different prices and days.
func facetHits() []domain.Hit {
	mk := func(id int64, mark, source, title, seller, loc string, score, price float64, day int, tactics ...string) domain.Hit {
		h := hit(id, mark, title, score >= 0.75)
		h.SourceID, h.Seller, h.Location, h.Score, h.Price = source, seller, loc, score, price
		h.LastSeen = base.AddDate(0, 0, day)
		h.Reasons = nil
		for _, tc := range tactics {
			h.Reasons = append(h.Reasons, domain.Reason{Tactic: tc, Text: tc, Start: 0, End: 2})
		}
		return h
	}
	return []domain.Hit{
		mk(1, markA, "demo", "六个核桃 核桃乳 240ml*12罐", "养元旗舰店", "河北 衡水", 1.0, 59.9, 0, "exact"),
		mk(2, markA, "demo", "陆个核桃 核桃乳 整箱", "太行山货店", "河北 石家庄", 0.92, 29.9, 1, "sound"),
		mk(3, markA, "demo-pifa", "陆個核桃 批发 24罐", "太行山货店", "河北 石家庄", 0.85, 19.9, 2, "sound", "script"),
		mk(4, markA, "demo-pifa", "六仐核桃 特价", "临沂食品批发", "山东 临沂", 0.72, 9.9, 3, "shape"),
		mk(5, markB, "demo", "衡水老白干 67度 500ml", "衡水老酒坊", "河北 衡水", 0.95, 128, 6, "exact"),
		mk(6, markB, "demo-pifa", "衡水老自干 古法 整箱", "太行山货店", "河北 石家庄", 0.81, 49, 4, "shape"),
		mk(7, markB, "demo", "老白干 散装 5斤", "临沂食品批发", "山东 临沂", 0.5, 15, 5, "context"),
	}
}

// inOrder is the hits' ids in the order searched (ids sorts them).
func inOrder(hits []domain.Hit) []int64 {
	out := make([]int64, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func startFacets(t *testing.T) *index.Client {
	t.Helper()
	c, _ := indextest.Start(t)
	if err := c.Upsert(context.Background(), facetHits()); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchFilters(t *testing.T) {
	ctx := context.Background()
	c := startFacets(t)
	day := func(d int) time.Time { return base.AddDate(0, 0, d) }
	tests := []struct {
		name string
		q    string
		f    index.SearchFilter
		want []int64
	}{
		{"六个核桃 finds the mark's hits by its name", "六个核桃", index.SearchFilter{Sort: index.SortNewest}, []int64{1}},
		{"陆个核桃 finds the sound-alike, traditional 陆個 folded", "陆个核桃", index.SearchFilter{Sort: index.SortNewest}, []int64{3, 2}},
		{"衡水老白干 by score", "衡水老白干", index.SearchFilter{Sort: index.SortScore}, []int64{5}},
		{"two facets: a source and a province", "核桃", index.SearchFilter{SourceIDs: []string{"demo-pifa"}, Locations: []string{"河北"}}, []int64{3}},
		{"a city, not the province", "", index.SearchFilter{Locations: []string{"河北 石家庄"}, Sort: index.SortPrice}, []int64{3, 2, 6}},
		{"two marks, cheapest first", "", index.SearchFilter{MarkIDs: []string{markA, markB}, Sort: index.SortPrice}, []int64{4, 7, 3, 2, 6, 1, 5}},
		{"seller", "", index.SearchFilter{Sellers: []string{"太行山货店"}, Sort: index.SortScore}, []int64{2, 3, 6}},
		{"tactic", "", index.SearchFilter{Tactics: []string{"shape"}, Sort: index.SortScore}, []int64{6, 4}},
		{"status below the threshold", "", index.SearchFilter{Status: index.StatusBelow}, []int64{7, 4}},
		{"status alert and a band", "", index.SearchFilter{Status: index.StatusAlert, ScoreBands: []string{"80-90"}}, []int64{6, 3}},
		{"two bands", "", index.SearchFilter{ScoreBands: []string{"90-100", "0-70"}, Sort: index.SortScore}, []int64{1, 5, 2, 7}},
		{"date range: From inclusive, To exclusive", "", index.SearchFilter{From: day(1), To: day(3)}, []int64{3, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Search(ctx, tc.q, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			got := inOrder(res.Hits)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || res.Total != len(tc.want) || res.Estimated {
				t.Errorf("Search(%q, %+v) = %v (total %d, estimated %v), want %v", tc.q, tc.f, got, res.Total, res.Estimated, tc.want)
			}
		})
	}
	for _, f := range []index.SearchFilter{{Sort: "cheapest"}, {ScoreBands: []string{"0.9"}}, {Status: "open"}} {
		if _, err := c.Search(ctx, "", f); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Search(%+v) = %v, want EINVALID", f, err)
		}
	}
}

func TestSearchFacetCounts(t *testing.T) {
	ctx := context.Background()
	c := startFacets(t)
	res, err := c.Search(ctx, "", index.SearchFilter{Facets: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		index.FacetMark:      {markA: 4, markB: 3},
		index.FacetSource:    {"demo": 4, "demo-pifa": 3},
		index.FacetLocation:  {"河北": 5, "河北 衡水": 2, "河北 石家庄": 3, "山东": 2, "山东 临沂": 2},
		index.FacetTactic:    {"exact": 2, "sound": 2, "script": 1, "shape": 2, "context": 1},
		index.FacetStatus:    {index.StatusAlert: 5, index.StatusBelow: 2},
		index.FacetScoreBand: {"90-100": 3, "80-90": 2, "70-80": 1, "0-70": 1},
	}
	if !reflect.DeepEqual(res.Facets, want) || res.Total != 7 || len(res.Hits) != 1 {
		t.Errorf("facets over every hit (page of 1, total %d):\n got %v\nwant %v", res.Total, res.Facets, want)
	}

	// Narrowed by the query and a facet, the counts are of what matches.
	res, err = c.Search(ctx, "核桃", index.SearchFilter{Facets: true, Locations: []string{"河北"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Facets[index.FacetSource]; !reflect.DeepEqual(got, map[string]int{"demo": 2, "demo-pifa": 1}) || res.Total != 3 {
		t.Errorf("source counts of 核桃 in 河北 = %v (total %d), want demo 2, demo-pifa 1 (total 3)", got, res.Total)
	}

	// Without Facets nothing is counted.
	if res, err = c.Search(ctx, "", index.SearchFilter{}); err != nil || res.Facets != nil {
		t.Errorf("Search without Facets: facets %v, err %v; want none", res.Facets, err)
	}
}

// An owner's facet counts are of its own marks only: the counts go through
// the tenant token as the hits do, even when the request asks for the other
// owner's mark or sellers they share.
func TestSearchScopedFacetsHideOtherOwners(t *testing.T) {
	ctx := context.Background()
	c := startFacets(t)
	tests := []struct {
		name string
		f    index.SearchFilter
		want map[string]int // the mark facet
	}{
		{"every hit", index.SearchFilter{}, map[string]int{markA: 4}},
		{"the other owner's mark asked for", index.SearchFilter{MarkIDs: []string{markB}}, nil},
		{"a seller both owners' hits share", index.SearchFilter{Sellers: []string{"太行山货店"}}, map[string]int{markA: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Facets = true
			res, err := c.SearchScoped(ctx, "", tc.f, scopeA)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Facets[index.FacetMark]; len(got)+len(tc.want) > 0 && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("A's mark counts = %v, want %v", got, tc.want)
			}
			total := 0
			for _, n := range tc.want {
				total += n
			}
			for _, n := range res.Facets[index.FacetScoreBand] {
				total -= n
			}
			if total != 0 || res.Total != len(res.Hits) {
				t.Errorf("A's score band counts %v do not add up to its own hits %v", res.Facets[index.FacetScoreBand], tc.want)
			}
			for _, h := range res.Hits {
				if h.MarkID != markA {
					t.Errorf("A sees hit %d of %s", h.ID, h.MarkID)
				}
			}
		})
	}
	res, err := c.SearchScoped(ctx, "", index.SearchFilter{Facets: true}, domain.Scope{Restricted: true})
	if err != nil || res.Facets == nil || len(res.Facets) != 0 || res.Total != 0 {
		t.Errorf("a scope of no marks: facets %v, total %d, err %v; want empty counts", res.Facets, res.Total, err)
	}
}
