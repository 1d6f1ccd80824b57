package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/index"
	"github.com/markwatch/markwatch/internal/index/indextest"
)

// indexSearcher is the daemon's adapter from HitQuery to the index, by
// conversion: the two types have the same fields, and this compiling is
// the proof.
type indexSearcher struct{ c *index.Client }

func (s indexSearcher) SearchHits(ctx context.Context, q string, f HitQuery, scope domain.Scope) (HitResult, error) {
	res, err := s.c.SearchScoped(ctx, q, index.SearchFilter(f), scope)
	return HitResult(res), err
}

// The index's facet names are the ones HitResult documents.
func TestFacetNamesAreTheIndexs(t *testing.T) {
	got := []string{FacetMark, FacetSource, FacetLocation, FacetTactic, FacetStatus, FacetScoreBand}
	want := []string{index.FacetMark, index.FacetSource, index.FacetLocation, index.FacetTactic, index.FacetStatus, index.FacetScoreBand}
	if !slices.Equal(got, want) {
		t.Errorf("httpapi facets %v, index facets %v", got, want)
	}
}

var searchMarks = []domain.Mark{
	{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: userOwnerA.Owner},
	{ID: "hengshui-laobaigan", Name: "衡水老白干", Kind: domain.KindTimeHonoured, Owner: userOwnerB.Owner},
	{ID: "zanhuang-dazao", Name: "赞皇大枣", Kind: domain.KindGI},
}

func searchHitsData() []domain.Hit {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	mk := func(id int64, mark, source, title, seller, loc string, score float64, day int, tactic string) domain.Hit {
		return domain.Hit{ID: id, ListingID: id, SourceID: source, MarkID: mark, Title: title, Seller: seller, Location: loc,
			URL: "https://demo.local/item/" + title, Price: float64(id), Score: score, Alert: score >= 0.75,
			Reasons:   []domain.Reason{{Tactic: tactic, Text: tactic, Start: 0, End: 2}},
			FirstSeen: at, LastSeen: at.AddDate(0, 0, day)}
	}
	return []domain.Hit{
		mk(1, "liugehetao", "demo", "六个核桃 核桃乳 240ml*12罐", "养元旗舰店", "河北 衡水", 1, 0, "exact"),
		mk(2, "liugehetao", "demo", "陆个核桃 核桃乳 整箱", "太行山货店", "河北 石家庄", 0.92, 1, "sound"),
		mk(3, "liugehetao", "demo-pifa", "陆個核桃 批发 24罐", "太行山货店", "河北 石家庄", 0.85, 2, "sound"),
		mk(4, "liugehetao", "demo-pifa", "六仐核桃 特价", "临沂食品批发", "山东 临沂", 0.72, 3, "shape"),
		mk(5, "hengshui-laobaigan", "demo", "衡水老白干 67度 500ml", "衡水老酒坊", "河北 衡水", 0.95, 4, "exact"),
		mk(6, "hengshui-laobaigan", "demo-pifa", "衡水老自干 古法 整箱", "太行山货店", "河北 石家庄", 0.81, 5, "shape"),
		mk(7, "zanhuang-dazao", "jd", "赞皇大枣 核桃 礼盒", "太行山货店", "河北 石家庄", 0.9, 6, "exact"),
	}
}

// newSearchHarness serves /api/v1/hits from a real Meilisearch holding
// searchHitsData, demo-pifa on platform pifa.
func newSearchHarness(t *testing.T) *harness {
	t.Helper()
	c, _ := indextest.Start(t)
	if err := c.Upsert(context.Background(), searchHitsData()); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, func(d *Deps) {
		d.Hits = indexSearcher{c}
		d.Marks = searchMarks
		d.Platforms = map[string]string{"demo": "demo", "demo-pifa": "pifa", "jd": "jd"}
	})
}

type searchAnswer struct {
	Hits   []domain.Hit `json:"hits"`
	Total  int          `json:"total"`
	Facets Facets       `json:"facets"`
}

func (a searchAnswer) ids() []int64 {
	out := []int64{}
	for _, h := range a.Hits {
		out = append(out, h.ID)
	}
	return out
}

func (a searchAnswer) facet(name string) map[string]int {
	m := map[string]int{}
	for _, fc := range a.Facets[name] {
		m[fc.Value] = fc.Count
	}
	return m
}

func searchAs(t *testing.T, h *harness, token string, v url.Values) (int, searchAnswer, string) {
	t.Helper()
	code, body := h.do(t, token, http.MethodGet, "/api/v1/hits?"+v.Encode(), "")
	var a searchAnswer
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
	}
	return code, a, string(body)
}

func TestSearchHitsFiltersAgainstMeilisearch(t *testing.T) {
	h := newSearchHarness(t)
	tests := []struct {
		name string
		v    url.Values
		want []int64
	}{
		{"六个核桃", url.Values{"q": {"六个核桃"}}, []int64{1}},
		{"陆个核桃 finds the traditional 陆個 too, newest first", url.Values{"q": {"陆个核桃"}, "sort": {"newest"}}, []int64{3, 2}},
		{"衡水老白干 by score", url.Values{"q": {"衡水老白干"}, "sort": {"score"}}, []int64{5}},
		{"full-width and traditional query folded", url.Values{"q": {"衡水老白幹"}}, []int64{5}},
		{"two facets: platform and province", url.Values{"q": {"核桃"}, "platform": {"pifa"}, "province": {"河北"}}, []int64{3}},
		{"kind", url.Values{"kind": {"geographical_indication"}}, []int64{7}},
		{"kind and mark that disagree find nothing", url.Values{"kind": {"trademark"}, "mark": {"zanhuang-dazao"}}, []int64{}},
		{"two marks, cheapest first", url.Values{"mark": {"liugehetao", "hengshui-laobaigan"}, "sort": {"price"}}, []int64{1, 2, 3, 4, 5, 6}},
		{"seller and city", url.Values{"seller": {"太行山货店"}, "location": {"河北 石家庄"}, "sort": {"price"}}, []int64{2, 3, 6, 7}},
		{"tactic and score band", url.Values{"tactic": {"sound"}, "score": {"90-100"}}, []int64{2}},
		{"status below", url.Values{"status": {"below"}}, []int64{4}},
		{"days are China time, to inclusive", url.Values{"from": {"2026-03-02"}, "to": {"2026-03-03"}, "sort": {"newest"}}, []int64{3, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, a, body := searchAs(t, h, tokAdmin, tc.v)
			if code != http.StatusOK || !slices.Equal(a.ids(), tc.want) || a.Total != len(tc.want) {
				t.Errorf("GET /api/v1/hits?%s = %d %v (total %d), want %v\n%s", tc.v.Encode(), code, a.ids(), a.Total, tc.want, body)
			}
		})
	}
}

func TestSearchHitsFacetCounts(t *testing.T) {
	h := newSearchHarness(t)
	code, a, body := searchAs(t, h, tokAdmin, url.Values{"q": {"核桃"}, "limit": {"1"}})
	if code != http.StatusOK || a.Total != 5 || len(a.Hits) != 1 {
		t.Fatalf("核桃 = %d total %d, %d hits; want 5 in all, a page of 1\n%s", code, a.Total, len(a.Hits), body)
	}
	want := map[string]map[string]int{
		"mark":     {"liugehetao": 4, "zanhuang-dazao": 1},
		"kind":     {"trademark": 4, "geographical_indication": 1},
		"source":   {"demo": 2, "demo-pifa": 2, "jd": 1},
		"platform": {"demo": 2, "pifa": 2, "jd": 1},
		"province": {"河北": 4, "山东": 1},
		"location": {"河北 衡水": 1, "河北 石家庄": 3, "山东 临沂": 1},
		"tactic":   {"exact": 2, "sound": 2, "shape": 1},
		"status":   {"alert": 4, "below": 1},
		"score":    {"90-100": 3, "80-90": 1, "70-80": 1},
	}
	for name, w := range want {
		if got := a.facet(name); !reflect.DeepEqual(got, w) {
			t.Errorf("facet %s = %v, want %v", name, got, w)
		}
	}
	// Most common first: a console lists them as they come.
	if loc := a.Facets["location"]; len(loc) == 0 || loc[0].Value != "河北 石家庄" {
		t.Errorf("location facet %v: the most common first", loc)
	}
}

// An owner learns nothing of another owner's marks from the facets: not by
// asking for the other mark, its kind or a seller both share.
func TestSearchHitsFacetsKeepOtherOwnersOut(t *testing.T) {
	h := newSearchHarness(t)
	for _, v := range []url.Values{
		{},
		{"mark": {"hengshui-laobaigan"}},
		{"kind": {"time_honoured"}},
		{"seller": {"太行山货店"}},
		{"q": {"衡水老白干"}},
	} {
		code, a, body := searchAs(t, h, tokOwnerA, v)
		if code != http.StatusOK {
			t.Fatalf("owner A, %s: %d %s", v.Encode(), code, body)
		}
		for _, hit := range a.Hits {
			if hit.MarkID != "liugehetao" {
				t.Errorf("owner A, %s: sees hit %d of %s", v.Encode(), hit.ID, hit.MarkID)
			}
		}
		for name, fcs := range a.Facets {
			for _, fc := range fcs {
				if (name == "mark" && fc.Value != "liugehetao") || (name == "kind" && fc.Value != "trademark") {
					t.Errorf("owner A, %s: facet %s counts %s: %d", v.Encode(), name, fc.Value, fc.Count)
				}
			}
		}
		sum := 0
		for _, fc := range a.Facets["status"] {
			sum += fc.Count
		}
		if sum != a.Total {
			t.Errorf("owner A, %s: status counts add up to %d, its own total is %d", v.Encode(), sum, a.Total)
		}
	}
	if h.logs.FilterMessageSnippet("outside the principal's scope").Len() != 0 {
		t.Error("the index answered out-of-scope hits or counts; the tenant token should have kept them out")
	}
}

func TestSearchHitsRefusesUnknownParameters(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct{ query, want string }{
		{"q=核桃&mrak=liugehetao", "unknown query parameter mrak; accepted: q, mark, kind"},
		{"page=2", "unknown query parameter page"},
		{"sort=cheapest", "must be newest, score or price"},
		{"kind=brand", "must be trademark, time_honoured or geographical_indication"},
		{"from=2026-13-01", "must be a day like 2026-03-01"},
		{"from=2026-03-05&to=2026-03-01", "from must come before to"},
		{"province=河北 石家庄", "use location for a city"},
		{"status=open", "hits are alert"},
		{"q=a&q=b", "q is given 2 times"},
	}
	for _, tc := range tests {
		code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/hits?"+encodeRaw(tc.query), "")
		if code != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET /api/v1/hits?%s = %d %s, want 400 saying %q", tc.query, code, body, tc.want)
		}
	}
	// The alert list checks its parameters the same way.
	for _, tc := range []struct{ query, want string }{
		{"stauts=open", "unknown query parameter stauts"},
		{"score=95-100", "must be a band: 90-100, 80-90, 70-80 or 0-70"},
		{"sort=cheapest", "must be newest, score or price"},
		{"status=alert", "must be open, confirmed or dismissed"},
	} {
		code, body := h.do(t, tokAdmin, http.MethodGet, "/api/v1/alerts?"+encodeRaw(tc.query), "")
		if code != http.StatusBadRequest || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET /api/v1/alerts?%s = %d %s, want 400 saying %q", tc.query, code, body, tc.want)
		}
	}
}

// encodeRaw percent-encodes a literal query, keeping its = and &.
func encodeRaw(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		panic(err)
	}
	return v.Encode()
}

func TestListAlertsStatusFacetInScope(t *testing.T) {
	h := newHarness(t, nil)
	var got struct {
		Total  int    `json:"total"`
		Facets Facets `json:"facets"`
	}
	h.getAs(t, tokOwnerA, "/api/v1/alerts?status=open", &got)
	want := []FacetCount{{Value: "open", Count: 2}}
	if got.Total != 2 || !reflect.DeepEqual(got.Facets["status"], want) {
		t.Errorf("owner A's open alerts: total %d, status facet %v; want 2 and %v (B's confirmed alert not counted)", got.Total, got.Facets["status"], want)
	}
	h.getAs(t, tokAdmin, "/api/v1/alerts", &got)
	want = []FacetCount{{Value: "open", Count: 3}, {Value: "confirmed", Count: 1}}
	if got.Total != 4 || !reflect.DeepEqual(got.Facets["status"], want) {
		t.Errorf("every alert: total %d, status facet %v; want 4 and %v", got.Total, got.Facets["status"], want)
	}
}
