package demo_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
)

// TestLayoutsServeTheSameItems switches the result pages' markup while the
// server runs: the shipped demo.yaml reads the classic layout with its
// selectors, the card layout only by auto-detection (its item selector
// named as unmatched) and the renamed-shop layout without sellers. Every
// layout holds the same items, on every page (UTF-8 and both GBK forms).
func TestLayoutsServeTheSameItems(t *testing.T) {
	srv := demo.NewServer(demo.Options{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	srcs, err := crawl.LoadSources(os.DirFS("../../config/sources"), ".")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(srcs, func(s crawl.Source) bool { return s.ID == "demo" })
	if i < 0 {
		t.Fatal("no demo source in config/sources")
	}
	src := srcs[i]
	read := func(page int) crawl.Page {
		t.Helper()
		u := ts.URL + "/search?" + url.Values{"q": {"核桃"}, "page": {strconv.Itoa(page)}}.Encode()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		p, err := crawl.Extract(src, u, b, res.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("Extract(page %d, layout %d): %v", page, srv.Layout(), err)
		}
		return p
	}
	want := map[int][]string{}
	for _, layout := range []demo.Layout{demo.LayoutClassic, demo.LayoutCards, demo.LayoutShopRenamed, demo.LayoutClassic} {
		srv.SetLayout(layout)
		for page := 1; page <= 3; page++ {
			p := read(page)
			var urls []string
			for _, l := range p.Listings {
				urls = append(urls, l.URL)
				if l.Title == "" || l.Price == 0 || l.Location == "" || (l.Seller == "") != (layout == demo.LayoutShopRenamed) {
					t.Errorf("layout %d page %d: listing %+v", layout, page, l)
				}
			}
			if len(urls) == 0 || (page < 3 && p.NextURL == "") {
				t.Fatalf("layout %d page %d: %d listings, next %q", layout, page, len(urls), p.NextURL)
			}
			if want[page] == nil {
				want[page] = urls
			} else if !slices.Equal(urls, want[page]) {
				t.Errorf("layout %d page %d: items %v, want %v", layout, page, urls, want[page])
			}
			rep := p.Report
			switch layout {
			case demo.LayoutClassic:
				if rep.Auto || len(rep.UnmatchedSelectors) != 0 || len(rep.EmptyFields) != 0 {
					t.Errorf("classic page %d report %+v, want selectors matching", page, rep)
				}
			case demo.LayoutCards:
				if !rep.Auto || !slices.Contains(rep.UnmatchedSelectors, "item: ul.result-list li.result-item") {
					t.Errorf("cards page %d report %+v, want auto-detection and the item selector unmatched", page, rep)
				}
			case demo.LayoutShopRenamed:
				if rep.Auto || !slices.Equal(rep.EmptyFields, []string{"seller"}) || !slices.Contains(rep.UnmatchedSelectors, "seller: a.shop-name") {
					t.Errorf("renamed-shop page %d report %+v, want seller empty", page, rep)
				}
			}
		}
	}
}
