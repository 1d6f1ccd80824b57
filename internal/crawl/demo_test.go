package crawl_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
)

// The shipped demo.yaml must read the demo marketplace: every page (UTF-8,
// GBK by header, GBK by <meta>) yields listings with resolved URLs.
func TestDemoSourceReadsDemoMarketplace(t *testing.T) {
	srv := demo.NewServer(demo.Options{})
	base, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	srcs, err := crawl.LoadSources(os.DirFS("../../config/sources"), ".")
	if err != nil {
		t.Fatal(err)
	}
	var src crawl.Source
	for _, s := range srcs {
		if s.ID == "demo" {
			src = s
		}
	}
	if src.ID == "" {
		t.Fatal("no demo source in config/sources")
	}
	src.BaseURL = base
	c := crawl.New(crawl.Options{AllowPrivate: true})
	var mu sync.Mutex
	var got []domain.Listing
	st, err := c.Run(context.Background(), src, []string{"核桃", "今麦郎", "板栗"}, func(l domain.Listing) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, l)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v (stats %+v)", err, st)
	}
	t.Logf("stats %+v", st)
	if st.Pages != 9 {
		t.Errorf("pages = %d, want 9 (3 queries x 3 pages)", st.Pages)
	}
	if len(st.Errors) != 0 {
		t.Errorf("errors = %v, want none", st.Errors)
	}
	titles := map[string]domain.Listing{}
	for _, l := range got {
		titles[l.Title] = l
		if !strings.HasPrefix(l.URL, base+"/item/") || !strings.HasPrefix(l.ImageURL, "http://") {
			t.Errorf("unresolved URLs in %+v", l)
		}
		if l.Seller == "" || l.Location == "" || l.Price == 0 || l.Query == "" || l.SourceID != "demo" {
			t.Errorf("incomplete listing %+v", l)
		}
	}
	for _, want := range []string{"陆个核桃 核桃乳饮品 240ml*24罐 整箱批发 早餐奶", "今麦郞 老坛酸菜牛肉面 泡面 5连包 夜宵速食", "迂西板栗 油栗 新鲜 3斤装 糖炒栗子原料"} {
		if _, ok := titles[want]; !ok {
			t.Errorf("missing listing %q", want)
		}
	}
}
