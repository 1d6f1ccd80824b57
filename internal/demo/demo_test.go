package demo

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestSearchFindsLookalikesAndGenuine(t *testing.T) {
	items := NewServer(Options{}).byPlatform[PlatformMain]
	tests := []struct {
		query string
		want  []string // title prefixes that must be among the results
		none  []string // title prefixes that must not be
	}{
		{"六个核桃", []string{"六个核桃 易智型", "陆个核桃", "六個核桃", "六个核挑", "六个好核桃"}, nil},
		{"核桃", []string{"涉县核桃 2024新货", "涉县核桃 纸皮核桃 新疆直发", "云南 纸皮核桃"}, nil},
		{"板栗", []string{"迁西板栗 甘栗仁", "迂西板栗", "京东板栗 大板栗"}, nil},
		{"今麦郎", []string{"今麦郎 一桶半", "今麦郞", "金麦郎", "今麥郎"}, []string{"康师傅"}},
		{"衡水老白干", []string{"衡水老白乾", "衡水老百干", "衡水 老 白 干"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			res := search(items, tc.query, 24)
			if len(res) < 24 {
				t.Errorf("%d results, want padding to 24", len(res))
			}
			has := func(prefix string) bool {
				for _, it := range res {
					if strings.HasPrefix(it.Title, prefix) {
						return true
					}
				}
				return false
			}
			for _, w := range tc.want {
				if !has(w) {
					t.Errorf("no result starting %q", w)
				}
			}
			// Unrelated goods may pad the list, but only after every match.
			for _, w := range tc.none {
				for i, it := range res {
					if strings.HasPrefix(it.Title, w) && i < len(tc.want) {
						t.Errorf("%q ranked %d, before the matches", it.Title, i)
					}
				}
			}
			if !strings.Contains(res[0].Title, tc.query) {
				t.Errorf("best result %q lacks the exact query", res[0].Title)
			}
		})
	}
	if a, b := search(items, "核桃", 24), search(items, "核桃", 24); len(a) != len(b) || a[len(a)-1].ID != b[len(b)-1].ID {
		t.Error("search is not deterministic")
	}
}

func TestCatalogueIsGBKEncodable(t *testing.T) {
	for _, it := range catalogue() {
		for _, s := range []string{it.Title, it.Seller, it.Location} {
			if _, err := simplifiedchinese.GBK.NewEncoder().String(s); err != nil {
				t.Errorf("%q is not GBK-encodable: %v", s, err)
			}
		}
	}
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServerPagesAndEncodings(t *testing.T) {
	srv := NewServer(Options{})
	base, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}()
	q := url.QueryEscape("板栗")
	tests := []struct {
		page, contentType string
		gbk, meta         bool
	}{
		{"1", "text/html; charset=utf-8", false, false},
		{"2", "text/html; charset=GBK", true, false},
		{"3", "text/html", true, true},
	}
	for _, tc := range tests {
		resp, body := get(t, base+"/search?q="+q+"&page="+tc.page)
		if ct := resp.Header.Get("Content-Type"); ct != tc.contentType {
			t.Errorf("page %s: Content-Type %q, want %q", tc.page, ct, tc.contentType)
		}
		if tc.gbk {
			dec, err := simplifiedchinese.GBK.NewDecoder().String(body)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(body, "板栗") || !strings.Contains(dec, "板栗") {
				t.Errorf("page %s is not GBK", tc.page)
			}
			body = dec
		}
		if got := strings.Contains(body, `charset=gbk">`); got != tc.meta {
			t.Errorf("page %s: meta charset present %v, want %v", tc.page, got, tc.meta)
		}
		if strings.Count(body, `class="result-item"`) == 0 {
			t.Errorf("page %s has no results", tc.page)
		}
	}
	_, last := get(t, base+"/search?q="+q+"&page=9")
	if dec, _ := simplifiedchinese.GBK.NewDecoder().String(last); !strings.Contains(dec, "没有找到") {
		t.Error("page past the end is not empty")
	}
	_, robots := get(t, base+"/robots.txt")
	if !strings.Contains(robots, "Disallow: /admin/") || strings.Contains(robots, "Disallow: /search") {
		t.Errorf("robots.txt = %q", robots)
	}
	resp, item := get(t, base+"/item/1001")
	if resp.StatusCode != 200 || !strings.Contains(item, "六个核桃") {
		t.Errorf("item page: %d %q", resp.StatusCode, item)
	}
	if resp, _ := get(t, base+"/item/42"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown item: %d", resp.StatusCode)
	}
}

func TestServerStartTwiceAndCloseIdempotent(t *testing.T) {
	srv := NewServer(Options{})
	if _, err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDemoServesListingImages(t *testing.T) {
	srv := httptest.NewServer(NewServer(Options{}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/static/img/1004.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(body, []byte{0xFF, 0xD8}) {
		t.Fatalf("image: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	if resp, _ := http.Get(srv.URL + "/static/img/../etc.jpg"); resp != nil && resp.StatusCode == 200 {
		t.Error("a path outside the images answered 200")
	}
}
