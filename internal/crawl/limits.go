package crawl

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"

	"go.uber.org/zap"
	"golang.org/x/net/html"
)

// gunzipBounded decodes a gzip answer in the transport, before colly sees it,
// so colly's MaxBodySize limits the decoded bytes. colly limits the bytes on
// the wire and then decompresses without limit: a 1 MB answer of zeros
// expands to a gigabyte. The decoded body is cut after limit+1 bytes (one
// over tells a page that fits from one that does not; the page is then
// counted too_large). It decodes what colly would have: Content-Encoding
// gzip that net/http left alone (the request named Accept-Encoding itself),
// a gzip Content-Type without an encoding, and .xml.gz paths.
func gunzipBounded(resp *http.Response, limit int64) {
	if resp.Body == nil || resp.Uncompressed || !gzipped(resp) {
		if resp.Body != nil && limit > 0 {
			resp.Body = &boundedBody{r: io.LimitReader(resp.Body, limit+1), c: resp.Body}
		}
		return
	}
	resp.Body = &boundedBody{r: &lazyGunzip{src: resp.Body, limit: limit}, c: resp.Body}
	resp.Uncompressed = true
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
}

func gzipped(resp *http.Response) bool {
	ce := strings.ToLower(resp.Header.Get("Content-Encoding"))
	if strings.Contains(ce, "gzip") {
		return true
	}
	if ce == "" && strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "gzip") {
		return true
	}
	return resp.Request != nil && strings.HasSuffix(strings.ToLower(resp.Request.URL.Path), ".xml.gz")
}

// lazyGunzip opens the gzip stream on the first Read (gzip.NewReader reads
// the header, which must not block RoundTrip) and stops after limit+1
// decoded bytes.
type lazyGunzip struct {
	src   io.Reader
	limit int64
	r     io.Reader
	err   error
}

func (g *lazyGunzip) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.r == nil {
		zr, err := gzip.NewReader(g.src)
		if err != nil {
			g.err = err
			return 0, err
		}
		g.r = zr
		if g.limit > 0 {
			g.r = io.LimitReader(zr, g.limit+1)
		}
	}
	return g.r.Read(p)
}

type boundedBody struct {
	r io.Reader
	c io.Closer
}

func (b *boundedBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *boundedBody) Close() error               { return b.c.Close() }

// maxRobotsBytes is how much of a robots.txt is read (Google's limit);
// the rest is ignored.
const maxRobotsBytes = 500 << 10

// elementsPerItem sizes a page's element budget from its item cap: real
// marketplace pages hold 40–50 elements per listing, chrome included (2,612
// elements for 60 listings on the largest shared JD page).
const (
	elementsPerItem = 80
	minElements     = 20_000
)

// maxItems is the Crawler's cap on listings per page.
func (c *Crawler) maxItems() int {
	if c.maxItemsOpt > 0 {
		return c.maxItemsOpt
	}
	return DefaultMaxItems
}

func (c *Crawler) maxRunBytes() int64 {
	if c.maxRunBytesOpt > 0 {
		return c.maxRunBytesOpt
	}
	return DefaultMaxRunBytes
}

// maxElements is the element budget of one HTML page: the parsed tree, not
// the bytes, is what a page of a million tiny items costs.
func (c *Crawler) maxElements() int {
	return max(c.maxItems()*elementsPerItem, minElements)
}

// cutElements returns body cut just before its (limit+1)-th start tag, and
// whether it was cut. It only tokenises (no tree, next to no allocation), so
// a page far over the budget costs a scan, not its parse. The cut document
// is still HTML: the parser closes what was left open.
//
// Every start tag begins with "<", so a page with no more "<" than the
// budget (every real page: a few thousand tags against tens of thousands)
// is within it without being tokenised; tokenising cost a fifth of its
// parse again.
func cutElements(body []byte, limit int) ([]byte, bool) {
	if bytes.Count(body, []byte("<")) <= limit {
		return body, false
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	offset, n := 0, 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return body, false
		}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			if n++; n > limit {
				return body[:offset], true
			}
		}
		offset += len(z.Raw())
	}
}

// hold reserves n bytes of page body in the run's memory budget; false
// means the budget is spent (counted run_memory) and the run fetches no
// more.
func (r *run) hold(n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.memFull || r.held+int64(n) > r.c.maxRunBytes() {
		if !r.memFull {
			r.c.log.Warn("run memory budget spent: fetching no more pages", zap.String("source_id", r.src.ID),
				zap.Int64("held_bytes", r.held), zap.Int64("max_run_bytes", r.c.maxRunBytes()))
		}
		r.memFull = true
		r.errs[KindRunMemory]++
		return false
	}
	r.held += int64(n)
	return true
}

// release returns bytes of a body no listing keeps.
func (r *run) release(n int) {
	r.mu.Lock()
	r.held -= int64(n)
	r.mu.Unlock()
}

// outOfMemory reports whether the run's memory budget is spent.
func (r *run) outOfMemory() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.memFull
}
