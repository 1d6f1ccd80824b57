package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// sameOrigin refuses login posts sent from other sites (login CSRF: being
// signed in to an attacker's account). Other posts are the Guard's to
// check, with the session's CSRF token; a login has no session yet. The
// standard library's check judges Sec-Fetch-Site and Origin, which
// every current browser sends on a POST; it lets a request with neither
// through as non-browser. The console asks more: such a request must carry
// a Referer on this host, so an old browser or a proxy that strips the
// headers is refused rather than trusted. Scripts use the JSON API instead.
type sameOrigin struct {
	cop *http.CrossOriginProtection
}

func newSameOrigin() sameOrigin {
	return sameOrigin{cop: http.NewCrossOriginProtection()}
}

func (s sameOrigin) check(r *http.Request) error {
	if err := s.cop.Check(r); err != nil {
		return fmt.Errorf("checking the request comes from the console: %w", err)
	}
	if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
		return nil // judged above
	}
	ref := r.Referer()
	if ref == "" {
		return fmt.Errorf("checking the request comes from the console: it has no Origin, Sec-Fetch-Site or Referer header")
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host != r.Host {
		return fmt.Errorf("checking the request comes from the console: Referer %q is not on host %q", ref, r.Host)
	}
	return nil
}
