package crawl

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// originalContentType carries the server's Content-Type past colly. colly
// re-decodes bodies whose header names a charset, with no way to learn that
// it did; we decode once, ourselves, with rules that also catch pages that lie
// about their encoding. So the transport strips the charset before colly sees
// the header and keeps the original here.
const originalContentType = "X-Markwatch-Content-Type"

// Like originalContentType, these carry what the transport saw of one
// exchange past colly to the Fetch record: the address the connection was
// dialled at (httptrace) and the User-Agent actually sent. They are removed
// from the headers a Fetch keeps.
const (
	remoteAddrHeader = "X-Markwatch-Remote-Addr"
	userAgentHeader  = "X-Markwatch-User-Agent"
)

// politeTransport enforces a source's politeness per host: at most
// parallelism requests in flight, and each slot waits delay plus a random
// extra before its next request. Unlike colly's LimitRule it gives up the
// wait as soon as the request's context is cancelled, so a run stops at once.
type politeTransport struct {
	next        http.RoundTripper
	ctx         context.Context // the run's: for requests colly makes without one (robots.txt)
	parallelism int
	delay       time.Duration
	jitter      func() time.Duration // the random extra after each request
	now         func() time.Time
	// refuse, when set, refuses a request before it is sent (private
	// addresses); its error is the request's.
	refuse func(*http.Request) error
	// maxBody bounds the decoded body (see gunzipBounded); 0 means no bound.
	maxBody int64
	// pacer, when set, spaces requests to a host across every process
	// crawling it (Options.Pacer); the slots above still bound this
	// process's requests in flight.
	pacer Pacer

	mu    sync.Mutex
	hosts map[string]chan *slot
}

type slot struct{ readyAt time.Time }

// exchangeKey carries per-request overrides of a politeTransport (see
// withExchange).
type exchangeKey struct{}

// exchange is what one request asks of the politeTransport beyond the
// source's page rules: its own body limit (an image's max_bytes, not the
// page's max_body_bytes) and a timeout that starts once the request holds
// its slot, so waiting one's turn behind the source's delay does not eat
// into it.
type exchange struct {
	maxBody int64
	timeout time.Duration
}

func withExchange(ctx context.Context, e exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, e)
}

// cancelBody ends the exchange's timeout when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (t *politeTransport) slots(host string) chan *slot {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch, ok := t.hosts[host]
	if !ok {
		ch = make(chan *slot, t.parallelism)
		for range t.parallelism {
			ch <- &slot{}
		}
		t.hosts[host] = ch
	}
	return ch
}

func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if ctx.Done() == nil {
		req = req.WithContext(t.ctx)
		ctx = t.ctx
	}
	if t.refuse != nil {
		if err := t.refuse(req); err != nil {
			return nil, err
		}
	}
	ch := t.slots(req.URL.Host)
	var s *slot
	select {
	case s = <-ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { ch <- s }()
	if wait := s.readyAt.Sub(t.now()); wait > 0 {
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, err
		}
	}
	if t.pacer != nil && t.delay > 0 {
		if err := t.pacer.Wait(ctx, req.URL.Host, t.delay); err != nil {
			return nil, fmt.Errorf("waiting for %s's turn across workers: %w", req.URL.Host, err)
		}
	}
	ex, _ := ctx.Value(exchangeKey{}).(exchange)
	cancel := context.CancelFunc(func() {})
	if ex.timeout > 0 {
		var tctx context.Context
		tctx, cancel = context.WithTimeout(ctx, ex.timeout)
		req = req.WithContext(tctx)
	}
	req, remote := traceRemote(req)
	resp, err := t.next.RoundTrip(req)
	s.readyAt = t.now().Add(t.delay + t.jitter())
	if resp == nil || resp.Body == nil {
		cancel()
	} else {
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	}
	if resp != nil {
		limit := t.maxBody
		if ex.maxBody > 0 {
			limit = ex.maxBody
		}
		if req.URL.Path == "/robots.txt" {
			// A hostile robots.txt the size of a page costs many times its
			// bytes in the robots parser; read what Google reads.
			limit = min(limit, maxRobotsBytes)
		}
		gunzipBounded(resp, limit)
		hideCharset(resp.Header)
		noteExchange(resp.Header, req, remote)
	}
	return resp, err
}

// traceRemote asks the transport below to report the connection it uses;
// the returned func reads the remote address once RoundTrip has returned.
func traceRemote(req *http.Request) (*http.Request, func() string) {
	var mu sync.Mutex
	addr := ""
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if info.Conn == nil {
			return
		}
		mu.Lock()
		addr = info.Conn.RemoteAddr().String()
		mu.Unlock()
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	return req, func() string {
		mu.Lock()
		defer mu.Unlock()
		return addr
	}
}

func noteExchange(h http.Header, req *http.Request, remote func() string) {
	if a := remote(); a != "" {
		h.Set(remoteAddrHeader, a)
	} else {
		h.Del(remoteAddrHeader)
	}
	h.Set(userAgentHeader, req.Header.Get("User-Agent"))
}

func hideCharset(h http.Header) {
	ct := h.Get("Content-Type")
	if ct == "" {
		return
	}
	h.Set(originalContentType, ct)
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		h.Set("Content-Type", mt)
	} else {
		h.Del("Content-Type")
	}
}

// sleepCtx waits d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
