package index

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// Meilisearch (1.21, actix-web) answers some requests before it has read
// their body: a body over its payload limit gets a 413, a write with a wrong
// key a 403. It then leaves the connection open, neither reading the rest of
// the body nor answering anything else sent on it (seen on a raw socket: the
// next request on it waits forever; curl never notices, as it does not reuse
// the connection). Go's transport has by then written the whole body into
// the socket buffers, so it puts the connection back in its pool, and the
// next request on it (a task poll, a search, the next write) times out as if
// Meilisearch were down. Expect: 100-continue does not help: Meilisearch
// says 100 Continue at once and refuses the body while reading it.
//
// So a connection that carried a request body and got an error answer is
// retired: no request is written on it again, and it is closed once the
// answer has been read.

// newTransport is the HTTP transport a Client's requests go through.
func newTransport() http.RoundTripper {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &retirableConn{Conn: c}, nil
		},
		// HTTP/2 answers an unread body with a stream reset, not a stuck
		// connection; a custom DialContext would otherwise turn it off.
		ForceAttemptHTTP2:   true,
		DisableCompression:  true,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &retiringTransport{base: base}
}

// retiringTransport retires the connection of a request with a body that
// got an error answer (see above).
type retiringTransport struct{ base *http.Transport }

// retiredRetries bounds how often one request is sent again after picking a
// retired connection from the pool (each such pick closes that connection).
const retiredRetries = 4

func (t *retiringTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	for attempt := 0; ; attempt++ {
		resp, err := t.roundTrip(req)
		// A retired connection refuses a request from its first byte, so
		// Meilisearch saw none of it and sending it again is safe. The
		// transport does so itself when the refusal came while flushing
		// its buffer, but not when it came while copying a body larger
		// than the buffer: that it takes for the body's reader failing.
		if !errors.Is(err, errRetired) || req.GetBody == nil || attempt == retiredRetries {
			return resp, err
		}
		body, gerr := req.GetBody()
		if gerr != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
}

// roundTrip sends req once, retiring its connection on an error answer.
func (t *retiringTransport) roundTrip(req *http.Request) (*http.Response, error) {
	var conn atomic.Pointer[retirableConn]
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		conn.Store(retirableOf(info.Conn))
	}}
	resp, err := t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	c := conn.Load()
	if err != nil || c == nil || resp.ProtoMajor != 1 || resp.StatusCode < 300 {
		return resp, err
	}
	// Retired before the body is read: reading it to the end hands the
	// connection back to the pool until Close closes it, and a request
	// that picks it up meanwhile must not be written on it.
	c.retired.Store(true)
	resp.Body = &closeConnBody{ReadCloser: resp.Body, conn: c}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the pool.
func (t *retiringTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// retirableOf finds our connection under a TLS one.
func retirableOf(c net.Conn) *retirableConn {
	for {
		switch v := c.(type) {
		case *retirableConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}

// errRetired is what a retired connection answers a write with.
var errRetired = errors.New("connection retired: Meilisearch answered a request on it before reading the request's body")

// retirableConn refuses writes once retired.
type retirableConn struct {
	net.Conn
	retired atomic.Bool
}

func (c *retirableConn) Write(p []byte) (int, error) {
	if c.retired.Load() {
		return 0, errRetired
	}
	return c.Conn.Write(p)
}

// closeConnBody closes a retired connection with the answer's body.
type closeConnBody struct {
	io.ReadCloser
	conn *retirableConn
}

func (b *closeConnBody) Close() error {
	err := b.ReadCloser.Close()
	_ = b.conn.Conn.Close() // the transport sees its reader fail and forgets it
	return err
}
