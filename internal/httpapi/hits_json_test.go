package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// jsonHit is a hit as the crawls make them, varied by the test cases.
func jsonHit(id int64, title string) domain.Hit {
	seen := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return domain.Hit{
		ID: id, ListingID: id * 10, SourceID: "demo", MarkID: "hengshui-laobaigan", Title: title,
		URL: "https://demo.local/item/" + strconv.FormatInt(id, 10) + "?from=search&q=老白干", Seller: "衡水老酒坊12号店",
		Location: "河北 衡水", Price: 59.9, Score: 0.64, Alert: true,
		Reasons: []domain.Reason{
			{Tactic: "shape", Text: "衡水老自干 与 衡水老白干 字形相近（自/白）", Start: 0, End: 5},
			{Tactic: "context", Text: "标题含品类词 白酒", Start: 9, End: 11},
		},
		FirstSeen: seen, LastSeen: seen.Add(90*time.Minute + 123456789),
	}
}

// TestHitListJSONIsEncodingJSONs: the hand-written encoder must write what
// writeJSON's encoding/json writes, byte for byte, or clients reading the
// hits would see another format. A field added to domain.Hit or
// domain.Reason makes encoding/json write it and this test fail until the
// encoder writes it too.
func TestHitListJSONIsEncodingJSONs(t *testing.T) {
	with := func(h domain.Hit, change func(*domain.Hit)) domain.Hit { change(&h); return h }
	base := jsonHit(1, "衡水老自干 古法酿造 67度 白酒 500ml")
	cases := []struct {
		name string
		page hitList
	}{
		{"a page of look-alikes", hitList{Hits: []domain.Hit{base, jsonHit(2, "陆个核桃 核桃乳饮品 240ml*24罐"), jsonHit(3, "六个核桃 精品型")}, Total: 33331, Limit: 50, Offset: 100}},
		{"estimated total", hitList{Hits: []domain.Hit{base}, Total: 100000, TotalEstimated: true, Limit: 1}},
		{"no hits", hitList{Hits: []domain.Hit{}, Limit: 50}},
		{"nil hits", hitList{Limit: 50}},
		{"HTML stays unescaped", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) { h.Title = `<b>衡水老白干</b> & "礼盒" \ 特价` })}}},
		{"control characters", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) { h.Seller = "太行\t山货\n店\r\b\f\x00\x01\x1f\x7f" })}}},
		{"invalid UTF-8 and JavaScript line breaks", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) { h.Title = "老白\xff干\u2028六个\u2029核桃\xe6\x97" })}}},
		{"traditional, full-width and emoji", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) { h.Title = "衡水老白幹 ６７度 🍶 ＠官方" })}}},
		{"nil and empty reasons", hitList{Hits: []domain.Hit{
			with(base, func(h *domain.Hit) { h.Reasons = nil }), with(base, func(h *domain.Hit) { h.Reasons = []domain.Reason{} })}}},
		{"floats of every size", hitList{Hits: []domain.Hit{
			with(base, func(h *domain.Hit) { h.Price, h.Score = 0, 1 }),
			with(base, func(h *domain.Hit) { h.Price, h.Score = 1e21, 1e-7 }),
			with(base, func(h *domain.Hit) { h.Price, h.Score = 123456789.125, 0.000001 }),
			with(base, func(h *domain.Hit) { h.Price, h.Score = -2.5e-300, math.MaxFloat64 }),
			with(base, func(h *domain.Hit) { h.Price, h.Score = math.Copysign(0, -1), 1.0/3 }),
		}}},
		{"zero and zoned times", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) {
			h.FirstSeen = time.Time{}
			h.LastSeen = time.Date(2026, 3, 1, 16, 0, 0, 500, time.FixedZone("CST", 8*3600))
		})}}},
		{"negative ids and spans", hitList{Hits: []domain.Hit{with(base, func(h *domain.Hit) {
			h.ID, h.ListingID = -1, math.MaxInt64
			h.Reasons = append([]domain.Reason{{Tactic: "split", Text: "拆字", Start: -3, End: -1}}, h.Reasons...)
		})}, Total: -1, Offset: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := encodingJSON(t, tc.page)
			got, ok := appendHitList(nil, tc.page)
			if !ok {
				t.Fatal("appendHitList refused a page encoding/json writes")
			}
			if !bytes.Equal(got, want) {
				t.Errorf("hand-written:\n%s\nencoding/json:\n%s", got, want)
			}
		})
	}
}

func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// What encoding/json refuses the hand-written encoder refuses too, and
// writeHitList leaves it to writeJSON.
func TestHitListJSONRefusesWhatEncodingJSONRefuses(t *testing.T) {
	base := jsonHit(1, "衡水老白干 67度")
	for name, change := range map[string]func(*domain.Hit){
		"NaN score":        func(h *domain.Hit) { h.Score = math.NaN() },
		"infinite price":   func(h *domain.Hit) { h.Price = math.Inf(1) },
		"year past 9999":   func(h *domain.Hit) { h.LastSeen = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"year before zero": func(h *domain.Hit) { h.FirstSeen = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		t.Run(name, func(t *testing.T) {
			h := base
			change(&h)
			page := hitList{Hits: []domain.Hit{base, h}}
			if _, err := json.Marshal(page); err == nil {
				t.Fatal("encoding/json writes it; the case tests nothing")
			}
			if _, ok := appendHitList(nil, page); ok {
				t.Error("appendHitList wrote what encoding/json refuses")
			}
		})
	}
}

// The answer carries writeJSON's headers and its length, so the client
// reads one body, not chunks.
func TestWriteHitListHeaders(t *testing.T) {
	page := hitList{Hits: []domain.Hit{jsonHit(1, "六个核桃 核桃乳")}, Total: 1, Limit: 50}
	rec := httptest.NewRecorder()
	writeHitList(rec, page)
	want := httptest.NewRecorder()
	writeJSON(want, http.StatusOK, page)
	if rec.Code != 200 || rec.Body.String() != want.Body.String() {
		t.Fatalf("writeHitList: %d %s, writeJSON: %s", rec.Code, rec.Body, want.Body)
	}
	for _, k := range []string{"Content-Type", "X-Content-Type-Options", "Cache-Control"} {
		if rec.Header().Get(k) != want.Header().Get(k) {
			t.Errorf("%s: %q, writeJSON sets %q", k, rec.Header().Get(k), want.Header().Get(k))
		}
	}
	if n, _ := strconv.Atoi(rec.Header().Get("Content-Length")); n != rec.Body.Len() || !strings.HasSuffix(rec.Body.String(), "}\n") {
		t.Errorf("Content-Length %q for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
	}
}

// BenchmarkHitListJSON compares the hand-written encoder with the
// encoding/json writeJSON used, on a page of 50 look-alike hits.
func BenchmarkHitListJSON(b *testing.B) {
	page := hitList{Total: 33331, Limit: 50}
	for i := range 50 {
		page.Hits = append(page.Hits, jsonHit(int64(i+1), "衡水老自干 古法酿造 67度 500ml*6 整箱 包邮 特价 "+strconv.Itoa(i)+"号"))
	}
	var std, hand time.Duration
	for b.Loop() {
		start := time.Now()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(page); err != nil {
			b.Fatal(err)
		}
		std += time.Since(start)
		start = time.Now()
		if _, ok := appendHitList(make([]byte, 0, 128+600*len(page.Hits)), page); !ok {
			b.Fatal("refused")
		}
		hand += time.Since(start)
	}
	b.ReportMetric(float64(std.Nanoseconds())/float64(b.N), "encoding_json_ns/page")
	b.ReportMetric(float64(hand.Nanoseconds())/float64(b.N), "hand_ns/page")
	b.ReportMetric(float64(std)/float64(hand), "encoding_json/hand")
}
