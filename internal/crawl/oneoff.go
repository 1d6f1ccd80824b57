package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/net/html"

	"github.com/markwatch/markwatch/internal/domain"
)

// Kinds of one-off fetch failures beyond those a run counts.
const (
	// KindPrivate: the URL's host is, resolves to or was dialled at a
	// loopback, private or link-local address.
	KindPrivate = "private_address"
	// KindContentType: an image URL answered with something that is not
	// an image.
	KindContentType = "content_type"
)

// DefaultImageLimit bounds FetchImage when the caller gives no limit.
const DefaultImageLimit = 10 << 20

// FetchError is why a one-off fetch (FetchImage, Recheck, CapturePage)
// failed. Kind is one of the Kind* constants (too_large, http_4xx, timeout,
// private_address, ...); Status is the HTTP status when there was an answer.
type FetchError struct {
	Kind   string
	URL    string
	Status int
	Err    error
}

func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("fetching %s: %s (HTTP %d): %v", e.URL, e.Kind, e.Status, e.Err)
	}
	return fmt.Sprintf("fetching %s: %s: %v", e.URL, e.Kind, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// ErrorKind returns the kind of a one-off fetch error, or "" when err is
// not one.
func ErrorKind(err error) string {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return ""
}

func fetchErr(kind, u string, status int, err error) *FetchError {
	return &FetchError{Kind: kind, URL: u, Status: status, Err: err}
}

// FetchImage fetches one image with the source's headers and user agent,
// keeping its delay between requests to the same host, refusing private
// addresses (unless the Crawler allows them) and bodies over limit bytes
// (DefaultImageLimit when limit <= 0; kind too_large). The answer must say
// image/* or sniff as an image (kind content_type). It returns the body, its
// media type and the record of the fetch; the body is Fetch.Body.
func (c *Crawler) FetchImage(ctx context.Context, src Source, rawURL string, limit int64) ([]byte, string, domain.Fetch, error) {
	if limit <= 0 {
		limit = DefaultImageLimit
	}
	f, err := c.get(ctx, src, rawURL, limit, "image/avif,image/webp,image/apng,image/*;q=0.9,*/*;q=0.5")
	if err != nil {
		return nil, "", f, err
	}
	if f.Status >= 400 {
		return nil, "", f, fetchErr(classify(f.Status, nil), rawURL, f.Status, errors.New("image not served"))
	}
	mt, _, _ := mime.ParseMediaType(http.Header(f.Headers).Get("Content-Type"))
	if !strings.HasPrefix(mt, "image/") {
		sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(f.Body))
		if !strings.HasPrefix(sniffed, "image/") {
			return nil, "", f, fetchErr(KindContentType, rawURL, f.Status,
				fmt.Errorf("not an image: Content-Type %q, content looks like %s", mt, sniffed))
		}
		mt = sniffed
	}
	return f.Body, mt, f, nil
}

// RecheckResult is what a listing's page says now.
type RecheckResult struct {
	// Removed: the page answered 404 or 410 or says the offer is gone
	// (已下架, 商品已下柜, 该商品已下架, 宝贝不存在). Reason says which.
	Removed bool
	Reason  string
	// The listing's fields as its page shows them: Title from the page's
	// og:title or <title>, the others by the source's detail rules (empty
	// when the source has none).
	Title    string
	Price    float64
	Seller   string
	Location string
	ImageURL string
	Fetch    domain.Fetch
}

// removedPhrases say, in a listing page's visible text, that the offer is
// gone. Read-only.
var removedPhrases = []string{"该商品已下架", "商品已下柜", "已下架", "宝贝不存在"}

// Recheck fetches a listing's page again, under the same rules as a
// run's listing pages (allowed domains, private addresses, max_body_bytes,
// headers, user agent, delay), and reports whether it was removed or what
// it shows now. Answers other than 2xx/3xx, 404 and 410 are errors (with
// the Fetch filled in as far as there was an answer).
func (c *Crawler) Recheck(ctx context.Context, src Source, listingURL string) (RecheckResult, error) {
	var res RecheckResult
	if err := checkHost(src, listingURL); err != nil {
		return res, err
	}
	f, err := c.get(ctx, src, listingURL, src.MaxBodyBytes, "text/html,application/xhtml+xml,*/*;q=0.8")
	res.Fetch = f
	if err != nil {
		return res, err
	}
	if f.Status == http.StatusNotFound || f.Status == http.StatusGone {
		res.Removed, res.Reason = true, fmt.Sprintf("HTTP %d", f.Status)
		return res, nil
	}
	if f.Status >= 400 {
		return res, fetchErr(classify(f.Status, nil), listingURL, f.Status, errors.New("listing page not served"))
	}
	text, _, err := decodeBody(f.Body, http.Header(f.Headers).Get("Content-Type"))
	if err != nil {
		return res, fetchErr(KindEncoding, listingURL, f.Status, err)
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return res, fetchErr(KindParse, listingURL, f.Status, err)
	}
	visible := visibleText(root)
	for _, p := range removedPhrases {
		if strings.Contains(visible, p) {
			res.Removed, res.Reason = true, "page says "+p
			return res, nil
		}
	}
	res.Title = pageTitle(root)
	if src.Detail != nil {
		rec := src.Detail.read(root)
		base, _ := parseBase(f.FinalURL)
		res.Price = parsePrice(rec.price)
		res.Seller = cleanText(rec.seller)
		res.Location = cleanText(rec.location)
		res.ImageURL = resolveURL(base, rec.image)
	}
	return res, nil
}

// checkHost applies the source's allowed domains to a listing page.
func checkHost(src Source, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fetchErr(KindFetch, rawURL, 0, errors.New("not an absolute http(s) URL"))
	}
	if !slices.Contains(src.Hosts(), u.Hostname()) {
		return fetchErr(KindDomain, rawURL, 0, fmt.Errorf("host %s is not in the source's allowed domains", u.Hostname()))
	}
	return nil
}

// get makes one polite GET outside a run and records it. Bodies over limit
// bytes are refused (too_large); a status of 400 or more is not an error
// here, callers decide.
func (c *Crawler) get(ctx context.Context, src Source, rawURL string, limit int64, accept string) (domain.Fetch, error) {
	f := domain.Fetch{RequestURL: rawURL, FinalURL: rawURL, UserAgent: src.UserAgent}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return f, fetchErr(KindFetch, rawURL, 0, errors.New("not an absolute http(s) URL"))
	}
	hdr, err := c.headers(src)
	if err != nil {
		return f, err
	}
	if c.privateURL(ctx, u) {
		return f, fetchErr(KindPrivate, rawURL, 0, fmt.Errorf("refusing private address %s", u.Host))
	}
	if !c.robotsAllow(ctx, src, hdr, u) {
		return f, fetchErr(KindRobots, rawURL, 0, errors.New("robots.txt disallows it"))
	}
	if err := c.politeWait(ctx, src, u.Host); err != nil {
		return f, fetchErr(classify(0, err), rawURL, 0, err)
	}
	timeout := src.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return f, fetchErr(KindFetch, rawURL, 0, err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if src.UserAgent != "" {
		req.Header.Set("User-Agent", src.UserAgent)
	}
	req.Header.Set("Accept", accept)
	f.UserAgent = req.Header.Get("User-Agent")
	req, remote := traceRemote(req)
	client := &http.Client{Transport: c.oneOff(), CheckRedirect: func(next *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errTooManyRedirects
		}
		if c.privateURL(next.Context(), next.URL) {
			return &errPrivateRedirect{host: next.URL.Host}
		}
		return nil
	}}
	resp, err := client.Do(req)
	if err != nil {
		kind := classify(0, err)
		var priv *errPrivateRedirect
		if errors.As(err, &priv) {
			kind = KindPrivate
		}
		return f, fetchErr(kind, rawURL, 0, err)
	}
	defer resp.Body.Close()
	gunzipBounded(resp, limit)
	f.FetchedAt = c.now()
	f.FinalURL = resp.Request.URL.String()
	f.Status = resp.StatusCode
	f.Headers = publicHeaders(resp.Header)
	f.RemoteAddr = remote()
	if c.refusedRemote(f.RemoteAddr) {
		// The name resolved to a public address when checked and to a
		// private one when dialled.
		return f, fetchErr(KindPrivate, rawURL, f.Status, fmt.Errorf("refusing private address %s", f.RemoteAddr))
	}
	if resp.ContentLength > limit {
		return f, fetchErr(KindTooLarge, rawURL, f.Status, fmt.Errorf("over %d bytes (Content-Length %d)", limit, resp.ContentLength))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return f, fetchErr(classify(0, err), rawURL, f.Status, err)
	}
	if int64(len(body)) > limit {
		return f, fetchErr(KindTooLarge, rawURL, f.Status, fmt.Errorf("over %d bytes", limit))
	}
	f.Body = body
	return f, nil
}

func privateRemote(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return false
		}
		ip, err := netip.ParseAddr(host)
		return err == nil && privateAddr(ip)
	}
	return privateAddr(ap.Addr())
}

// oneOff returns the transport of one-off requests: Options.Transport, or
// one of the Crawler's own.
func (c *Crawler) oneOff() http.RoundTripper {
	c.oneOffOnce.Do(func() {
		c.oneOffTransport = c.transport
		if c.oneOffTransport == nil {
			t := c.newTransport()
			t.IdleConnTimeout = 30 * time.Second
			c.oneOffTransport = t
		}
	})
	return c.oneOffTransport
}

// robotsTTL is how long a host's robots.txt is trusted for one-off
// requests.
const robotsTTL = time.Hour

type robotsEntry struct {
	group   *robotstxt.Group // nil: everything allowed
	fetched time.Time
}

// robotsAllow applies robots.txt to a one-off request when the source
// respects it, as its runs do; the file is fetched once an hour per source
// and host.
func (c *Crawler) robotsAllow(ctx context.Context, src Source, hdr map[string]string, u *url.URL) bool {
	if !src.RespectRobots {
		return true
	}
	key := src.ID + "\x00" + u.Scheme + "://" + u.Host
	now := c.now()
	c.robotsMu.Lock()
	e, ok := c.robotsCache[key]
	c.robotsMu.Unlock()
	if !ok || now.Sub(e.fetched) > robotsTTL || now.Before(e.fetched) {
		timeout := src.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		rb := &robots{client: &http.Client{Timeout: timeout, Transport: c.oneOff()}, ua: src.UserAgent, hdr: hdr}
		e = robotsEntry{group: rb.fetch(ctx, u), fetched: now}
		c.robotsMu.Lock()
		if c.robotsCache == nil {
			c.robotsCache = map[string]robotsEntry{}
		}
		c.robotsCache[key] = e
		c.robotsMu.Unlock()
	}
	if e.group == nil {
		return true
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return e.group.Test(path)
}

// politeWait spaces one-off requests to a host by the source's delay plus
// its random extra: each caller reserves the next start time and sleeps
// until it, giving up when ctx ends.
func (c *Crawler) politeWait(ctx context.Context, src Source, host string) error {
	gap := src.Delay + c.jitter(src.RandomDelay)
	now := c.now()
	c.hostMu.Lock()
	if c.hostNext == nil {
		c.hostNext = map[string]time.Time{}
	}
	start := c.hostNext[host]
	if start.Before(now) {
		start = now
	}
	c.hostNext[host] = start.Add(gap)
	for h, t := range c.hostNext {
		if t.Before(now) {
			delete(c.hostNext, h) // past reservations bound the map
		}
	}
	c.hostMu.Unlock()
	return sleepCtx(ctx, start.Sub(now))
}

// visibleText is the text a reader sees: text nodes outside script, style,
// noscript and template.
func visibleText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "noscript", "template":
				return
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

// pageTitle is the page's og:title, else its <title>.
func pageTitle(root *html.Node) string {
	var og, title string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				prop, content := "", ""
				for _, a := range n.Attr {
					switch a.Key {
					case "property", "name":
						prop = a.Val
					case "content":
						content = a.Val
					}
				}
				if prop == "og:title" && og == "" {
					og = content
				}
			case "title":
				if title == "" && n.FirstChild != nil {
					title = n.FirstChild.Data
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(root)
	if t := cleanText(og); t != "" {
		return t
	}
	return cleanText(title)
}
