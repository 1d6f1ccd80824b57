package crawl

import (
	"net/http"

	"github.com/gocolly/colly/v2"

	"github.com/markwatch/markwatch/internal/domain"
)

// ctxRequestURL keeps the URL a page was asked for: colly rewrites the
// request's URL to where redirects ended.
const ctxRequestURL = "request_url"

// fetchOf records what colly saw of one page. The body is the slice colly
// read (after transfer and content decoding, before any charset decoding:
// the transport hides the charset from colly); it is not copied, so it lives
// as long as the listings that point at the Fetch.
func (r *run) fetchOf(resp *colly.Response) *domain.Fetch {
	final := resp.Request.URL.String()
	reqURL := resp.Ctx.Get(ctxRequestURL)
	if reqURL == "" {
		reqURL = final
	}
	f := &domain.Fetch{
		RequestURL: reqURL, FinalURL: final, Status: resp.StatusCode, Body: resp.Body,
		FetchedAt: r.c.now(), UserAgent: r.src.UserAgent,
	}
	if resp.Headers != nil {
		h := *resp.Headers
		if ua := h.Get(userAgentHeader); ua != "" {
			f.UserAgent = ua
		}
		f.RemoteAddr = h.Get(remoteAddrHeader)
		f.Headers = publicHeaders(h)
	}
	return f
}

// publicHeaders returns the response headers as the server sent them: the
// transport's notes removed and the original Content-Type restored.
func publicHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		switch k {
		case originalContentType, remoteAddrHeader, userAgentHeader:
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	if ct := h.Values(originalContentType); len(ct) > 0 {
		out["Content-Type"] = append([]string(nil), ct...)
	}
	return out
}
