package crawl

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// IdentityRules say how a source derives an offer's identity from its URL
// (YAML identity:). Two listings with the same identity are one offer, one
// alert per mark, whatever URL form (host, port, tracking parameters,
// fragment, mobile page) they were found through.
//
// The identity is "platform:itemid" when one of Patterns matches the
// canonical URL (the first capture group, or the group named id, is the
// item id) or when Param is present in it; otherwise it is the canonical URL.
type IdentityRules struct {
	// Patterns are tried in order against the canonical URL without its
	// scheme ("item.jd.com/100012345.html", "detail.tmall.com/item.htm?id=1").
	Patterns []*regexp.Regexp
	// Param names the query parameter that holds the item id.
	Param string
	// KeepParams are the query parameters that tell offers apart; when set,
	// every other parameter is dropped from the canonical URL. When empty,
	// only tracking parameters are dropped.
	KeepParams []string
	// Hosts maps host variants (mobile, www.) to the host they stand for.
	Hosts map[string]string
	// HTTPS says http and https URLs of the source are the same page, so the
	// canonical URL uses https.
	HTTPS bool
}

// Canonical returns raw's canonical URL under these rules: CanonicalURL with
// the source's host variants mapped and, when the source says so, http
// upgraded to https.
func (r IdentityRules) Canonical(raw string) string {
	c := CanonicalURL(raw, r.KeepParams)
	if len(r.Hosts) == 0 && !r.HTTPS || r.settled(c) {
		return c
	}
	u, err := url.Parse(c)
	if err != nil || u.Host == "" {
		return c
	}
	if to, ok := r.Hosts[u.Hostname()]; ok {
		u.Host = to
		if p := u.Port(); p != "" && !strings.Contains(to, ":") {
			u.Host = net.JoinHostPort(to, p)
		}
	}
	if r.HTTPS && (u.Scheme == "http" || u.Scheme == "") {
		if u.Scheme == "http" && u.Port() == "80" {
			u.Host = u.Hostname()
		}
		u.Scheme = "https"
	}
	// Mapping may have produced a default port or a host in another case:
	// one more pass keeps the result canonical.
	return CanonicalURL(u.String(), r.KeepParams)
}

// settled reports whether the canonical URL c is plainly one these rules
// leave as it is: https where they ask for it, on a host they do not map.
func (r IdentityRules) settled(c string) bool {
	if !plainCanonical(c, r.KeepParams) || r.HTTPS && !strings.HasPrefix(c, "https:") {
		return false
	}
	host := c[strings.Index(c, "//")+2:]
	host = host[:strings.IndexByte(host, '/')]
	host, _, _ = strings.Cut(host, ":")
	_, mapped := r.Hosts[host]
	return !mapped
}

// Identity returns the identity of the offer at rawURL: "platform:itemid"
// by the source's identity rules, else the canonical URL; "" for an empty
// URL. Crawls set domain.Listing.ID to it (see WithIdentity), and the store
// keys listings and alerts on it.
func (s Source) Identity(rawURL string) string {
	if strings.TrimSpace(rawURL) == "" {
		return ""
	}
	r := s.IdentityRules
	c := r.Canonical(rawURL)
	bare := c
	if i := strings.Index(bare, "//"); i >= 0 && i <= len("https:") {
		bare = bare[i+2:]
	}
	platform := s.Platform
	if platform == "" {
		platform = s.ID
	}
	for _, re := range r.Patterns {
		if id := matchID(re, bare); id != "" {
			return platform + ":" + id
		}
	}
	if r.Param != "" {
		if u, err := url.Parse(c); err == nil {
			if v := strings.TrimSpace(u.Query().Get(r.Param)); v != "" {
				return platform + ":" + v
			}
		}
	}
	return c
}

// matchID returns the item id re finds in s: the group named id, else the
// first non-empty group, else the whole match.
func matchID(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if i := re.SubexpIndex("id"); i > 0 && m[i] != "" {
		return m[i]
	}
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return m[0]
}

// WithIdentity sets each listing's ID to its identity (Source.Identity of
// its URL) before handing it to emit. A listing without a URL keeps its ID.
func (s Source) WithIdentity(emit func(domain.Listing) error) func(domain.Listing) error {
	return func(l domain.Listing) error {
		s.SetIdentity(&l)
		return emit(l)
	}
}

// SetIdentity sets l.ID to the identity of l.URL; a listing without a URL
// keeps its ID.
func (s Source) SetIdentity(l *domain.Listing) {
	if id := s.Identity(l.URL); id != "" {
		l.ID = id
	}
}

// trackingParams are query parameters that say how a visitor arrived, not
// which offer it is: analytics (utm_*, spm, scm), search and ad
// attribution, and cache busters.
var trackingParams = map[string]bool{
	"spm": true, "scm": true, "pvid": true, "from": true, "fr": true, "ref": true, "referer": true,
	"_t": true, "_": true, "t": true, "ts": true, "timestamp": true, "_ts": true, "time": true,
	"ns": true, "abbucket": true, "on_comment": true, "ali_refid": true, "ali_trackid": true,
	"ad_id": true, "am_id": true, "cm_id": true, "pm_id": true, "ut_sk": true, "sourcetype": true,
	"suid": true, "un": true, "share_crt_v": true, "sp_tk": true, "tk": true, "cpp": true,
	"shareurl": true, "short_name": true, "app": true, "bxsign": true, "tbsocial": true,
	"clickid": true, "trackid": true, "track_id": true, "scene": true, "gclid": true, "fbclid": true,
	"cu": true, "wid": true, "bd_vid": true, "_u": true, "shareid": true, "share_from": true,
	"cm": true, "pos": true, "position": true, "rank": true, "page_from": true, "lsm": true,
	"pdf": true, "jd_pop": true, "jd_source": true, "dist": true, "psbc": true,
}

// tracking reports whether the parameter key is one a marketplace adds for
// analytics rather than to name the offer.
func tracking(key string) bool {
	k := strings.ToLower(key)
	return trackingParams[k] || strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "spm_") ||
		strings.HasPrefix(k, "mtm_") || strings.HasPrefix(k, "_ga")
}

// CanonicalURL returns raw in one spelling per page: scheme and host in
// lower case, the default port dropped, the path cleaned, the fragment
// dropped, tracking parameters dropped and the rest sorted. With keep, only
// the parameters named in keep are kept. It does not guess: http stays http
// and www. stays (IdentityRules.Canonical applies a source's rules for
// those). Text that is not an absolute URL comes back trimmed. It never
// panics and CanonicalURL(CanonicalURL(x, k), k) == CanonicalURL(x, k).
func CanonicalURL(raw string, keep []string) string {
	// A canonical URL is a fixed point; a second pass settles the rare
	// spelling a first pass can still change (an escape that decodes to a
	// separator), so the result is stable.
	if plainCanonical(raw, keep) {
		return raw
	}
	c := canonicalOnce(raw, keep)
	if plainCanonical(c, keep) {
		return c
	}
	for range 3 {
		next := canonicalOnce(c, keep)
		if next == c {
			return c
		}
		c = next
	}
	return c
}

func canonicalOnce(raw string, keep []string) string {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || u.User != nil {
		return s
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return s
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	host = strings.TrimSuffix(host, ".")
	if host == "" || strings.ContainsAny(host, "/?#@ %\\") {
		return s
	}
	if (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	p := u.Path
	if p == "" {
		p = "/"
	}
	p = path.Clean("/" + p)
	u.Path, u.RawPath = p, ""
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false
	u.RawQuery = canonicalQuery(u.RawQuery, keep)
	return u.String()
}

// canonicalQuery drops tracking parameters (or, with keep, everything not in
// keep) and sorts the rest by key, keeping the order of repeated values.
func canonicalQuery(raw string, keep []string) string {
	if raw == "" {
		return ""
	}
	vals, _ := url.ParseQuery(raw) // a malformed pair is dropped, not fatal
	for k, vs := range vals {
		drop := k == "" || tracking(k)
		if len(keep) > 0 {
			drop = !slices.Contains(keep, k)
		}
		if drop || (len(vs) == 1 && vs[0] == "" && len(keep) == 0) {
			delete(vals, k)
		}
	}
	return vals.Encode()
}

// canonicalVersion names the canonicalisation in IdentityFingerprint: bump
// it when CanonicalURL or the tracking parameters change, so stored rows are
// re-keyed (store.MergeIdentities) on the next start.
const canonicalVersion = "canonical-1"

// IdentityOf returns the identity function of a set of sources for the
// store's merge pass (store.IdentityFunc): Source.Identity of the source
// with that id, and "" (leave the row as it is) for a source not in srcs.
func IdentityOf(srcs []Source) func(sourceID, rawURL string) string {
	byID := make(map[string]Source, len(srcs))
	for _, s := range srcs {
		byID[s.ID] = s
	}
	return func(sourceID, rawURL string) string {
		s, ok := byID[sourceID]
		if !ok {
			return ""
		}
		return s.Identity(rawURL)
	}
}

// IdentityFingerprint is a digest of the identity rules of srcs and of the
// canonicalisation: equal fingerprints derive equal identities, so a merge
// pass with the fingerprint of the last one can be skipped.
func IdentityFingerprint(srcs []Source) string {
	sorted := slices.Clone(srcs)
	slices.SortFunc(sorted, func(a, b Source) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", canonicalVersion)
	for _, s := range sorted {
		r := s.IdentityRules
		fmt.Fprintf(h, "source %q platform %q param %q https %t\n", s.ID, s.Platform, r.Param, r.HTTPS)
		for _, p := range r.Patterns {
			fmt.Fprintf(h, "pattern %q\n", p.String())
		}
		fmt.Fprintf(h, "keep %q\n", r.KeepParams)
		hosts := make([]string, 0, len(r.Hosts))
		for from, to := range r.Hosts {
			hosts = append(hosts, from+"="+to)
		}
		slices.Sort(hosts)
		fmt.Fprintf(h, "hosts %q\n", hosts)
	}
	return hex.EncodeToString(h.Sum(nil))
}
