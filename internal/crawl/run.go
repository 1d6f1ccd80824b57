package crawl

import (
	"context"
	"errors"
	"maps"
	"math"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Keys of the per-request colly context.
const (
	ctxQuery   = "query"
	ctxIndex   = "index"
	ctxAttempt = "attempt"
)

// run is the state of one Run: counters under mu, emit serialised by emitMu.
type run struct {
	c      *Crawler
	src    Source
	ctx    context.Context
	cancel context.CancelFunc
	emit   func(domain.Listing) error
	// transport carries this run's requests (Options.Transport or one of
	// the run's own, closed when the run ends).
	transport http.RoundTripper
	col       *colly.Collector // set once before the first visit
	// polite is the run's politeness per host, shared by pages and images.
	polite *politeTransport
	// images hashes listing images before they are emitted; nil when the
	// source does not fetch them.
	images *imageStage

	mu          sync.Mutex
	pages       int
	listings    int
	errs        map[string]int
	seen        map[string]map[string]bool // query → listing URLs already emitted
	hitMaxPages bool
	detailPages int   // listing pages requested so far
	held        int64 // bytes of page bodies the run holds (see hold)
	memFull     bool  // the memory budget is spent: no more requests
	emitErr     error
	health      Health // what extraction reported, page by page

	emitMu sync.Mutex
}

func newRun(c *Crawler, src Source, ctx context.Context, cancel context.CancelFunc, emit func(domain.Listing) error) *run {
	return &run{c: c, src: src, ctx: ctx, cancel: cancel, emit: emit, errs: map[string]int{}, seen: map[string]map[string]bool{}}
}

func (r *run) count(kind string) {
	r.mu.Lock()
	r.errs[kind]++
	r.mu.Unlock()
}

func (r *run) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Stats{Pages: r.pages, Listings: r.listings, DetailPages: r.detailPages, Health: r.health.Report(), Images: r.images.stats()}
	if len(r.errs) > 0 {
		st.Errors = maps.Clone(r.errs)
	}
	return st
}

// collector builds a fresh colly collector for this run: colly's Clone
// shares visited-URL storage, which would make a second run skip every page.
func (r *run) collector(hdr map[string]string) *colly.Collector {
	opts := []colly.CollectorOption{
		colly.StdlibContext(r.ctx),
		colly.UserAgent(r.src.UserAgent),
		colly.AllowedDomains(r.src.Hosts()...),
		// One byte over the limit tells a page that fits from one that was
		// cut: colly truncates silently at MaxBodySize.
		colly.MaxBodySize(int(min(r.src.MaxBodyBytes+1, math.MaxInt32))),
		colly.Async(true),
	}
	if len(hdr) > 0 {
		opts = append(opts, colly.Headers(hdr))
	}
	col := colly.NewCollector(opts...)
	// colly ignores robots.txt unless told otherwise.
	col.IgnoreRobotsTxt = !r.src.RespectRobots
	col.SetRequestTimeout(r.src.Timeout)
	col.WithTransport(r.polite)
	col.SetRedirectHandler(r.checkRedirect)
	col.OnResponse(r.onResponse)
	col.OnError(r.onError)
	r.col = col
	return col
}

// newPolite is the run's politeness: colly's pages and the image stage's
// requests take their turns from the same slots per host.
func (r *run) newPolite() *politeTransport {
	return &politeTransport{
		next: r.transport, ctx: r.ctx, parallelism: r.src.Parallelism, delay: r.src.Delay,
		jitter: func() time.Duration { return r.c.jitter(r.src.RandomDelay) },
		now:    r.c.now, hosts: map[string]chan *slot{}, maxBody: r.src.MaxBodyBytes,
		refuse: r.c.refusePrivate, pacer: r.c.pacer,
	}
}

// checkRedirect runs after colly has checked the allowed domains.
func (r *run) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	if r.c.privateURL(req.Context(), req.URL) {
		return &errPrivateRedirect{host: req.URL.Host}
	}
	return nil
}

// visit requests one results page. Refusals colly makes before any request
// (robots.txt, domain) are counted here; a URL already seen in this run is
// skipped silently: two queries can share a page.
func (r *run) visit(col *colly.Collector, query string, index int, pageURL string) {
	if r.ctx.Err() != nil || r.outOfMemory() {
		return
	}
	if pageURL == "" {
		u, err := r.src.PageURL(query, index)
		if err != nil {
			r.count(KindFetch)
			r.c.log.Warn("building search URL", zap.String("source_id", r.src.ID), zap.String("query", query), zap.Error(err))
			return
		}
		pageURL = u
	}
	if u, err := url.Parse(pageURL); err == nil && r.refusePage(u) {
		return
	}
	cc := colly.NewContext()
	cc.Put(ctxQuery, query)
	cc.Put(ctxIndex, index)
	cc.Put(ctxAttempt, 0)
	cc.Put(ctxRequestURL, pageURL)
	err := col.Request(http.MethodGet, pageURL, nil, cc, nil)
	var already *colly.AlreadyVisitedError
	switch {
	case err == nil, errors.As(err, &already):
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		r.count(KindRobots)
		r.c.log.Info("robots.txt disallows page", zap.String("source_id", r.src.ID), zap.String("url", pageURL))
	case errors.Is(err, colly.ErrForbiddenDomain):
		r.count(KindDomain)
		r.c.log.Warn("page outside allowed domains", zap.String("source_id", r.src.ID), zap.String("url", pageURL))
	case r.ctx.Err() != nil:
	default:
		r.count(classify(0, err))
		r.c.log.Warn("requesting page", zap.String("source_id", r.src.ID), zap.String("url", pageURL), zap.Error(err))
	}
}

// refusePage counts and reports a page whose host is, or resolves to, a
// refused private address; the fetchers (colly, the browser) ask before
// requesting it.
func (r *run) refusePage(u *url.URL) bool {
	if !r.c.privateURL(r.ctx, u) {
		return false
	}
	r.count(KindPrivate)
	r.c.log.Warn("refusing private address", zap.String("source_id", r.src.ID), zap.String("url", u.String()))
	return true
}

func (r *run) onResponse(resp *colly.Response) {
	if resp.Ctx.Get(ctxKind) == kindDetail {
		if !r.hold(len(resp.Body)) {
			// Over the run's budget: the listing goes out as it was.
			l, _ := resp.Ctx.GetAny(ctxListing).(domain.Listing)
			r.deliver([]domain.Listing{l}, resp.Ctx.Get(ctxQuery))
			return
		}
		r.detailResponse(resp)
		return
	}
	index, _ := resp.Ctx.GetAny(ctxIndex).(int)
	query := resp.Ctx.Get(ctxQuery)
	next, more, details := r.handlePage(resp.Request.URL.String(), resp.Body, resp.Headers.Get(originalContentType), query, index, r.fetchOf(resp))
	for _, d := range details {
		r.visitDetail(d, query)
	}
	if more {
		r.visit(r.col, query, index+1, next)
	}
}

// onError counts a failed fetch and retries 429 and 5xx with backoff,
// honouring Retry-After up to MaxRetryWait. The wait happens here, in
// colly's fetch goroutine, so Wait does not return before the retry starts.
func (r *run) onError(resp *colly.Response, err error) {
	if r.ctx.Err() != nil {
		return
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	kind := classify(status, err)
	r.count(kind)
	pageURL := resp.Request.URL.String()
	attempt, _ := resp.Ctx.GetAny(ctxAttempt).(int)
	if !retryable(status) || attempt >= r.src.Retries {
		r.c.log.Warn("fetching page", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
			zap.Int("status", status), zap.String("kind", kind), zap.Int("attempts", attempt+1), zap.Error(err))
		if resp.Ctx.Get(ctxKind) == kindDetail {
			// The listing page failed; the listing itself is still good.
			l, _ := resp.Ctx.GetAny(ctxListing).(domain.Listing)
			r.deliver([]domain.Listing{l}, resp.Ctx.Get(ctxQuery))
		}
		return
	}
	wait := r.backoff(attempt)
	if resp.Headers != nil {
		if d, ok := retryAfter(*resp.Headers, r.c.now()); ok {
			wait = min(d, r.src.MaxRetryWait)
		}
	}
	r.c.log.Debug("retrying page", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
		zap.Int("status", status), zap.Duration("wait", wait), zap.Int("attempt", attempt+1))
	if sleepCtx(r.ctx, wait) != nil {
		return
	}
	resp.Ctx.Put(ctxAttempt, attempt+1)
	if err := resp.Request.Retry(); err != nil && r.ctx.Err() == nil {
		r.count(classify(0, err))
	}
}

// backoff is base·2^attempt plus up to half of that at random, capped at
// MaxRetryWait: spread retries so parallel slots do not return in step.
func (r *run) backoff(attempt int) time.Duration {
	d := r.src.RetryBaseDelay << min(attempt, 16)
	d += r.c.jitter(d / 2)
	return min(d, r.src.MaxRetryWait)
}
