package crawl_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/demo"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/store"
)

// TestDemoCrawlsOnTwoPortsAreOneSetOfAlerts is `markwatch crawl --source
// demo` beside the daemon: two demo marketplaces on two ports (the daemon's
// and the CLI's own), crawled with the shipped demo.yaml into one store. The
// listing URLs differ; the identities, and so the alerts, are the same.
func TestDemoCrawlsOnTwoPortsAreOneSetOfAlerts(t *testing.T) {
	ctx := context.Background()
	src := shippedSources(t)["demo"]
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "markwatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	c := crawl.New(crawl.Options{AllowPrivate: true})
	crawlOnce := func() (urls map[string]bool, created int) {
		srv := demo.NewServer(demo.Options{})
		base, err := srv.Start()
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		s := src
		s.BaseURL = base
		urls = map[string]bool{}
		_, err = c.Run(ctx, s, []string{"核桃"}, s.WithIdentity(func(l domain.Listing) error {
			l.SourceID = s.ID
			urls[l.URL] = true
			res, err := db.SaveListing(ctx, l, []domain.Match{{MarkID: "lincheng-hetao", Score: 0.9, Alert: true}})
			created += len(res.NewAlerts)
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		return urls, created
	}
	first, raised := crawlOnce()
	second, again := crawlOnce()
	if raised == 0 || len(first) == 0 {
		t.Fatalf("the first crawl raised %d alerts from %d listings", raised, len(first))
	}
	for u := range second {
		if first[u] {
			t.Fatalf("both crawls saw %s: the two marketplaces were not on two ports", u)
		}
	}
	if again != 0 {
		t.Errorf("the crawl on another port raised %d new alerts, want 0", again)
	}
	if _, total, _ := db.ListAlerts(ctx, domain.AlertFilter{}); total != raised {
		t.Errorf("%d alerts stored, want %d", total, raised)
	}
}
