package access

import (
	"net"
	"strings"
)

// defaultHosts answer when http.hosts is empty: a daemon nobody configured
// is only reachable by name from its own machine.
func defaultHosts() []string { return []string{"localhost", "127.0.0.1", "::1"} }

// hostSet holds the allowed Host names, lower case, without port.
type hostSet map[string]bool

func newHostSet(hosts []string) hostSet {
	if len(hosts) == 0 {
		hosts = defaultHosts()
	}
	s := hostSet{}
	for _, h := range hosts {
		if n := hostName(h); n != "" {
			s[n] = true
		}
	}
	return s
}

// allows reports whether a request's Host header names us. A DNS
// rebinding page reaches the daemon with the attacker's name in Host, so
// refusing unknown names keeps a browser on evil.example from talking to
// a daemon on the victim's localhost or LAN.
func (s hostSet) allows(host string) bool {
	n := hostName(host)
	return n != "" && s[n]
}

// hostName strips the port and brackets, lower-cases and drops a
// trailing dot ("Example.COM.:8080" → "example.com").
func hostName(h string) string {
	h = strings.TrimSpace(h)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	return strings.ToLower(h)
}
