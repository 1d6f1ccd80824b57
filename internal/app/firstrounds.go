package app

import (
	"strconv"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// firstRounds adds up the first run of every source, so the newcomer's
// banner speaks of the whole first crawl (the demo's three platforms), not
// of whichever platform happened to finish first.
type firstRounds struct {
	mu    sync.Mutex
	want  int // 0 until the daemon has said how many sources it runs
	seen  map[string]bool
	ids   []string
	total domain.CrawlRun
	fails int
	done  bool
}

func newFirstRounds() *firstRounds { return &firstRounds{seen: map[string]bool{}} }

// expect says how many sources run, once the daemon has started (a run may
// end before); it reports the sum when every first run has already ended.
func (f *firstRounds) expect(sources int) (sum domain.CrawlRun, ready bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.want = max(1, sources)
	return f.ready()
}

// add records a run; it reports the sum once, when the last source's first
// run has ended and the number of sources is known.
func (f *firstRounds) add(run domain.CrawlRun) (sum domain.CrawlRun, ready bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done || f.seen[run.SourceID] {
		return domain.CrawlRun{}, false
	}
	f.seen[run.SourceID] = true
	f.ids = append(f.ids, run.SourceID)
	f.total.Pages += run.Pages
	f.total.Listings += run.Listings
	f.total.Hits += run.Hits
	f.total.Alerts += run.Alerts
	if run.Status != domain.RunSucceeded {
		f.fails++
	}
	return f.ready()
}

func (f *firstRounds) ready() (sum domain.CrawlRun, ready bool) {
	if f.done || f.want == 0 || len(f.seen) < f.want {
		return domain.CrawlRun{}, false
	}
	f.done = true
	sum = f.total
	sum.SourceID = strings.Join(f.ids, ", ")
	sum.Status = domain.RunSucceeded
	if f.fails > 0 {
		sum.Status = domain.RunStatus(strconv.Itoa(f.fails) + " failed")
	}
	return sum, true
}
