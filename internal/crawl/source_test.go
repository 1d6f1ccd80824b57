package crawl_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

const validSource = `id: jihuo
name: 冀货通
search:
  url: "https://s.example.cn/search?q={query}&page={page}"
  query_encoding: gbk
  pagination:
    page: {start: 1, step: 2}
  max_pages: 4
fetch:
  delay: 250ms
  headers_from_env: {Cookie: JIHUO_COOKIE}
extract:
  css:
    item: ["li.gl-item", "div.item"]
    fields:
      title: "div.p-name em"
      url: "div.p-name a@href"
`

func TestParseSourceDefaultsAndValues(t *testing.T) {
	src, err := crawl.ParseSource("jihuo.yaml", []byte(validSource))
	if err != nil {
		t.Fatal(err)
	}
	if src.ID != "jihuo" || src.Platform != "jihuo" || src.QueryEncoding != crawl.EncodingGBK {
		t.Errorf("identity: %+v", src)
	}
	if src.Delay != 250*time.Millisecond || src.Timeout != crawl.DefaultTimeout || !src.RespectRobots ||
		src.Parallelism != crawl.DefaultParallelism || src.MaxBodyBytes != crawl.DefaultMaxBodyBytes || src.Render != crawl.RenderNone {
		t.Errorf("defaults: %+v", src)
	}
	if got := src.Extract.CSS.Item; len(got) != 2 || got[1] != "div.item" {
		t.Errorf("item fallbacks = %v", got)
	}
	// page i is start + i*step, the query GBK-escaped: 核桃 is BA CB CC D2.
	u, err := src.PageURL("核桃", 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://s.example.cn/search?q=%BA%CB%CC%D2&page=5"; u != want {
		t.Errorf("PageURL = %s, want %s", u, want)
	}
}

func TestParseSourceErrorsNameFileLineAndField(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{"unknown field", func(s string) string { return strings.Replace(s, "  delay: 250ms", "  delai: 250ms", 1) },
			[]string{"jihuo.yaml:10:", `unknown field "delai"`}},
		{"bad duration", func(s string) string { return strings.Replace(s, "250ms", "快", 1) },
			[]string{"jihuo.yaml:10:", `field "fetch.delay"`, "duration"}},
		{"literal secret instead of env name", func(s string) string { return strings.Replace(s, "JIHUO_COOKIE", "sid=abc; token=1", 1) },
			[]string{"jihuo.yaml:11:", "headers_from_env", "environment variable"}},
		{"missing title", func(s string) string { return strings.Replace(s, `      title: "div.p-name em"`+"\n", "", 1) },
			[]string{"jihuo.yaml:", `field "extract.css.fields.title"`, "required"}},
		{"query missing", func(s string) string { return strings.Replace(s, "{query}", "核桃", 1) },
			[]string{"jihuo.yaml:4:", `field "search.url"`, "{query}"}},
		{"bad CSS", func(s string) string { return strings.Replace(s, `"div.item"`, `"div.item[["`, 1) },
			[]string{"jihuo.yaml:", "extract.css.item", "not a valid CSS selector"}},
		{"page without {page}", func(s string) string { return strings.Replace(s, "&page={page}", "", 1) },
			[]string{"jihuo.yaml:7:", "search.pagination.page", "{page}"}},
		{"bad render", func(s string) string { return strings.Replace(s, "fetch:\n", "fetch:\n  render: firefox\n", 1) },
			[]string{"jihuo.yaml:10:", "fetch.render", "none or chromium"}},
		{"both css and json", func(s string) string { return s + "  json:\n    items: a.b\n" },
			[]string{"jihuo.yaml:", `field "extract"`, "not both"}},
		{"bad id", func(s string) string { return strings.Replace(s, "id: jihuo", "id: 冀货", 1) },
			[]string{"jihuo.yaml:1:", `field "id"`}},
		{"identity pattern is not a regexp", func(s string) string { return s + "identity:\n  pattern: 'item\\.jd\\.com/(\\d+'\n" },
			[]string{"jihuo.yaml:19:", `field "identity.pattern"`, "not a valid regular expression"}},
		{"identity pattern without a group", func(s string) string { return s + "identity:\n  pattern: ['/item/(\\d+)', '/item/\\d+']\n" },
			[]string{"jihuo.yaml:19:", `field "identity.pattern"`, "pattern 2", "no group"}},
		{"identity param dropped by keep_params", func(s string) string { return s + "identity:\n  keep_params: [skuId]\n  param: id\n" },
			[]string{"jihuo.yaml:20:", `field "identity.param"`, "keep_params"}},
		{"identity host with a scheme", func(s string) string { return s + "identity:\n  hosts: {m.jd.com: 'https://item.jd.com'}\n" },
			[]string{"jihuo.yaml:19:", `field "identity.hosts"`, "host names only"}},
		{"identity unknown key", func(s string) string { return s + "identity:\n  patern: x\n" },
			[]string{"jihuo.yaml:19:", `unknown field "patern"`}},
		{"images over 16 MiB", func(s string) string { return s + "images:\n  fetch: true\n  max_bytes: 16777217\n" },
			[]string{"jihuo.yaml:20:", `field "images.max_bytes"`, "16 MiB"}},
		{"images max_bytes negative", func(s string) string { return s + "images:\n  max_bytes: -1\n" },
			[]string{"jihuo.yaml:19:", `field "images.max_bytes"`}},
		{"images unknown key", func(s string) string { return s + "images:\n  fetch: true\n  max_size: 1000\n" },
			[]string{"jihuo.yaml:20:", `unknown field "max_size"`}},
		{"images fetch not a bool", func(s string) string { return s + "images:\n  fetch: 是\n" },
			[]string{"jihuo.yaml:19:", "into bool"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := crawl.ParseSource("jihuo.yaml", []byte(tc.edit(validSource)))
			if err == nil {
				t.Fatal("no error")
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("code = %s, want invalid", domain.ErrorCode(err))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadSourcesRejectsDuplicateIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"sources/a.yaml":   {Data: []byte(validSource)},
		"sources/b.yaml":   {Data: []byte(validSource)},
		"sources/notes.md": {Data: []byte("not a source")},
	}
	_, err := crawl.LoadSources(fsys, "sources")
	if err == nil || !strings.Contains(err.Error(), "sources/b.yaml:1:") || !strings.Contains(err.Error(), "sources/a.yaml") {
		t.Fatalf("err = %v, want duplicate id naming both files", err)
	}
	delete(fsys, "sources/b.yaml")
	srcs, err := crawl.LoadSources(fsys, "sources")
	if err != nil || len(srcs) != 1 || srcs[0].File != "sources/a.yaml" {
		t.Fatalf("LoadSources = %+v, %v", srcs, err)
	}
}

func TestQueriesPerRunBudget(t *testing.T) {
	base := "id: jihuo\nsearch:\n  url: \"https://www.jihuo.example/s?q={query}\"\n%sextract:\n  css:\n    item: li\n    fields:\n      title: a\n      url: a@href\n"
	cases := []struct {
		line string
		want int
		err  string
	}{
		{"", crawl.DefaultQueriesPerRun, ""},
		{"  queries_per_run: 60\n", 60, ""},
		{"  queries_per_run: -1\n", 0, `field "search.queries_per_run": must be between 1 and 10000`},
	}
	for _, c := range cases {
		src, err := crawl.ParseSource("jihuo.yaml", []byte(fmt.Sprintf(base, c.line)))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil || src.QueriesPerRun != c.want {
			t.Errorf("%q: budget %d, err %v; want %d", c.line, src.QueriesPerRun, err, c.want)
		}
	}
}

func TestParseSourceImages(t *testing.T) {
	cases := []struct {
		name      string
		block     string
		fetch     bool
		wantBytes int64
	}{
		{"absent: no fetch, default cap", "", false, crawl.DefaultImageMaxBytes},
		{"fetch with the default cap", "images:\n  fetch: true\n", true, 2 << 20},
		{"own cap", "images:\n  fetch: true\n  max_bytes: 524288\n", true, 512 << 10},
		{"the 16 MiB ceiling itself", "images:\n  fetch: true\n  max_bytes: 16777216\n", true, crawl.MaxImageMaxBytes},
		{"cap without fetch", "images:\n  max_bytes: 65536\n", false, 64 << 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := crawl.ParseSource("jihuo.yaml", []byte(validSource+c.block))
			if err != nil {
				t.Fatal(err)
			}
			if src.Images.Fetch != c.fetch || src.Images.MaxBytes != c.wantBytes {
				t.Errorf("images = %+v, want fetch %v, max_bytes %d", src.Images, c.fetch, c.wantBytes)
			}
		})
	}
}
