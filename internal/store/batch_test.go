package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSaveListingsBatchesLikeSingleSaves(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	var batch []ListingMatches
	for i := range 5 {
		l := walnut(fmt.Sprintf("https://demo.local/batch/%d", i))
		batch = append(batch, ListingMatches{Listing: l, Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}})
	}
	// The same URL twice in one batch: one alert, the second sighting only touches it.
	batch = append(batch, batch[0])
	res, err := db.SaveListings(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(batch) {
		t.Fatalf("%d results for %d listings", len(res), len(batch))
	}
	newAlerts := 0
	for _, r := range res {
		newAlerts += len(r.NewAlerts)
	}
	if newAlerts != 5 || res[5].TouchedAlerts != 1 || res[5].ListingID != res[0].ListingID {
		t.Fatalf("new alerts %d, last result %+v; want 5 new and the repeat touching the first", newAlerts, res[5])
	}
	_, total, err := db.ListAlerts(ctx, domain.AlertFilter{})
	if err != nil || total != 5 {
		t.Fatalf("alerts stored: %d, %v", total, err)
	}
}

func TestSaveListingsRejectsTheWholeBatchOnOneBadListing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, nil)
	good := ListingMatches{Listing: walnut("https://demo.local/ok"), Matches: []domain.Match{match("lincheng-walnut", 0.9, true)}}
	bad := ListingMatches{Listing: domain.Listing{Title: "六个核桃", URL: "https://demo.local/x"}} // no source
	_, err := db.SaveListings(ctx, []ListingMatches{good, bad})
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "source_id") {
		t.Fatalf("got %v, want invalid naming source_id", err)
	}
	if _, total, _ := db.ListAlerts(ctx, domain.AlertFilter{}); total != 0 {
		t.Fatalf("%d alerts written from a rejected batch", total)
	}
}
