package app

import (
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestFirstRoundsSumsEverySourcesFirstRun(t *testing.T) {
	f := newFirstRounds()
	if _, ready := f.add(domain.CrawlRun{SourceID: "demo-pifa", Status: domain.RunSucceeded, Pages: 24, Listings: 101, Hits: 5, Alerts: 1}); ready {
		t.Fatal("ready before the number of sources is known")
	}
	if _, ready := f.expect(3); ready {
		t.Fatal("ready after one of three")
	}
	runs := []domain.CrawlRun{
		{SourceID: "demo-pifa", Status: domain.RunSucceeded, Pages: 24, Listings: 101, Hits: 5}, // a second run is not a first
		{SourceID: "demo-youxuan", Status: domain.RunSucceeded, Pages: 24, Listings: 78, Hits: 4},
	}
	for _, r := range runs {
		if _, ready := f.add(r); ready {
			t.Fatalf("ready after %s, before every source's first run", r.SourceID)
		}
	}
	sum, ready := f.add(domain.CrawlRun{SourceID: "demo", Status: domain.RunSucceeded, Pages: 72, Listings: 576, Hits: 65, Alerts: 27})
	if !ready || sum.Pages != 120 || sum.Listings != 755 || sum.Hits != 74 || sum.Alerts != 28 || sum.Status != domain.RunSucceeded ||
		sum.SourceID != "demo-pifa, demo-youxuan, demo" {
		t.Fatalf("sum %+v ready %v", sum, ready)
	}
	if _, again := f.add(domain.CrawlRun{SourceID: "demo"}); again {
		t.Fatal("the banner's sum was reported twice")
	}
	// every run ended before the daemon said how many sources it runs
	g := newFirstRounds()
	if _, ready := g.add(domain.CrawlRun{SourceID: "jd", Status: domain.RunFailed}); ready {
		t.Fatal("ready before expect")
	}
	if sum, ready := g.expect(1); !ready || sum.Status != "1 failed" {
		t.Fatalf("a failed first run: %+v %v", sum, ready)
	}
}
