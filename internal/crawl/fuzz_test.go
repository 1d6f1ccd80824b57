package crawl_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzExtract feeds arbitrary bytes and Content-Types to both extractors.
// Whatever a marketplace sends, Extract must not panic, and every listing it
// returns must have a clean UTF-8 title and a URL.
func FuzzExtract(f *testing.F) {
	cssSrc := mustSource(f, shopSource)
	jsonSrc := mustSource(f, tbSource)
	page := strings.Replace(shopPage, "%META%", "", 1)
	f.Add([]byte(page), "text/html; charset=utf-8")
	f.Add(gbk(f, page), "text/html; charset=gbk")
	f.Add(gbk(f, page), "")
	f.Add([]byte("g_page_config = "+tbJSON+";"), "application/javascript")
	f.Add([]byte(tbJSON), "application/json; charset=utf-8")
	f.Add([]byte("<li class=gl-item><div class=p-name><a href=//x/1><em>六个核桃\xff\xfe</em>"), "text/html; charset=x-unknown")
	f.Add([]byte("\xef\xbb\xbf{\"mods\":[[[[[[[["), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for _, src := range []crawl.Source{cssSrc, jsonSrc} {
			p, err := crawl.ExtractWith(src, crawl.ExtractOptions{CardText: true}, "https://search.example.cn/s?q=x", body, contentType)
			if err != nil {
				continue
			}
			if p.Cards != nil && len(p.Cards) != len(p.Listings) {
				t.Fatalf("%d card texts for %d listings", len(p.Cards), len(p.Listings))
			}
			for _, c := range p.Cards {
				if !utf8.ValidString(c) || len(c) > 8<<10 {
					t.Fatalf("card text of %d bytes, valid UTF-8 %v", len(c), utf8.ValidString(c))
				}
			}
			for _, l := range p.Listings {
				if l.Title == "" || l.URL == "" {
					t.Fatalf("listing without title or URL: %+v", l)
				}
				if !utf8.ValidString(l.Title) || strings.TrimSpace(l.Title) != l.Title {
					t.Fatalf("unclean title %q", l.Title)
				}
			}
		}
	})
}

// FuzzParseSource: any bytes give a Source or an invalid-input error that
// names the file; never a panic or an internal error.
func FuzzParseSource(f *testing.F) {
	f.Add([]byte(validSource))
	f.Add([]byte(shopSource))
	f.Add([]byte(tbSource))
	f.Add([]byte(validSource + "images:\n  fetch: true\n  max_bytes: 1048576\n"))
	f.Add([]byte(validSource + "images: {fetch: yes, max_bytes: 99999999999999999999}\n"))
	f.Add([]byte(validSource + "images: [fetch]\n"))
	f.Add([]byte(validSource + "evidence: {recheck: \"CRON_TZ=Asia/Shanghai\"}\n")) // robfig/cron panicked on it
	f.Add([]byte("id: x\nsearch: {url: 'http://a/{query}'}\nextract: {css: {item: '[[', fields: {title: a, url: a@href}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := crawl.ParseSource("fuzz.yaml", data)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error %v: want invalid, naming the file", err)
			}
			return
		}
		if _, err := src.PageURL("核桃", 1); err != nil {
			t.Fatalf("accepted source cannot build a URL: %v", err)
		}
		if src.Images.MaxBytes < 1024 || src.Images.MaxBytes > crawl.MaxImageMaxBytes {
			t.Fatalf("accepted source with images.max_bytes %d", src.Images.MaxBytes)
		}
		if (src.Extract.CSS == nil) == (src.Extract.JSON == nil) {
			t.Fatalf("accepted source without exactly one extraction: %+v", src.Extract)
		}
	})
}
