package httpapi

import (
	"context"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

var _ HitSearcher = (*Client)(nil)

// A total at the index's counting cap is said to be an estimate, and an
// exact one is said to be exact: total_estimated is always in the answer
// (issue 11 fault 6).
func TestSearchHitsTotalEstimated(t *testing.T) {
	cases := []struct {
		name      string
		q         string
		maxTotal  int // the index's cap; 0 counts everything
		total     int
		estimated bool
	}{
		{"exact: 核桃 matches two", "核桃", 0, 2, false},
		{"exact: under the cap", "核桃", 3, 2, false},
		{"every hit, counted to the cap", "", 3, 3, true},
		{"every hit, cap not reached", "", 4, 4, false},
		{"衡水老白干 past a cap of none", "衡水", 0, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.hits.maxTotal = tc.maxTotal
			var raw map[string]any
			resp := h.get(t, "/api/v1/hits?"+url.Values{"q": {tc.q}}.Encode(), &raw)
			est, present := raw["total_estimated"]
			if resp.StatusCode != 200 || raw["total"] != float64(tc.total) || !present || est != tc.estimated {
				t.Fatalf("got %d %v, want total %d, total_estimated %v", resp.StatusCode, raw, tc.total, tc.estimated)
			}
		})
	}
}

// The typed client sends the query as the server reads it and reads the
// total and whether it is an estimate back.
func TestClientSearchHits(t *testing.T) {
	h := newHarness(t, nil)
	h.hits.maxTotal = 3
	ctx := context.Background()
	ids := func(hs []domain.Hit) []int64 {
		out := []int64{}
		for _, x := range hs {
			out = append(out, x.ID)
		}
		return out
	}

	c := NewClient(h.srv.URL, tokOperator, h.srv.Client())
	res, err := c.SearchHits(ctx, "", HitQuery{Limit: 2, Offset: 1}, domain.Unrestricted)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(res.Hits), []int64{11, 12}) || res.Total != 3 || !res.Estimated {
		t.Errorf("second page at the cap = %+v, want hits 11, 12 of an estimated 3", res)
	}
	if h.hits.q != "" || !reflect.DeepEqual(h.hits.query, HitQuery{Limit: 2, Offset: 1}) {
		t.Errorf("searcher got q=%q %+v", h.hits.q, h.hits.query)
	}

	res, err = c.SearchHits(ctx, "核桃", HitQuery{MarkID: "liugehetao", AlertOnly: true}, domain.Unrestricted)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(res.Hits), []int64{10}) || res.Total != 1 || res.Estimated {
		t.Errorf("六个核桃 alerts = %+v, want hit 10, exactly 1", res)
	}
	if h.hits.q != "核桃" || h.hits.query.MarkID != "liugehetao" || !h.hits.query.AlertOnly {
		t.Errorf("searcher got q=%q %+v", h.hits.q, h.hits.query)
	}

	// The scope is the token's, whatever the caller passes.
	owner := NewClient(h.srv.URL, tokOwnerA, h.srv.Client())
	res, err = owner.SearchHits(ctx, "", HitQuery{}, domain.Unrestricted)
	if err != nil {
		t.Fatal(err)
	}
	if !h.hits.scope.Restricted || !slices.Equal(ids(res.Hits), []int64{10}) {
		t.Errorf("owner of 六个核桃 searched with scope %+v and got %+v", h.hits.scope, res)
	}

	if _, err := c.SearchHits(ctx, string(make([]rune, maxQueryRunes+1)), HitQuery{}, domain.Unrestricted); codeOf(err) != domain.EINVALID {
		t.Errorf("overlong query: %v (code %q)", err, codeOf(err))
	}
}
