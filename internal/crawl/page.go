package crawl

import (
	"bytes"
	"errors"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// handlePage reads one fetched page, emits its new listings and returns the
// URL of the next page of the query, if there should be one, and the
// listings whose own page the fetcher should read before they are emitted
// (see DetailRules). Fetchers (colly, the headless browser) share it so both
// count, stop and paginate alike. Every listing of the page points at f, the
// record of the fetch (one Fetch per page, shared, not copied).
func (r *run) handlePage(pageURL string, body []byte, contentType, query string, index int, f *domain.Fetch) (next string, more bool, details []domain.Listing) {
	if r.ctx.Err() != nil {
		return "", false, nil
	}
	if int64(len(body)) > r.src.MaxBodyBytes {
		r.count(KindTooLarge)
		r.c.log.Warn("page larger than max_body_bytes", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
			zap.Int64("max_body_bytes", r.src.MaxBodyBytes))
		return "", false, nil
	}
	if !r.hold(len(body)) {
		return "", false, nil
	}
	kept := false // whether a listing keeps the body (through f)
	defer func() {
		if !kept {
			r.release(len(body))
		}
	}()
	// A page of a million tiny items costs its parse, not its bytes: an
	// HTML page is cut at the element budget before it is parsed.
	text, cut := body, false
	if r.src.Extract.JSON == nil {
		text, cut = cutElements(body, r.c.maxElements())
	} else if n := bytes.Count(body, []byte("{")); n > r.c.maxElements() {
		// JSON cannot be cut and still parse: a page with more objects
		// than the budget is not decoded at all.
		r.count(KindTooManyItems)
		r.c.log.Warn("JSON page has too many objects: not read", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
			zap.Int("objects", n), zap.Int("max_objects", r.c.maxElements()))
		return "", false, nil
	}
	page, err := ExtractWith(r.src, ExtractOptions{CardText: r.c.contacts != nil}, pageURL, text, contentType)
	if err != nil {
		kind := KindParse
		var xe *ExtractError
		if errors.As(err, &xe) {
			kind = xe.Kind
		}
		r.count(kind)
		r.c.log.Warn("extracting page", zap.String("source_id", r.src.ID), zap.String("url", pageURL), zap.Error(err))
		return "", false, nil
	}
	if page.Report.EncodingWarning != "" {
		r.count(KindEncoding)
		r.c.log.Warn("page encoding", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
			zap.String("warning", page.Report.EncodingWarning))
	}
	capped := cut || len(page.Listings) > r.c.maxItems()
	if maxItems := r.c.maxItems(); capped {
		r.count(KindTooManyItems)
		r.c.log.Warn("page has too many items: reading the first, paging no further", zap.String("source_id", r.src.ID),
			zap.String("url", pageURL), zap.Int("items", len(page.Listings)), zap.Bool("cut_at_element_budget", cut),
			zap.Int("max_items", maxItems))
		page.Listings = page.Listings[:min(len(page.Listings), maxItems):min(len(page.Listings), maxItems)]
		page.NextURL = ""
	}
	for i := range page.Listings {
		page.Listings[i].Fetch = f
		if i < len(page.Cards) {
			page.Listings[i].Contacts = r.c.readContacts(page.Cards[i])
		}
	}
	r.health.observe(page.Report, page.Listings)
	fresh := r.fresh(query, page.Listings)
	kept = len(fresh) > 0
	r.mu.Lock()
	r.pages++
	r.mu.Unlock()
	ready, details := r.splitDetails(fresh)
	// A page with nothing new ends the query: marketplaces answer past the
	// last page with an empty page or with the first page again.
	if !r.deliver(ready, query) || len(fresh) == 0 {
		return "", false, details
	}
	if capped {
		return "", false, details
	}
	next, more = r.nextPage(page, query, index)
	return next, more, details
}

// fresh drops listings this query has already produced in this run.
func (r *run) fresh(query string, ls []domain.Listing) []domain.Listing {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := r.seen[query]
	if seen == nil {
		seen = map[string]bool{}
		r.seen[query] = seen
	}
	out := ls[:0:0]
	for _, l := range ls {
		if !seen[l.URL] {
			seen[l.URL] = true
			out = append(out, l)
		}
	}
	return out
}

// deliver emits listings, after their images are hashed when the source
// fetches images (then in the background: the fetcher goes on to the next
// page). It reports whether the run goes on.
func (r *run) deliver(ls []domain.Listing, query string) bool {
	if r.images == nil || len(ls) == 0 {
		return r.emitAll(ls, query)
	}
	r.images.hashThenEmit(ls, query)
	return r.ctx.Err() == nil
}

// emitAll hands listings to emit one at a time; the first refusal cancels
// the run.
func (r *run) emitAll(ls []domain.Listing, query string) bool {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	now := r.c.now()
	for _, l := range ls {
		if r.ctx.Err() != nil {
			return false
		}
		l.Query = query
		l.SeenAt = now
		if err := r.emit(l); err != nil {
			r.mu.Lock()
			if r.emitErr == nil {
				r.emitErr = err
			}
			r.errs[KindEmit]++
			r.mu.Unlock()
			r.cancel()
			return false
		}
		r.mu.Lock()
		r.listings++
		r.mu.Unlock()
	}
	return true
}

// nextPage returns the URL of page index+1 of the query, or false when the
// query is done or has reached MaxPages.
func (r *run) nextPage(page Page, query string, index int) (string, bool) {
	next := ""
	switch {
	case len(r.src.Pagination.Next) > 0:
		if page.NextURL == "" {
			return "", false
		}
		next = page.NextURL
	case strings.Contains(r.src.SearchURL, "{page}"):
	default:
		return "", false
	}
	if index+1 >= r.src.MaxPages {
		r.mu.Lock()
		r.hitMaxPages = true
		r.mu.Unlock()
		return "", false
	}
	if next == "" {
		u, err := r.src.PageURL(query, index+1)
		if err != nil {
			r.count(KindFetch)
			r.c.log.Warn("building search URL", zap.String("source_id", r.src.ID), zap.String("query", query), zap.Error(err))
			return "", false
		}
		next = u
	}
	return next, true
}
