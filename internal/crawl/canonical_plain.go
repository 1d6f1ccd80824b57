package crawl

import (
	"slices"
	"strings"
)

// plainCanonical reports, by a scan that parses nothing, whether s is one
// of CanonicalURL's answers already, so CanonicalURL can return it without
// parsing it twice (one pass and one to check it settled): a crawl asks
// for the identity of every listing, and most marketplace links
// (https://item.jd.com/100012345.html, a search card's /item/…) are
// written canonically. It accepts only the common spelling: a lower-case
// http or https scheme and host, no default port, a clean path of
// unreserved characters and upper-case escapes of non-ASCII bytes, a
// query of such pairs sorted by key with no tracking or empty parameter
// (with keep, only parameters in keep), and no fragment. Anything else
// says false and takes the full path. FuzzPlainCanonical checks that what
// it accepts, canonicalOnce returns unchanged.
func plainCanonical(s string, keep []string) bool {
	var rest string
	switch {
	case strings.HasPrefix(s, "https://"):
		rest = s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		rest = s[len("http://"):]
	default:
		return false
	}
	end := strings.IndexByte(rest, '/')
	if end < 0 || !plainHost(rest[:end], strings.HasPrefix(s, "https:")) {
		return false
	}
	rest = rest[end:]
	p, q, hasQuery := strings.Cut(rest, "?")
	if !plainPath(p) {
		return false
	}
	return !hasQuery || plainQuery(q, keep)
}

// plainHost accepts a lower-case DNS name, not ending in a dot, with an
// optional port that is not the scheme's default.
func plainHost(h string, https bool) bool {
	name, port, hasPort := strings.Cut(h, ":")
	if name == "" || strings.HasSuffix(name, ".") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	if !hasPort {
		return true
	}
	if port == "" || port == "80" && !https || port == "443" && https {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// plainPath accepts a path path.Clean leaves as it is (no empty, "." or
// ".." segment, no trailing slash but the root's) whose bytes the URL
// writer leaves as they are: unreserved characters, slashes, and
// upper-case escapes of bytes past ASCII.
func plainPath(p string) bool {
	if p == "/" {
		return true
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		if !plainChars(seg, false) {
			return false
		}
	}
	return true
}

// plainQuery accepts pairs key=value joined by &, keys in order, each key
// plain and kept, each value non-empty and written as the query encoder
// writes it.
func plainQuery(q string, keep []string) bool {
	if q == "" {
		return false
	}
	prev := ""
	for pair := range strings.SplitSeq(q, "&") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" || v == "" || k < prev || !plainChars(k, false) || strings.Contains(k, "%") {
			return false
		}
		if len(keep) > 0 && !slices.Contains(keep, k) || len(keep) == 0 && tracking(k) {
			return false
		}
		if !plainChars(v, true) {
			return false
		}
		prev = k
	}
	return true
}

// plainChars accepts unreserved characters and upper-case escapes: in a
// path, of bytes past ASCII (the writer would spell others bare); in a
// query value, also of ASCII bytes the encoder escapes, and + (a space).
func plainChars(s string, query bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~':
		case c == '+' && query:
		case c == '%':
			if i+2 >= len(s) || !upperHex(s[i+1]) || !upperHex(s[i+2]) {
				return false
			}
			b := unhex(s[i+1])<<4 | unhex(s[i+2])
			if b < 0x80 && (!query || b == ' ' || isUnreserved(b)) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func upperHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
