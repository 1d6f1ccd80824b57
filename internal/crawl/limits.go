package crawl

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
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
