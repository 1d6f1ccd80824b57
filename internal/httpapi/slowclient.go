package httpapi

import (
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// GuardKeptAlive makes srv's ReadHeaderTimeout count from the first byte of
// every request, kept-alive ones included, and returns the listener to
// serve srv on. net/http applies ReadHeaderTimeout only once a request has
// begun; between requests it waits for the next one's first four bytes
// under IdleTimeout alone, so a client trickling a byte every few seconds
// after one request held a connection for IdleTimeout + ReadHeaderTimeout
// (measured: 66 s at 60 s + 5 s). Here, the first byte that arrives on an
// idle connection sets the read deadline to ReadHeaderTimeout from then.
// It replaces srv.ConnState, which must not be set afterwards.
func GuardKeptAlive(srv *http.Server, ln net.Listener) net.Listener {
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		g, ok := c.(*guardedConn)
		if !ok {
			return
		}
		switch st {
		case http.StateIdle:
			g.armed.Store(false)
			g.idle.Store(true)
		case http.StateActive, http.StateHijacked, http.StateClosed:
			g.idle.Store(false)
		}
	}
	return &guardedListener{Listener: ln, timeout: srv.ReadHeaderTimeout}
}

type guardedListener struct {
	net.Listener
	timeout time.Duration
}

func (l *guardedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || l.timeout <= 0 {
		return c, err
	}
	return &guardedConn{Conn: c, timeout: l.timeout}, nil
}

// guardedConn is a connection that knows whether the server left it idle
// between requests.
type guardedConn struct {
	net.Conn
	timeout time.Duration
	idle    atomic.Bool // set by ConnState; a fresh connection starts active
	armed   atomic.Bool // the deadline was set since the connection went idle
}

func (c *guardedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.idle.Load() && !c.armed.Swap(true) {
		// The server resets the deadline once it has four bytes and then
		// sets ReadHeaderTimeout itself, so a trickler gets at most twice
		// the timeout from its first byte.
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	return n, err
}
