package crawl

import (
	"sort"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// Health accumulates, over one run, what extraction reported about each
// page: how many listings it gave, which fields came back empty and which
// selectors matched nothing. The pipeline holds the result against the
// source's recent runs to tell a marketplace that changed its markup from a
// quiet day. Safe for concurrent use: fetch goroutines report pages at once.
type Health struct {
	mu        sync.Mutex
	pages     int
	auto      int
	empty     int
	listings  int
	missing   map[string]int  // field → listings without it
	unmatched map[string]int  // "field: selector" → pages it matched nothing on
	autoItems map[string]bool // auto-detected item paths
}

// observe counts one extracted page and the listings kept from it.
func (h *Health) observe(rep ExtractReport, ls []domain.Listing) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.missing == nil {
		h.missing, h.unmatched, h.autoItems = map[string]int{}, map[string]int{}, map[string]bool{}
	}
	h.pages++
	h.listings += len(ls)
	switch {
	case len(ls) == 0:
		h.empty++
	case rep.Auto:
		h.auto++
		if rep.AutoItem != "" {
			h.autoItems[rep.AutoItem] = true
		}
	}
	for _, s := range rep.UnmatchedSelectors {
		h.unmatched[s]++
	}
	for _, l := range ls {
		for f, filled := range map[string]bool{
			"title": l.Title != "", "price": l.Price > 0, "seller": l.Seller != "",
			"location": l.Location != "", "url": l.URL != "", "image": l.ImageURL != "",
		} {
			if !filled {
				h.missing[f]++
			}
		}
	}
}

// Report returns the run's health so far; nil when no page was extracted.
func (h *Health) Report() *domain.RunHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pages == 0 {
		return nil
	}
	out := &domain.RunHealth{
		Pages: h.pages, PagesAuto: h.auto, PagesEmpty: h.empty, Listings: h.listings,
		ListingsPerPage: float64(h.listings) / float64(h.pages),
	}
	for f, n := range h.missing {
		if out.EmptyFields == nil {
			out.EmptyFields = map[string]int{}
		}
		out.EmptyFields[f] = n
	}
	// Only selectors that matched on no page: with fallbacks for several
	// eras of a site, one that misses a page now and then is expected.
	for s, n := range h.unmatched {
		if n == h.pages {
			out.Unmatched = append(out.Unmatched, s)
		}
	}
	sort.Strings(out.Unmatched)
	for p := range h.autoItems {
		out.AutoItems = append(out.AutoItems, p)
	}
	sort.Strings(out.AutoItems)
	return out
}
