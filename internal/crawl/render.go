package crawl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/temoto/robotstxt"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// runBrowser crawls a source whose results are rendered by JavaScript: each
// page is loaded in headless Chromium and the DOM it ends with goes through
// the same extraction, pagination and counting as a fetched page. Queries are
// shared among Parallelism tabs of one browser; a tab walks one query's pages
// in order, waiting Delay plus a random extra between them.
func (r *run) runBrowser(queries []string, hdr map[string]string) {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(r.ctx, r.c.browserOptions(r.src)...)
	defer cancelAlloc() // also waits for the browser process to exit
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first Run starts the browser and must not carry a timeout.
	if err := chromedp.Do(browserCtx); err != nil {
		if r.ctx.Err() != nil {
			return
		}
		r.count(KindFetch)
		r.c.log.Error("starting headless chromium", zap.String("source_id", r.src.ID), zap.Error(err))
		return
	}
	rb := &robots{client: &http.Client{Timeout: r.src.Timeout, Transport: r.transport}, ua: r.src.UserAgent, hdr: hdr, byHost: map[string]*robotstxt.Group{}}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range min(r.src.Parallelism, len(queries)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tabCtx, cancelTab := chromedp.NewContext(browserCtx)
			defer cancelTab()
			// The first Run on a context opens its tab, which then lives as
			// long as that Run's context: open it here, without a timeout,
			// or the first page's timeout would close the tab.
			if err := chromedp.Do(tabCtx); err != nil {
				if r.ctx.Err() != nil {
					return
				}
				r.count(KindFetch)
				r.c.log.Error("opening browser tab", zap.String("source_id", r.src.ID), zap.Error(err))
				return
			}
			if err := setHeaders(tabCtx, hdr); err != nil {
				r.count(KindFetch)
				r.c.log.Error("setting browser headers", zap.String("source_id", r.src.ID), zap.Error(err))
				return
			}
			for q := range jobs {
				r.browseQuery(tabCtx, rb, q)
			}
		}()
	}
	for _, q := range queries {
		select {
		case jobs <- q:
		case <-r.ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
}

// browserOptions are the flags every headless Chromium of the crawler
// starts with: the source's user agent, the binary found on PATH (or
// Options.BrowserPath) and, as root, no sandbox.
func (c *Crawler) browserOptions(src Source, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.UserAgent(src.UserAgent))
	opts = append(opts, chromedp.ExecPath(c.findBrowser()))
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on (containers,
		// CI); the crawler runs unprivileged in production.
		opts = append(opts, chromedp.NoSandbox)
	}
	return append(opts, extra...)
}

// setHeaders sends the source's headers_from_env with every request of the
// tab.
func setHeaders(tabCtx context.Context, hdr map[string]string) error {
	if len(hdr) == 0 {
		return nil
	}
	h := network.Headers{}
	for k, v := range hdr {
		h[k] = v
	}
	return chromedp.Do(tabCtx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
		return err
	}))
}

// browseQuery walks one query's pages in a tab.
func (r *run) browseQuery(tabCtx context.Context, rb *robots, query string) {
	pageURL, err := r.src.PageURL(query, 0)
	if err != nil {
		r.count(KindFetch)
		return
	}
	for index := 0; r.ctx.Err() == nil; index++ {
		if index > 0 {
			if sleepCtx(r.ctx, r.src.Delay+r.c.jitter(r.src.RandomDelay)) != nil {
				return
			}
		}
		html, finalURL, f, ok := r.render(tabCtx, rb, pageURL)
		if !ok {
			return
		}
		next, more, details := r.handlePage(finalURL, []byte(html), "text/html; charset=utf-8", query, index, f)
		for _, d := range details {
			if sleepCtx(r.ctx, r.src.Delay+r.c.jitter(r.src.RandomDelay)) != nil {
				return
			}
			if html, final, f, ok := r.render(tabCtx, rb, d.URL); ok {
				d = r.fillDetail(d, final, []byte(html), "text/html; charset=utf-8")
				d.DetailFetch = f
			}
			r.deliver([]domain.Listing{d}, query)
		}
		if !more {
			return
		}
		pageURL = next
	}
}

// render loads one page with the fetcher's rules: allowed hosts, robots.txt,
// timeout, 429/5xx retried with backoff, redirects kept on allowed and (by
// default) public hosts. The DOM is serialised after the first listing
// appears, or after the timeout's remainder when none does.
func (r *run) render(tabCtx context.Context, rb *robots, pageURL string) (html, finalURL string, f *domain.Fetch, ok bool) {
	u, err := url.Parse(pageURL)
	if err != nil || !slices.Contains(r.src.Hosts(), u.Hostname()) {
		r.count(KindDomain)
		return "", "", nil, false
	}
	if r.refusePage(u) {
		return "", "", nil, false
	}
	if r.src.RespectRobots && !rb.allowed(r.ctx, u) {
		r.count(KindRobots)
		r.c.log.Info("robots.txt disallows page", zap.String("source_id", r.src.ID), zap.String("url", pageURL))
		return "", "", nil, false
	}
	for attempt := 0; ; attempt++ {
		html, finalURL, f, err := r.load(tabCtx, pageURL)
		if r.ctx.Err() != nil {
			return "", "", nil, false
		}
		status := 0
		if f != nil {
			status = f.Status
		}
		if err == nil && status < 400 {
			if refused := r.checkFinalURL(u, finalURL); refused != "" {
				r.count(KindRedirect)
				r.c.log.Warn("refusing browser redirect", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
					zap.String("to", finalURL), zap.String("why", refused))
				return "", "", nil, false
			}
			return html, finalURL, f, true
		}
		kind := classify(status, err)
		r.count(kind)
		if !retryable(status) || attempt >= r.src.Retries {
			r.c.log.Warn("rendering page", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
				zap.Int("status", status), zap.String("kind", kind), zap.Error(err))
			return "", "", nil, false
		}
		if sleepCtx(r.ctx, r.backoff(attempt)) != nil {
			return "", "", nil, false
		}
	}
}

func (r *run) load(tabCtx context.Context, pageURL string) (html, finalURL string, f *domain.Fetch, err error) {
	ctx, cancel := context.WithTimeout(tabCtx, r.src.Timeout)
	defer cancel()
	f, err = navigate(ctx, pageURL, r.src.UserAgent, r.c.now)
	if err != nil {
		return "", "", f, err
	}
	if f.Status >= 400 {
		return "", f.FinalURL, f, fmt.Errorf("loading %s: HTTP %d", pageURL, f.Status)
	}
	if css := r.src.Extract.CSS; css != nil && len(css.Item) > 0 {
		// Results arrive after load; give them up to half the timeout (at
		// most 5 s). A page that never shows one is read as it is, which
		// ends the query: the last page of every query pays this wait once.
		wctx, wcancel := context.WithTimeout(ctx, min(r.src.Timeout/2, 5*time.Second))
		_ = chromedp.Do(wctx, chromedp.WaitReady(chromedp.CSS(strings.Join(css.Item, ", "))))
		wcancel()
	}
	html, err = chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		return "", "", f, fmt.Errorf("reading DOM of %s: %w", pageURL, err)
	}
	finalURL, err = chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "", "", f, fmt.Errorf("reading location of %s: %w", pageURL, err)
	}
	return html, finalURL, f, nil
}

// navigate loads pageURL in the tab of ctx and records the document's
// response as a Fetch: status, headers, remote address and the body Chromium
// received. Chromium hands text bodies over decoded to UTF-8 (binary ones
// byte for byte); the headers keep the charset the server declared.
func navigate(ctx context.Context, pageURL, userAgent string, now func() time.Time) (*domain.Fetch, error) {
	var mu sync.Mutex
	docs := map[string]network.RequestID{} // document response URL → request
	var order []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && e.Type == network.ResourceTypeDocument && e.Response != nil {
			mu.Lock()
			if _, seen := docs[e.Response.URL]; !seen {
				docs[e.Response.URL] = e.RequestID
				order = append(order, e.Response.URL)
			}
			mu.Unlock()
		}
	}); err != nil {
		return nil, fmt.Errorf("loading %s: %w", pageURL, err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(pageURL))
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", pageURL, err)
	}
	f := &domain.Fetch{RequestURL: pageURL, FinalURL: pageURL, Status: 200, FetchedAt: now(), UserAgent: userAgent, Rendered: true}
	if resp == nil {
		return f, nil
	}
	f.FinalURL, f.Status = resp.URL, int(resp.Status)
	if resp.RemoteIPAddress != "" {
		f.RemoteAddr = net.JoinHostPort(resp.RemoteIPAddress, strconv.FormatInt(resp.RemotePort, 10))
	}
	f.Headers = map[string][]string{}
	for k, v := range resp.Headers {
		// Chromium joins repeated headers with newlines.
		f.Headers[http.CanonicalHeaderKey(k)] = strings.Split(fmt.Sprint(v), "\n")
	}
	if ua := headerValue(resp.RequestHeaders, "User-Agent"); ua != "" {
		f.UserAgent = ua
	}
	mu.Lock()
	id, ok := docs[resp.URL]
	if !ok && len(order) > 0 {
		id = docs[order[len(order)-1]]
	}
	mu.Unlock()
	if id != "" {
		body, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (network.GetResponseBodyResult, error) {
			return cdp.Call(ctx, t, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		})
		if err == nil {
			f.Body = body.Body
		}
	}
	return f, nil
}

func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// checkFinalURL applies the redirect rules to where the browser ended up.
func (r *run) checkFinalURL(start *url.URL, final string) string {
	f, err := url.Parse(final)
	if err != nil {
		return "unparseable final URL"
	}
	if f.Host == start.Host {
		return ""
	}
	if !slices.Contains(r.src.Hosts(), f.Hostname()) {
		return "host not in allowed_domains"
	}
	if r.c.privateURL(r.ctx, f) {
		return "private address"
	}
	return ""
}

// robots fetches and caches robots.txt per host for the browser fetcher,
// which has no colly to do it.
type robots struct {
	client *http.Client
	ua     string
	hdr    map[string]string

	mu     sync.Mutex
	byHost map[string]*robotstxt.Group
}

func (rb *robots) allowed(ctx context.Context, u *url.URL) bool {
	rb.mu.Lock()
	defer rb.mu.Unlock() // one fetch per host; others wait for it
	g, ok := rb.byHost[u.Host]
	if !ok {
		g = rb.fetch(ctx, u)
		rb.byHost[u.Host] = g
	}
	if g == nil {
		return true
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return g.Test(path)
}

// fetch returns the group for our user agent; nil (allow) when there is no
// robots.txt. robotstxt.FromResponse treats 5xx as "disallow all".
func (rb *robots) fetch(ctx context.Context, u *url.URL) *robotstxt.Group {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Scheme+"://"+u.Host+"/robots.txt", nil)
	if err != nil {
		return nil
	}
	req.Header.Set("User-Agent", rb.ua)
	for k, v := range rb.hdr {
		req.Header.Set(k, v)
	}
	resp, err := rb.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	data, err := robotstxt.FromResponse(resp)
	if err != nil {
		return nil
	}
	return data.FindGroup(rb.ua)
}
