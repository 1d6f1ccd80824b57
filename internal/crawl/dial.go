package crawl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// errPrivateAddress refuses a request to, or a connection dialled at, an
// address inside the operator's network (crawl.allow_private_addresses:
// false). It is counted as private_address.
type errPrivateAddress struct {
	host string
	addr netip.Addr // invalid when the host was refused by name
}

func (e *errPrivateAddress) Error() string {
	if e.addr.IsValid() && e.addr.String() != strings.Trim(e.host, "[]") {
		return fmt.Sprintf("refusing private address %s (%s)", e.host, e.addr)
	}
	return fmt.Sprintf("refusing private address %s", e.host)
}

func (c *Crawler) resolver() Resolver {
	if c.res != nil {
		return c.res
	}
	return net.DefaultResolver
}

// privateHost is isPrivateHost with the Crawler's resolver.
func (c *Crawler) privateHost(ctx context.Context, host string) bool {
	return privateHostWith(ctx, c.resolver(), host)
}

// refusePrivate returns an errPrivateAddress when private addresses are not
// allowed and the request's host is, or resolves to, one. It runs before
// every request (colly's, the robots.txt fetch, one-off requests); the
// connection is checked again when dialled (guardDial), where a name that
// resolves elsewhere the second time (DNS rebinding) is caught.
func (c *Crawler) refusePrivate(req *http.Request) error {
	if c.privateURL(req.Context(), req.URL) {
		return &errPrivateAddress{host: req.URL.Host}
	}
	return nil
}

// privateURL reports whether a request to u must be refused: private
// addresses are not allowed and u's host is, or resolves to, a private
// address other than one of Options.AllowAddresses (at u's port).
func (c *Crawler) privateURL(ctx context.Context, u *url.URL) bool {
	if c.allowPrivate {
		return false
	}
	if len(c.allowAddrs) == 0 {
		return c.privateHost(ctx, u.Hostname())
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return true
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(h); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if ips, err = c.resolver().LookupNetIP(ctx, "ip", h); err != nil {
			// Unresolvable: the dial fails on its own, except for names
			// that are private by definition.
			return h == "localhost" || strings.HasSuffix(h, ".localhost")
		}
	}
	for _, ip := range ips {
		if c.refusedAddr(ip, uint16(p)) {
			return true
		}
	}
	return false
}

// refusedAddr reports whether ip:port may not be dialled: it is private and
// not one of Options.AllowAddresses.
func (c *Crawler) refusedAddr(ip netip.Addr, port uint16) bool {
	return privateAddr(ip) && !c.allowAddrs[netip.AddrPortFrom(ip.WithZone("").Unmap(), port)]
}

// newTransport returns a fresh transport for the Crawler's own requests.
// Unless private addresses are allowed, every connection it dials is
// checked: the name is resolved once, every address it resolves to must be
// public, and only those checked addresses are dialled (a Control func
// refuses anything else that reaches connect). A proxy configured in the
// environment is dialled as configured; the proxy resolves the target, so
// for proxied requests the check before the request is what holds.
func (c *Crawler) newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c.allowPrivate {
		return t
	}
	plain := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: c.publicOnly}
	proxies := proxyAddrs()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxies[addr] {
			return plain.DialContext(ctx, network, addr)
		}
		return c.guardDial(ctx, guarded, network, addr)
	}
	return t
}

// guardDial resolves addr's host, refuses it when any address is private
// and dials the checked addresses in turn.
func (c *Crawler) guardDial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if (h == "localhost" || strings.HasSuffix(h, ".localhost")) && len(c.allowAddrs) == 0 {
		return nil, &errPrivateAddress{host: host}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(h); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = c.resolver().LookupNetIP(ctx, "ip", h); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	if len(ips) == 0 {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("no addresses for %s", host)}
	}
	for _, ip := range ips {
		if c.refusedAddr(ip, uint16(p)) {
			return nil, &errPrivateAddress{host: host, addr: ip}
		}
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// publicOnly is a net.Dialer Control func: the address about to be
// connected must be public (or listed), whatever path led to it.
func (c *Crawler) publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %s: %w", address, err)
	}
	if c.refusedAddr(ap.Addr(), ap.Port()) {
		return &errPrivateAddress{host: address, addr: ap.Addr()}
	}
	return nil
}

// proxyAddrs are the host:port of the proxies the environment configures:
// the operator chose them, so they are dialled even on a private address.
func proxyAddrs() map[string]bool {
	cfg := httpproxy.FromEnvironment()
	out := map[string]bool{}
	for _, p := range []string{cfg.HTTPProxy, cfg.HTTPSProxy} {
		if p == "" {
			continue
		}
		if !strings.Contains(p, "://") {
			p = "http://" + p
		}
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "socks5": "1080"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		out[net.JoinHostPort(u.Hostname(), port)] = true
	}
	return out
}

func isPrivateErr(err error) bool {
	var pa *errPrivateAddress
	return errors.As(err, &pa)
}

// refusedRemote reports whether the address a connection was dialled at
// ("ip:port", as a Fetch records it) is refused: for the checks made after
// the fact, where the transport was not the Crawler's own (the browser,
// Options.Transport).
func (c *Crawler) refusedRemote(addr string) bool {
	if c.allowPrivate {
		return false
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return privateRemote(addr)
	}
	return c.refusedAddr(ap.Addr(), ap.Port())
}
