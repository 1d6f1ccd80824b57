package index_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
)

// TestSearchRequestFindsWhatSearchScopedFinds: the request a benchmark sends
// straight to Meilisearch as its baseline must be the daemon's own, scope
// filter, query normalisation, paging and fields included, or the baseline
// measures a different search.
func TestSearchRequestFindsWhatSearchScopedFinds(t *testing.T) {
	ctx := context.Background()
	c, server := startOwners(t)
	raw := ms.New(server.URL(), ms.WithAPIKey(server.Key()))
	tests := []struct {
		name  string
		q     string
		f     index.SearchFilter
		scope domain.Scope
		want  []int64
	}{
		{"words, unrestricted", "核桃", index.SearchFilter{}, domain.Unrestricted, []int64{1, 2, 3, 5}},
		{"traditional query is normalised", "老白幹", index.SearchFilter{}, domain.Unrestricted, []int64{4, 5, 6}},
		{"mark and alert filter, newest first", "", index.SearchFilter{MarkID: markA, AlertOnly: true}, domain.Unrestricted, []int64{1, 3}},
		{"jurisdiction is in the request filter", "核桃", index.SearchFilter{}, domain.Scope{Jurisdiction: "河北 石家庄"}, []int64{1, 5}},
		{"owner's marks are in the request filter", "核桃", index.SearchFilter{}, scopeA, []int64{1, 2, 3}},
		{"a page past the first", "", index.SearchFilter{Limit: 2, Offset: 1}, domain.Unrestricted, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := c.SearchScoped(ctx, tc.q, tc.f, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && fmt.Sprint(ids(want.Hits)) != fmt.Sprint(tc.want) {
				t.Fatalf("SearchScoped = %v, want %v", ids(want.Hits), tc.want)
			}
			query, req, err := c.SearchRequest(tc.q, tc.f, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			body, err := raw.Index(c.IndexName()).SearchRaw(ctx, query, req)
			if err != nil {
				t.Fatalf("sending SearchRequest(%q) to Meilisearch: %v", tc.q, err)
			}
			var got struct {
				Hits      []map[string]any `json:"hits"`
				TotalHits int              `json:"totalHits"`
			}
			if err := json.Unmarshal(*body, &got); err != nil {
				t.Fatal(err)
			}
			// The page may hold hits before the window (pageWindow); the
			// window's ids must be Search's, in Search's order.
			var gotIDs []int64
			for _, h := range got.Hits {
				if _, ok := h["title_norm"]; ok {
					t.Errorf("the request retrieves title_norm, which Search leaves on the server")
				}
				gotIDs = append(gotIDs, int64(h["hit_id"].(float64)))
			}
			skip := tc.f.Offset - int(req.Page-1)*int(*req.HitsPerPage)
			var wantIDs []int64
			for _, h := range want.Hits {
				wantIDs = append(wantIDs, h.ID)
			}
			if fmt.Sprint(gotIDs[skip:skip+len(wantIDs)]) != fmt.Sprint(wantIDs) || got.TotalHits != want.Total {
				t.Errorf("straight to Meilisearch: %v (total %d), SearchScoped: %v (total %d)", gotIDs, got.TotalHits, wantIDs, want.Total)
			}
		})
	}
	if _, _, err := c.SearchRequest("核桃", index.SearchFilter{Limit: index.MaxLimit + 1}, domain.Unrestricted); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("SearchRequest with limit %d: %v, want EINVALID", index.MaxLimit+1, err)
	}
}
