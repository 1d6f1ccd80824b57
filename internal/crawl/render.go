package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
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
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.UserAgent(r.src.UserAgent))
	opts = append(opts, chromedp.ExecPath(r.c.findBrowser()))
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on (containers,
		// CI); the crawler runs unprivileged in production.
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(r.ctx, opts...)
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
			if len(hdr) > 0 {
				h := network.Headers{}
				for k, v := range hdr {
					h[k] = v
				}
				err := chromedp.Do(tabCtx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
						return err
					}
					_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
					return err
				}))
				if err != nil {
					r.count(KindFetch)
					r.c.log.Error("setting browser headers", zap.String("source_id", r.src.ID), zap.Error(err))
					return
				}
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
		html, finalURL, ok := r.render(tabCtx, rb, pageURL)
		if !ok {
			return
		}
		next, more, details := r.handlePage(finalURL, []byte(html), "text/html; charset=utf-8", query, index)
		for _, d := range details {
			if sleepCtx(r.ctx, r.src.Delay+r.c.jitter(r.src.RandomDelay)) != nil {
				return
			}
			if html, final, ok := r.render(tabCtx, rb, d.URL); ok {
				d = r.fillDetail(d, final, []byte(html), "text/html; charset=utf-8")
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
func (r *run) render(tabCtx context.Context, rb *robots, pageURL string) (html, finalURL string, ok bool) {
	u, err := url.Parse(pageURL)
	if err != nil || !slices.Contains(r.src.Hosts(), u.Hostname()) {
		r.count(KindDomain)
		return "", "", false
	}
	if r.src.RespectRobots && !rb.allowed(r.ctx, u) {
		r.count(KindRobots)
		r.c.log.Info("robots.txt disallows page", zap.String("source_id", r.src.ID), zap.String("url", pageURL))
		return "", "", false
	}
	for attempt := 0; ; attempt++ {
		html, finalURL, status, err := r.load(tabCtx, pageURL)
		if r.ctx.Err() != nil {
			return "", "", false
		}
		if err == nil && status < 400 {
			if refused := r.checkFinalURL(u, finalURL); refused != "" {
				r.count(KindRedirect)
				r.c.log.Warn("refusing browser redirect", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
					zap.String("to", finalURL), zap.String("why", refused))
				return "", "", false
			}
			return html, finalURL, true
		}
		kind := classify(int(status), err)
		r.count(kind)
		if !retryable(int(status)) || attempt >= r.src.Retries {
			r.c.log.Warn("rendering page", zap.String("source_id", r.src.ID), zap.String("url", pageURL),
				zap.Int64("status", status), zap.String("kind", kind), zap.Error(err))
			return "", "", false
		}
		if sleepCtx(r.ctx, r.backoff(attempt)) != nil {
			return "", "", false
		}
	}
}

func (r *run) load(tabCtx context.Context, pageURL string) (html, finalURL string, status int64, err error) {
	ctx, cancel := context.WithTimeout(tabCtx, r.src.Timeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(pageURL))
	if err != nil {
		return "", "", 0, fmt.Errorf("loading %s: %w", pageURL, err)
	}
	if resp != nil && resp.Status >= 400 {
		return "", resp.URL, resp.Status, fmt.Errorf("loading %s: HTTP %d", pageURL, resp.Status)
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
		return "", "", 0, fmt.Errorf("reading DOM of %s: %w", pageURL, err)
	}
	finalURL, err = chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "", "", 0, fmt.Errorf("reading location of %s: %w", pageURL, err)
	}
	status = 200
	if resp != nil {
		status = resp.Status
	}
	return html, finalURL, status, nil
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
	if !r.c.allowPrivate && isPrivateHost(r.ctx, f.Hostname()) {
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
