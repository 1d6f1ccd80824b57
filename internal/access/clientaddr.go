package access

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the client IP of r without port. X-Forwarded-For is read
// only when trustProxy: a client can write any header, and only the last
// entry is the one our own proxy appended.
func clientAddr(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if vals := r.Header.Values("X-Forwarded-For"); len(vals) > 0 {
			parts := strings.Split(vals[len(vals)-1], ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
