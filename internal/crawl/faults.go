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
// dial fails on its own.
func isPrivateHost(ctx context.Context, host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return privateAddr(ip)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", h)
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

// Read-only: carrier-grade NAT space, not covered by netip's IsPrivate.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

func privateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || cgnat.Contains(ip)
}
