package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
)

// Error kinds counted in Stats.Errors.
const (
	KindHTTP429  = "http_429"
	KindHTTP5xx  = "http_5xx"
	KindHTTP4xx  = "http_4xx"
	KindTimeout  = "timeout"
	KindTooLarge = "too_large"
	KindTrunc    = "truncated"
	KindRobots   = "robots"
	KindRedirect = "redirect"
	KindDomain   = "domain"
	KindFetch    = "fetch"
	KindEmit     = "emit"
	// KindTooManyItems: a page had more listings (or HTML elements) than a
	// page may; the first ones are read and the query goes no further.
	KindTooManyItems = "too_many_items"
	// KindRunMemory: the run's page bodies reached its memory budget; the
	// run fetches nothing more.
	KindRunMemory = "run_memory"
)

// errPrivateRedirect refuses a redirect to loopback, private or link-local
// addresses: a marketplace page must not steer the crawler into the
// operator's own network.
type errPrivateRedirect struct{ host string }

func (e *errPrivateRedirect) Error() string {
	return fmt.Sprintf("refusing redirect to private address %s", e.host)
}

// classify names the kind of a failed fetch.
func classify(status int, err error) string {
	var priv *errPrivateRedirect
	var ne net.Error
	switch {
	case status == http.StatusTooManyRequests:
		return KindHTTP429
	case status >= 500:
		return KindHTTP5xx
	case status >= 400:
		return KindHTTP4xx
	case isPrivateErr(err):
		return KindPrivate
	case errors.As(err, &priv), errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, errTooManyRedirects):
		return KindRedirect
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		return KindRobots
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, io.ErrUnexpectedEOF):
		return KindTrunc
	}
	return KindFetch
}

var errTooManyRedirects = errors.New("more than 10 redirects")

// retryable reports whether a failed answer is worth asking again: the
// server said "later" (429) or failed itself (5xx). Other 4xx will not change.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// isPrivateHost reports whether host is, or resolves to, an address inside
// the operator's network. Names that do not resolve are let through: the
// dial fails on its own (and the Crawler's transports check again there).
func isPrivateHost(ctx context.Context, host string) bool {
	return privateHostWith(ctx, net.DefaultResolver, host)
}

func privateHostWith(ctx context.Context, res Resolver, host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return privateAddr(ip)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ips, err := res.LookupNetIP(ctx, "ip", h)
	if err != nil {
		return false
	}
	for _, ip := range ips {
		if privateAddr(ip) {
			return true
		}
	}
	return false
}

// Read-only: address blocks that are not the public internet beyond what
// netip's predicates cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and broadcast
	netip.MustParsePrefix("fec0::/10"),     // deprecated site-local
	netip.MustParsePrefix("100::/64"),      // discard-only
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// Read-only: IPv6 forms that carry an IPv4 address, checked by what they
// carry: NAT64 (64:ff9b::/96, last 4 bytes) and 6to4 (2002::/16, bytes 2–5).
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// privateAddr reports whether ip is inside the operator's network or
// otherwise not a public unicast address: loopback, private (RFC 1918, IPv6
// ULA fc00::/7), link-local, unspecified, multicast, CGNAT, reserved, and
// the same behind IPv4-mapped, NAT64 and 6to4 forms.
func privateAddr(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return true
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return privateAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return privateAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
