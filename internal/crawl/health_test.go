package crawl_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
)

// TestRunReportsSelectorHealth crawls the demo marketplace in each of its
// layouts with the shipped definition: Stats.Health counts the pages, the
// pages auto-detection read (all of them, once the item selector misses),
// the listings without a seller, and names the selectors that matched
// nothing on any page.
func TestRunReportsSelectorHealth(t *testing.T) {
	srv := demo.NewServer(demo.Options{})
	base, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	srcs, err := crawl.LoadSources(os.DirFS("../../config/sources"), ".")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(srcs, func(s crawl.Source) bool { return s.ID == "demo" })
	if i < 0 {
		t.Fatal("no demo source in config/sources")
	}
	src := srcs[i]
	src.BaseURL = base
	c := crawl.New(crawl.Options{AllowPrivate: true})
	for _, tc := range []struct {
		layout    demo.Layout
		auto      int
		noSeller  bool
		unmatched []string
	}{
		{layout: demo.LayoutClassic},
		{layout: demo.LayoutCards, auto: 6, unmatched: []string{"item: ul.result-list li.result-item"}},
		{layout: demo.LayoutShopRenamed, noSeller: true, unmatched: []string{"seller: a.shop-name"}},
	} {
		srv.SetLayout(tc.layout)
		st, err := c.Run(context.Background(), src, []string{"核桃", "今麦郎"}, func(domain.Listing) error { return nil })
		if err != nil {
			t.Fatalf("layout %d: %v", tc.layout, err)
		}
		h := st.Health
		if h == nil || h.Pages != 6 || st.Pages != 6 || h.Listings != st.Listings || h.ListingsPerPage != float64(st.Listings)/6 {
			t.Fatalf("layout %d: stats %+v health %+v, want 6 pages with every listing counted", tc.layout, st, h)
		}
		if h.PagesAuto != tc.auto || h.PagesEmpty != 0 || !slices.Equal(h.Unmatched, tc.unmatched) {
			t.Errorf("layout %d: health %+v, want %d pages auto-detected, unmatched %v", tc.layout, h, tc.auto, tc.unmatched)
		}
		if tc.auto > 0 && len(h.AutoItems) != 1 {
			t.Errorf("layout %d: auto items %v, want the card path", tc.layout, h.AutoItems)
		}
		want := map[string]int(nil)
		if tc.noSeller {
			want = map[string]int{"seller": st.Listings}
		}
		if !maps.Equal(h.EmptyFields, want) {
			t.Errorf("layout %d: empty fields %v, want %v", tc.layout, h.EmptyFields, want)
		}
	}
}
