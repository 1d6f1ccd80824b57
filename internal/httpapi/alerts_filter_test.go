package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
)

// TestListAlertsFilters: every filter of the shared parameters reaches the
// store, answered within the asker's scope, and the status facet counts
// the same filter.
func TestListAlertsFilters(t *testing.T) {
	marks := []domain.Mark{{ID: "liugehetao", Kind: domain.KindTrademark}, {ID: "hengshui-laobaigan", Kind: domain.KindTimeHonoured}}
	h := newHarness(t, func(d *Deps) { d.Marks = marks })
	tests := []struct {
		token, query string
		ids          []int64
	}{
		{tokAdmin, "seller=某某食品专营店", []int64{1, 4}},
		{tokAdmin, "province=河北", []int64{3, 4}},
		{tokAdmin, "location=河北 石家庄", []int64{4}},
		{tokAdmin, "province=山东&location=河北 保定", []int64{1, 3}},
		{tokAdmin, "score=90-100", []int64{1, 3}},
		{tokAdmin, "score=80-90&score=70-80", []int64{2, 4}},
		{tokAdmin, "kind=time_honoured", []int64{2, 4}},
		{tokAdmin, "mark=liugehetao&mark=hengshui-laobaigan&seller=酒水批发", []int64{2}},
		{tokAdmin, "from=2026-11-25&to=2026-11-25", []int64{1, 2, 3, 4}},
		{tokAdmin, "from=2026-11-26", nil},
		{tokAdmin, "to=2026-11-24", nil},
		// Owner A asking for B's seller and mark finds nothing of B's.
		{tokOwnerA, "seller=某某食品专营店", []int64{1}},
		{tokOwnerA, "mark=hengshui-laobaigan", nil},
		{tokSupervisor, "province=河北", []int64{4}},
	}
	for _, tc := range tests {
		var got alertList
		if code, body := h.do(t, tc.token, http.MethodGet, "/api/v1/alerts?"+encodeRaw(tc.query), ""); code != http.StatusOK {
			t.Errorf("%s %s: %d %s", tc.token, tc.query, code, body)
			continue
		} else if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range got.Alerts {
			ids = append(ids, a.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.ids) || got.Total != len(tc.ids) {
			t.Errorf("%s ?%s: alerts %v total %d, want %v", tc.token, tc.query, ids, got.Total, tc.ids)
		}
		sum := 0
		for _, fc := range got.Facets[paramStatus] {
			sum += fc.Count
		}
		if sum != got.Total {
			t.Errorf("%s ?%s: status counts add to %d, total %d", tc.token, tc.query, sum, got.Total)
		}
	}
}

// TestAlertFilterReachesStore: what the store is asked, field by field.
func TestAlertFilterReachesStore(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Platforms = map[string]string{"taobao-search": "taobao", "jd-search": "jd"} })
	q := "platform=taobao&seller=太行山货店&province=河北&location=山东 临沂&score=90-100&from=2026-03-01&to=2026-03-02&sort=price&status=open" // to is a whole day: before 03-03
	if code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/alerts?"+encodeRaw(q)+"&facets=false", ""); code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	f := h.store.alertFilter
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, chinaTime)
	want := domain.AlertFilter{Status: domain.AlertOpen, Limit: f.Limit, Scope: f.Scope, SourceIDs: []string{"taobao-search"},
		Sellers: []string{"太行山货店"}, Locations: []string{"河北", "山东 临沂"}, Scores: []domain.ScoreRange{{Min: 0.9, Max: 2}},
		From: day, To: day.AddDate(0, 0, 2), Sort: domain.AlertSortPrice}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("store asked %+v\nwant %+v", f, want)
	}
	// A platform with no sources matches nothing, without asking.
	var got alertList
	h.getAs(t, tokAdmin, "/api/v1/alerts?platform=pinduoduo", &got)
	if got.Total != 0 || len(got.Alerts) != 0 {
		t.Errorf("an unknown platform answered %+v", got)
	}
}

// TestAlertScoreBandsAgreeWithIndex: the alert list's bands are the hit
// index's, so score=80-90 means the same on both lists.
func TestAlertScoreBandsAgreeWithIndex(t *testing.T) {
	var names []string
	for _, b := range index.ScoreBands() {
		names = append(names, b.Name)
		if got := alertScoreBands[b.Name]; got != (domain.ScoreRange{Min: b.Lo, Max: b.Hi}) {
			t.Errorf("band %s: alerts use %+v, the index [%v, %v)", b.Name, got, b.Lo, b.Hi)
		}
	}
	for name := range alertScoreBands {
		if !slices.Contains(names, name) {
			t.Errorf("alerts know band %s, the index does not", name)
		}
	}
}
