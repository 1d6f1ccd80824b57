package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestAlertsByWordsGoThroughTheHitIndex: q and tactic on /api/v1/alerts
// keep the alerts of the alerting hits the index finds (it normalises the
// words), asked in the caller's scope; a match too wide for one answer is
// refused with what to narrow, never cut short.
func TestAlertsByWordsGoThroughTheHitIndex(t *testing.T) {
	h := newHarness(t, nil)
	h.store.mu.Lock()
	for i := range h.store.alerts {
		h.store.alerts[i].HitID = int64(100 + h.store.alerts[i].ID)
	}
	h.store.mu.Unlock()
	h.hits.mu.Lock()
	h.hits.hits = []domain.Hit{
		{ID: 101, MarkID: "liugehetao", Title: "六個核桃 核桃乳 240ml*12罐 整箱", Location: "山东 临沂", Alert: true, Score: 0.93},
		{ID: 103, MarkID: "liugehetao", Title: "六介核桃 植物蛋白饮料", Location: "河北 保定", Alert: true, Score: 0.9},
		{ID: 104, MarkID: "hengshui-laobaigan", Title: "衡水老白干 古法20 整箱特价", Location: "河北 石家庄", Alert: true, Score: 0.81},
	}
	h.hits.mu.Unlock()

	ids := func(body []byte) []int64 {
		var l alertList
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range l.Alerts {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tc := range []struct {
		tok, query string
		want       []int64
	}{
		{tokAdmin, "q=核桃", []int64{1, 3}},
		{tokAdmin, "q=整箱", []int64{1, 4}},
		{tokAdmin, "q=整箱&mark=hengshui-laobaigan", []int64{4}},
		{tokAdmin, "q=茅台", nil},
		// owner B sees its own mark's alert, never owner A's, whatever the words
		{tokOwnerB, "q=整箱", []int64{4}},
		{tokOwnerB, "q=核桃", nil},
	} {
		code, body := h.do(t, tc.tok, http.MethodGet, "/api/v1/alerts?"+encodeRaw(tc.query), "")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.query, code, body)
		}
		if got := ids(body); !slices.Equal(got, tc.want) {
			t.Errorf("%s as %s: alerts %v, want %v", tc.query, tc.tok, got, tc.want)
		}
	}
	h.hits.mu.Lock()
	asked, scope := h.hits.query, h.hits.scope
	h.hits.mu.Unlock()
	if asked.Status != "alert" || !scope.Restricted {
		t.Errorf("the index was asked %+v in scope %+v; want alerting hits in owner B's scope", asked, scope)
	}

	// A word matching more alerting hits than one answer holds is refused.
	h.hits.mu.Lock()
	h.hits.maxTotal = 1
	h.hits.mu.Unlock()
	code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/alerts?"+encodeRaw("q=整箱")+"&tactic=script", "")
	if code != http.StatusBadRequest || !strings.Contains(string(body), "add words or filters") {
		t.Errorf("too wide a match: %d %s, want 400 saying to narrow it", code, body)
	}
}
