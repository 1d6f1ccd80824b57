package demo_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/imagesig"
	"github.com/markwatch/markwatch/internal/seller"
)

// TestCrawlReadsTheSignals crawls each demo platform with its shipped
// source definition, hashing photos and reading contacts as the daemon
// does: every platform's ring shop comes out with the ring's phone (the
// main shop's WeChat from its cards' promo line, the wholesale shop's phone
// from its cards, the third shop's from its listing pages), and every
// listing carries its photo's hash.
func TestCrawlReadsTheSignals(t *testing.T) {
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
	c := crawl.New(crawl.Options{AllowPrivate: true, Images: imagesig.Hasher{}, Contacts: seller.Contacts})
	want := map[string]domain.Contact{
		demo.PlatformMain:    {Kind: domain.ContactWeChat, Value: demo.RingWeChat},
		demo.PlatformPifa:    {Kind: domain.ContactPhone, Value: demo.RingPhone},
		demo.PlatformYouxuan: {Kind: domain.ContactPhone, Value: demo.RingPhone},
	}
	for _, p := range demo.Platforms() {
		i := slices.IndexFunc(srcs, func(s crawl.Source) bool { return s.Platform == p.ID })
		if i < 0 {
			t.Fatalf("no source in config/sources reads %s (platform %s)", p.Name, p.ID)
		}
		src := srcs[i]
		src.BaseURL = base
		var mu sync.Mutex
		var got []domain.Listing
		_, err := c.Run(context.Background(), src, []string{"六个核桃", "衡水老白干"}, func(l domain.Listing) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, l)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		// A listing a second query finds again goes out without a second
		// fetch of its page, so what a listing page tells is judged on the
		// best sighting of each listing.
		located, contacts := map[string]bool{}, map[string]bool{}
		ring := 0
		for _, l := range got {
			if l.ImageHash == 0 {
				t.Errorf("%s: %q has no image hash", p.Name, l.Title)
			}
			located[l.URL] = located[l.URL] || l.Location != ""
			if l.Seller != demo.RingShops()[p.ID] {
				continue
			}
			ring++
			contacts[l.URL] = contacts[l.URL] || slices.Contains(l.Contacts, want[p.ID])
		}
		for u, ok := range located {
			if !ok {
				t.Errorf("%s: %s came out without a location", p.Name, u)
			}
		}
		for u, ok := range contacts {
			if !ok {
				t.Errorf("%s: ring listing %s came out without %v", p.Name, u, want[p.ID])
			}
		}
		if ring == 0 {
			t.Errorf("%s: the crawl found none of the ring shop's listings among %d", p.Name, len(got))
		}
	}
}
