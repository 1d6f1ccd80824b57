package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/markwatch/markwatch/internal/domain"
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

// crossSiteRead refuses a request from another site that is not a
// top-level navigation: a script or an image on a page elsewhere fetching
// a page of personal data (the seller network's phone numbers) with the
// supervisor's cookie. The session cookie is SameSite=Lax and CORS hides
// the answer, so this is the third lock, for pages whose content matters
// more than a working embed. A link followed from another site (a
// notification e-mail in webmail) still opens the page: the other site
// cannot read what the browser shows. Requests without fetch metadata or
// Origin (curl, old browsers) pass, as the Guard lets them.
func crossSiteRead(r *http.Request) error {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		mode, dest := r.Header.Get("Sec-Fetch-Mode"), r.Header.Get("Sec-Fetch-Dest")
		if mode == "navigate" && (dest == "document" || dest == "") {
			return nil
		}
		return domain.Errorf(codeForbidden, "此页面不接受其他网站的请求 this page does not answer requests from other sites (Sec-Fetch-Site %s, mode %q, destination %q)", site, mode, dest)
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return domain.Errorf(codeForbidden, "此页面不接受其他网站的请求 this page does not answer requests from other sites (Origin %s)", o)
		}
	}
	return nil
}
