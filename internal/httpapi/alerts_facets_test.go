package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// facetingStore is the memory store with the store's facet counts.
type facetingStore struct {
	*memStore
	asked domain.AlertFilter
}

func (s *facetingStore) CountAlertFacets(_ context.Context, f domain.AlertFilter) (map[string]map[string]int, error) {
	s.asked = f
	return map[string]map[string]int{
		"mark":     {"liugehetao": 2},
		"source":   {"taobao": 1, "taobao-tmall": 1},
		"score":    {"90-100": 2},
		"location": {"山东 临沂": 1, "河北 保定": 1},
	}, nil
}

// TestAlertListCountsLikeTheHitSearch: with a store that counts, alerts
// answer mark, source, platform, score and province counts named as the
// hit search names them, under the caller's filter and scope.
func TestAlertListCountsLikeTheHitSearch(t *testing.T) {
	var fs *facetingStore
	h := newHarness(t, func(d *Deps) {
		fs = &facetingStore{memStore: d.Alerts.(*memStore)}
		d.Alerts = fs
		d.Platforms = map[string]string{"taobao": "taobao", "taobao-tmall": "taobao"}
	})
	code, body := h.do(t, tokOwnerA, http.MethodGet, "/api/v1/alerts?"+encodeRaw("score=90-100"), "")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var l alertList
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	want := map[string][]FacetCount{
		paramMark:     {{"liugehetao", 2}},
		paramPlatform: {{"taobao", 2}},
		paramScore:    {{"90-100", 2}},
		paramProvince: {{"山东", 1}, {"河北", 1}},
	}
	for facet, w := range want {
		got := l.Facets[facet]
		if len(got) != len(w) {
			t.Errorf("facet %s = %v, want %v", facet, got, w)
			continue
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("facet %s = %v, want %v", facet, got, w)
			}
		}
	}
	if !fs.asked.Scope.Restricted || len(fs.asked.Scores) != 1 {
		t.Errorf("counted under %+v; want owner A's scope and the score filter", fs.asked)
	}
}
