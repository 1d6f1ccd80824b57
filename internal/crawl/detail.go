package crawl

import (
	"bytes"
	"errors"
	"net/http"
	"slices"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"
	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

// Colly context keys for listing-page requests.
const (
	ctxKind    = "kind"
	kindDetail = "detail"
	ctxListing = "listing"
)

// splitDetails separates listings that can go out now from those whose own
// page should fill an empty field first, within the run's detail budget.
func (r *run) splitDetails(ls []domain.Listing) (ready, details []domain.Listing) {
	if r.src.Detail == nil {
		return ls, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range ls {
		if r.detailPages+len(details) < r.src.Detail.MaxPerRun && missesDetail(l, r.src.Detail.Fields) {
			details = append(details, l)
		} else {
			ready = append(ready, l)
		}
	}
	r.detailPages += len(details)
	return ready, details
}

func missesDetail(l domain.Listing, f Fields) bool {
	return (len(f.Price) > 0 && l.Price == 0) || (len(f.Seller) > 0 && l.Seller == "") ||
		(len(f.Location) > 0 && l.Location == "") || (len(f.Image) > 0 && l.ImageURL == "")
}

// fillDetail fills l's empty fields from its own page. A page that cannot
// be read is counted and l is returned as it was: the listing is not lost
// for want of a detail.
func (r *run) fillDetail(l domain.Listing, pageURL string, body []byte, contentType string) domain.Listing {
	if int64(len(body)) > r.src.MaxBodyBytes {
		r.count(KindTooLarge)
		return l
	}
	text, warning, err := decodeBody(body, contentType)
	if err != nil {
		r.count(KindEncoding)
		return l
	}
	if warning != "" {
		r.count(KindEncoding)
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		r.count(KindParse)
		r.c.log.Warn("parsing listing page", zap.String("source_id", r.src.ID), zap.String("url", pageURL), zap.Error(err))
		return l
	}
	base, _ := parseBase(pageURL)
	if more := r.c.readContacts(readableText(root, maxDetailText)); len(more) > 0 {
		l.Contacts = mergeContacts(slices.Clip(l.Contacts), more)
	}
	rec := r.src.Detail.read(root)
	if l.Price == 0 {
		l.Price = parsePrice(rec.price)
	}
	if l.Seller == "" {
		l.Seller = cleanText(rec.seller)
	}
	if l.Location == "" {
		l.Location = cleanText(rec.location)
	}
	if l.ImageURL == "" {
		l.ImageURL = resolveURL(base, rec.image)
	}
	return l
}

// read applies the rules to a parsed listing page.
func (d *DetailRules) read(root *html.Node) record {
	var rec record
	for _, f := range d.compiledFields() {
		for _, sel := range f.sels {
			if v, _ := sel.value(root); v != "" {
				rec.set(f.name, v)
				break
			}
		}
	}
	return rec
}

// compiledFields returns the compiled selectors, compiling afresh when the
// rules were built by hand rather than by ParseSource.
func (d *DetailRules) compiledFields() []fieldSels {
	if d.compiled != nil {
		return d.compiled
	}
	fs, err := compileFields(d.Fields)
	if err != nil {
		return nil
	}
	return fs
}

// visitDetail requests a listing's page with colly; whatever stops it, the
// listing is still emitted.
func (r *run) visitDetail(l domain.Listing, query string) {
	cc := colly.NewContext()
	cc.Put(ctxKind, kindDetail)
	cc.Put(ctxListing, l)
	cc.Put(ctxQuery, query)
	cc.Put(ctxAttempt, 0)
	cc.Put(ctxRequestURL, l.URL)
	err := r.col.Request(http.MethodGet, l.URL, nil, cc, nil)
	if err == nil {
		return
	}
	var already *colly.AlreadyVisitedError
	switch {
	case errors.As(err, &already), r.ctx.Err() != nil:
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		r.count(KindRobots)
	case errors.Is(err, colly.ErrForbiddenDomain):
		r.count(KindDomain)
		r.c.log.Warn("listing page outside allowed domains", zap.String("source_id", r.src.ID), zap.String("url", l.URL))
	default:
		r.count(classify(0, err))
	}
	r.deliver([]domain.Listing{l}, query)
}

// detailResponse handles a fetched listing page.
func (r *run) detailResponse(resp *colly.Response) {
	l, _ := resp.Ctx.GetAny(ctxListing).(domain.Listing)
	l = r.fillDetail(l, resp.Request.URL.String(), resp.Body, resp.Headers.Get(originalContentType))
	l.DetailFetch = r.fetchOf(resp)
	r.deliver([]domain.Listing{l}, resp.Ctx.Get(ctxQuery))
}
