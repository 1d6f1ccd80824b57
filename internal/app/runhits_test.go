package app

import (
	"context"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestRunCountsEachHitOnce: the demo's searches find many listings more than
// once in a run (六个核桃 and its look-alike spellings return the same
// offers); the run, and so the first-crawl banner, counts the hits stored,
// not the sightings (the banner said 74 hits while 34 were stored).
func TestRunCountsEachHitOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	cfg := testConfig(t, needMeilisearch(t))
	d, first := startAfterFirstCrawl(t, cfg)
	stored := 0
	if err := d.db.AllHits(context.Background(), func(domain.Hit) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored == 0 || first.Hits != stored {
		t.Fatalf("the first run counted %d hits; the store holds %d", first.Hits, stored)
	}
}
