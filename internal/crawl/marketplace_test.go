package crawl_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// expectedParse is the hand-checked parse shipped beside each saved page.
type expectedParse struct {
	URL     string `json:"url"`
	Results []struct {
		Rank  int    `json:"rank"`
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"results"`
}

var (
	firstEm = regexp.MustCompile(`(?s)<em>(.*?)</em>`)
	anyTag  = regexp.MustCompile(`<[^>]*>`)
	spaces  = regexp.MustCompile(`[\s\x{3000}\x{a0}]+`)
)

// expectedTitle reads the product name from an expected title: the first
// <em> when the annotation kept JD's markup (the second is promo text).
func expectedTitle(s string) string {
	if m := firstEm.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	return normSpace(anyTag.ReplaceAllString(s, ""))
}

func normSpace(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

func loadSource(t testing.TB, id string) crawl.Source {
	t.Helper()
	srcs, err := crawl.LoadSources(os.DirFS("../../config/sources"), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no source %q in config/sources", id)
	return crawl.Source{}
}

var jdPages = []struct {
	file, contentType string
}{
	{"jd_search_2013-05_chuangxin_gbk", "text/html"}, // GBK, declared only in <meta>
	{"jd_search_2015-11_shatanku-nan", "text/html"},  // UTF-8 with BOM
	{"jd_search_2017-10_chezai-cd", "text/html; charset=utf-8"},
	{"jd_search_2018-01_jiguangdayin", "text/html; charset=utf-8"},
}

// servePages serves testdata/marketplace under /pages/NAME with the given
// Content-Type, like the marketplace did.
func servePages(t testing.TB, types map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/pages/")
		ct, ok := types[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		http.ServeFile(w, r, filepath.Join("testdata", "marketplace", name))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The shipped jd.yaml reads every era of JD's markup: crawled from a local
// server, each saved page yields the expected titles and item URLs in order.
func TestJDSourceReproducesExpectedParses(t *testing.T) {
	types := map[string]string{}
	for _, p := range jdPages {
		types[p.file+".html"] = p.contentType
	}
	srv := servePages(t, types)
	for _, p := range jdPages {
		t.Run(p.file, func(t *testing.T) {
			var want expectedParse
			data, err := os.ReadFile(filepath.Join("testdata", "marketplace", p.file+".expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			src := loadSource(t, "jd")
			src.SearchURL = srv.URL + "/pages/" + p.file + ".html?keyword={query}"
			src.AllowedDomains = nil
			src.Delay, src.RandomDelay = 0, 0
			c := crawl.New(crawl.Options{AllowPrivate: true, Getenv: func(string) string { return "test-cookie" }})
			var got collector
			st, err := c.Run(context.Background(), src, []string{"创新"}, got.emit)
			if err != nil {
				t.Fatalf("Run: %v (%+v)", err, st)
			}
			compareParse(t, want, got.ls)
		})
	}
}

func compareParse(t *testing.T, want expectedParse, got []domain.Listing) {
	t.Helper()
	if len(got) != len(want.Results) {
		t.Errorf("got %d listings, want %d", len(got), len(want.Results))
	}
	for i := range min(len(got), len(want.Results)) {
		w := want.Results[i]
		if g := normSpace(got[i].Title); g != expectedTitle(w.Title) {
			t.Errorf("rank %d title\n got %q\nwant %q", w.Rank, g, expectedTitle(w.Title))
		}
		if got[i].URL != w.URL {
			t.Errorf("rank %d url %q, want %q", w.Rank, got[i].URL, w.URL)
		}
	}
}

// The shipped taobao.yaml reads the saved g_page_config blob whether it is
// served as the .js file, inside a page's <script>, or as bare JSON.
func TestTaobaoSourceReadsGPageConfig(t *testing.T) {
	blob, err := os.ReadFile(filepath.Join("testdata", "marketplace", "taobao_search_2018-07_heizhimahu_g_page_config.js"))
	if err != nil {
		t.Fatal(err)
	}
	// The expected parse, read independently with encoding/json.
	bare := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(string(blob), "g_page_config = ")), ";")
	var cfg struct {
		Mods struct {
			Itemlist struct {
				Data struct {
					Auctions []struct {
						RawTitle  string `json:"raw_title"`
						ViewPrice string `json:"view_price"`
						Nick      string `json:"nick"`
						ItemLoc   string `json:"item_loc"`
						DetailURL string `json:"detail_url"`
					} `json:"auctions"`
				} `json:"data"`
			} `json:"itemlist"`
		} `json:"mods"`
	}
	if err := json.Unmarshal([]byte(bare), &cfg); err != nil {
		t.Fatal(err)
	}
	want := cfg.Mods.Itemlist.Data.Auctions
	if len(want) < 30 {
		t.Fatalf("fixture has %d auctions", len(want))
	}
	bodies := map[string]string{
		"blob.js":   string(blob),
		"page.html": "<!DOCTYPE html><html><head><script>\n" + string(blob) + "\n</script></head><body></body></html>",
		"bare.json": bare,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b))
	}))
	defer srv.Close()
	for name := range bodies {
		t.Run(name, func(t *testing.T) {
			src := loadSource(t, "taobao")
			src.SearchURL = srv.URL + "/" + name + "?q={query}"
			src.AllowedDomains = nil
			src.Delay, src.RandomDelay = 0, 0
			c := crawl.New(crawl.Options{AllowPrivate: true, Getenv: func(string) string { return "c" }})
			var got collector
			if _, err := c.Run(context.Background(), src, []string{"芝麻糊"}, got.emit); err != nil {
				t.Fatal(err)
			}
			if len(got.ls) != len(want) {
				t.Fatalf("got %d listings, want %d", len(got.ls), len(want))
			}
			for i, w := range want {
				g := got.ls[i]
				if g.Title != normSpace(w.RawTitle) || g.Seller != w.Nick || g.Location != w.ItemLoc || !strings.HasSuffix(g.URL, strings.TrimPrefix(w.DetailURL, "//")) {
					t.Errorf("auction %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
