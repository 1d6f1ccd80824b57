package crawl_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/crawl"
)

// FuzzExtractAuto: whatever a server sends, auto-detection and Suggest do
// not panic, every listing has a clean title and a URL, and a suggested
// definition parses.
func FuzzExtractAuto(f *testing.F) {
	page := strings.Replace(shopPage, "%META%", "", 1)
	f.Add([]byte(page), "text/html; charset=utf-8")
	f.Add(gbk(f, page), "")
	f.Add([]byte("<ul><li><a href=/item/12345>标题</a>￥1.00</li><li><a href=/item/12346>标题二</a>¥2</li></ul>"), "")
	f.Add([]byte("<div class=a><a href='//x/1234.html' title=t><img data-lazy-img=//i/1.jpg></a></div><div class=a><a href='//x/1235.html' title=u><img src=data:x></a></div>"), "")
	f.Add([]byte("<li class=gl-item><div class=p-name><a href=//x/1><em>六个核桃\xff\xfe</em>"), "text/html; charset=x-unknown")
	f.Add([]byte("g_page_config = "+tbJSON+";"), "application/javascript")
	f.Add([]byte(`[{"title":"标题","url":"/item/12345"},{"title":"标题二","url":"/item/12346"},[[[[{}]]]]]`), "")
	if b, err := os.ReadFile(filepath.Join("testdata", "marketplace", "jd_search_2015-11_shatanku-nan.html")); err == nil {
		f.Add(b, "text/html")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := crawl.ExtractAuto("https://search.example.cn/s?q=x", body, contentType)
		if err != nil {
			return
		}
		for _, l := range p.Listings {
			if l.Title == "" || l.URL == "" {
				t.Fatalf("listing without title or URL: %+v", l)
			}
			if !utf8.ValidString(l.Title) || strings.TrimSpace(l.Title) != l.Title {
				t.Fatalf("unclean title %q", l.Title)
			}
		}
		s, err := crawl.Suggest("https://search.example.cn/s?q=x", body, contentType)
		if err != nil {
			return
		}
		if _, err := crawl.ParseSource("suggested.yaml", s.YAML); err != nil {
			t.Fatalf("suggested definition does not parse: %v\n%s", err, s.YAML)
		}
	})
}

// Hostile pages: deep nesting, a million-item page, huge texts. The work is
// bounded (nodes visited, groups scored, cards read) and nothing panics.
func TestExtractAutoHostilePages(t *testing.T) {
	var cards strings.Builder
	for i := range 6_000 { // more cards than are read
		fmt.Fprintf(&cards, `<li class="c"><a href="/item/%d.html">商品标题很长</a><span>￥9.90</span><img src="/i.jpg"></li>`, 100000+i)
	}
	pages := map[string]string{
		"deep":      strings.Repeat("<div>", 100_000) + "<a href=/item/12345>x</a>" + strings.Repeat("</div>", 100_000),
		"wide":      "<ul>" + cards.String() + "</ul>",
		"distinct":  "<body>" + strings.Repeat(`<div class="a"><p class="b"><a href="/item/1234567">t</a></p></div>`, 10_000) + "</body>",
		"long text": `<ul><li><a href="/item/12345">` + strings.Repeat("长", 300_000) + `</a></li><li><a href="/item/12346">` + strings.Repeat("长", 200_000) + `</a></li></ul>`,
		"classes":   "<body>" + strings.Repeat(`<div class="`+strings.Repeat("k ", 2000)+`"><a href="/item/12345">t</a></div>`, 200) + "</body>",
	}
	for name, body := range pages {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			p, err := crawl.ExtractAuto("https://s.example.cn/s?q=x", []byte(body), "text/html; charset=utf-8")
			var xe *crawl.ExtractError
			if errors.As(err, &xe) && xe.Kind == crawl.KindParse {
				t.Logf("%s: %v", name, err) // the HTML parser refuses > 512 open elements
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := time.Since(start)
			t.Logf("%s: %d bytes, %d listings, %v", name, len(body), len(p.Listings), d)
			if name == "wide" && len(p.Listings) != 5000 {
				t.Errorf("wide page: %d listings, want the cap of 5000 cards", len(p.Listings))
			}
			if len(p.Listings) > 5000 {
				t.Errorf("%d listings: cards not capped", len(p.Listings))
			}
			if _, err := crawl.Suggest("https://s.example.cn/s?q=x", []byte(body), ""); err != nil {
				t.Logf("suggest: %v", err)
			}
		})
	}
}
