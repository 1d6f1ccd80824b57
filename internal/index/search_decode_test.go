package index

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// meiliAnswer is a search answer as Meilisearch 1.21 writes it for the
// fields search retrieves.
const meiliAnswer = `{"hits":[` +
	`{"hit_id":17,"listing_id":170,"source_id":"demo","mark_id":"hengshui-laobaigan","title":"衡水老自干 古法酿造 67度 500ml*6 整箱","url":"https://demo.local/item/17?q=老白干&p=2","seller":"衡水老酒坊12号店","location":"河北 衡水","price":59.9,"score":0.64,"alert":true,"reasons":[{"tactic":"shape","text":"衡水老自干 与 衡水老白干 字形相近（自/白）","start":0,"end":5},{"tactic":"context","text":"标题含品类词 白酒","start":9,"end":11}],"first_seen":1772352000000,"last_seen":1772357400123},` +
	`{"hit_id":18,"listing_id":180,"source_id":"demo-pifa","mark_id":"liugehetao","title":"陆个核桃 核桃乳饮品 240ml*24罐 🥜","url":"https://pifa.local/18","seller":"","location":"山东 临沂","price":0,"score":1,"alert":false,"reasons":[],"first_seen":-1,"last_seen":0}` +
	`],"query":"老白干","processingTimeMs":3,"hitsPerPage":50,"page":1,"totalPages":667,"totalHits":33331}`

func referenceDecode(data []byte) (searchResponse, error) {
	resp := searchResponse{Hits: make([]document, 0, 4)}
	err := json.Unmarshal(data, &resp)
	return resp, err
}

func TestDecodeSearchIsEncodingJSONs(t *testing.T) {
	cases := []struct{ name, data string }{
		{"a page of look-alikes", meiliAnswer},
		{"white space everywhere", " {\n \"totalHits\" : 2 ,\t\"hits\" : [ { \"hit_id\" : 1 , \"reasons\" : null , \"title\" : \"六个核桃\" } ] }\r\n"},
		{"no hits", `{"hits":[],"totalHits":0}`},
		{"null hits", `{"hits":null,"totalHits":0}`},
		{"fields search does not read are skipped", `{"hits":[{"id":"hit-1","title_norm":"衡水老白干","location_prefixes":["河北","河北 衡水"],"hit_id":1,"_rankingScore":0.93,"nested":{"a":[1,{"b":null}],"c":true}}],"facetStats":{},"totalHits":1}`},
		{"numbers of every form", `{"hits":[{"hit_id":-0,"price":1e21,"score":-2.5E-7,"first_seen":9223372036854775807,"last_seen":-9223372036854775808}],"totalHits":1}`},
		{"facet counts", `{"hits":[],"totalHits":7,"facetDistribution":{"mark_id":{"liugehetao":4,"hengshui-laobaigan":3},"location_prefixes":{"河北":5,"河北 石家庄":3},"tactics":{}}}`},
		{"null facets", `{"hits":[],"totalHits":0,"facetDistribution":null}`},
		{"a document's tactics and band", `{"hits":[{"hit_id":3,"tactics":["script","sound"],"score_band":"80-90"}],"totalHits":1}`},
		{"duplicate scalar keys take the last", `{"hits":[{"title":"衡水老白干","title":"衡水老自干","score":0.5,"score":0.64}],"totalHits":1,"totalHits":2}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := referenceDecode([]byte(tc.data))
			if err != nil {
				t.Fatalf("encoding/json refuses the case: %v", err)
			}
			got := searchResponse{Hits: make([]document, 0, 4)}
			if !decodeSearch([]byte(tc.data), &got) {
				t.Fatal("decodeSearch left a common answer to encoding/json")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodeSearch:\n%+v\nencoding/json:\n%+v", got, want)
			}
		})
	}
}

// Every field of document is one decodeSearch decodes: a field added to it
// would otherwise be left empty by the hand decoder alone.
func TestDecodeSearchKnowsEveryDocumentField(t *testing.T) {
	known := map[string]bool{}
	for _, k := range documentKeys {
		known[k] = true
	}
	typ := reflect.TypeFor[document]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("json"); !known[tag] {
			t.Errorf("document.%s (json %q) is not decoded by decodeSearch", typ.Field(i).Name, tag)
		}
	}
	if len(known) != typ.NumField() {
		t.Errorf("decodeSearch knows %d keys, document has %d fields", len(known), typ.NumField())
	}
}

// What decodeSearch does not take it must leave to encoding/json, never
// decode to something else.
func TestDecodeSearchLeavesTheRestToEncodingJSON(t *testing.T) {
	for name, data := range map[string]string{
		"an escaped quote in a title":             `{"hits":[{"title":"\"衡水老白干\" 礼盒"}],"totalHits":1}`,
		"an escaped character in a skipped field": `{"query":"老白干\u0020","hits":[],"totalHits":0}`,
		"a key matching a field ignoring case":    `{"hits":[{"Title":"衡水老白干"}],"totalHits":1}`,
		"a top-level key ignoring case":           `{"Hits":[],"totalHits":0}`,
		"a string where a number goes":            `{"hits":[{"hit_id":"17"}],"totalHits":1}`,
		"a fraction where an integer goes":        `{"hits":[{"hit_id":17.5}],"totalHits":1}`,
		"an integer too large":                    `{"hits":[],"totalHits":9223372036854775808}`,
		"a null document":                         `{"hits":[null],"totalHits":1}`,
		"null scalars":                            `{"hits":[{"title":null}],"totalHits":1}`,
		"a second hits":                           `{"hits":[{"title":"a","url":"u"}],"hits":[{"title":"b"}],"totalHits":1}`,
		"a second location_prefixes":              `{"hits":[{"location_prefixes":["河北","河北 衡水"],"location_prefixes":["山东"]}],"totalHits":1}`,
		"a second reasons":                        `{"hits":[{"reasons":[{"text":"a","start":1}],"reasons":[{"text":"b"}]}],"totalHits":1}`,
		"invalid UTF-8":                           "{\"hits\":[{\"title\":\"老白\xff干\"}],\"totalHits\":1}",
		"a control character in a string":         "{\"hits\":[{\"title\":\"老白\t干\"}],\"totalHits\":1}",
		"a leading zero":                          `{"hits":[{"hit_id":017}],"totalHits":1}`,
		"white space inside a number":             `{"hits":[{"price":1 .5}],"totalHits":1}`,
		"trailing bytes":                          `{"hits":[],"totalHits":0}x`,
		"truncated":                               `{"hits":[{"title":"衡水`,
		"deep nesting":                            `{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"hits":[],"totalHits":0}`,
	} {
		t.Run(name, func(t *testing.T) {
			got := searchResponse{Hits: make([]document, 0, 4)}
			if decodeSearch([]byte(data), &got) {
				t.Errorf("decodeSearch took %s as %+v", data, got)
			}
		})
	}
}

// FuzzDecodeSearch: whatever decodeSearch takes, encoding/json takes too
// and decodes to the same value.
func FuzzDecodeSearch(f *testing.F) {
	f.Add([]byte(meiliAnswer))
	f.Add([]byte(`{"hits":[{"hit_id":1,"reasons":[{"tactic":"exact","text":"六个核桃","start":0,"end":4}]}],"totalHits":1}`))
	f.Add([]byte(`{"hits":[{"Title":"x","ſcore":1,"K":2}],"totalHits":1e2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := searchResponse{Hits: make([]document, 0, 4)}
		if !decodeSearch(data, &got) {
			return
		}
		want, err := referenceDecode(data)
		if err != nil {
			t.Fatalf("decodeSearch took %q, which encoding/json refuses: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ndecodeSearch:  %+v\nencoding/json: %+v", data, got, want)
		}
	})
}

// BenchmarkDecodeSearch compares decodeSearch with encoding/json on a page
// of 50 look-alike hits.
func BenchmarkDecodeSearch(b *testing.B) {
	var page searchResponse
	if err := json.Unmarshal([]byte(meiliAnswer), &page); err != nil {
		b.Fatal(err)
	}
	for len(page.Hits) < 50 {
		page.Hits = append(page.Hits, page.Hits[len(page.Hits)%2])
	}
	// Meilisearch leaves & and <> unescaped, as the encoder does here.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(page); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var std, hand time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := referenceDecode(data); err != nil {
			b.Fatal(err)
		}
		std += time.Since(start)
		start = time.Now()
		resp := searchResponse{Hits: make([]document, 0, 50)}
		if !decodeSearch(data, &resp) {
			b.Fatal("decodeSearch refused the page")
		}
		hand += time.Since(start)
	}
	b.ReportMetric(float64(std.Nanoseconds())/float64(b.N), "encoding_json_ns/page")
	b.ReportMetric(float64(hand.Nanoseconds())/float64(b.N), "decodeSearch_ns/page")
	b.ReportMetric(float64(std)/float64(hand), "encoding_json/decodeSearch")
}
