package web

import (
	"net/http/httptest"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// crossSiteRead reads headers any page on the web can make a browser send.
// Whatever they hold it does not panic, refuses only with codeForbidden,
// and never lets another site's non-navigation request through.
func FuzzCrossSiteRead(f *testing.F) {
	f.Add("cross-site", "cors", "empty", "https://evil.example")
	f.Add("cross-site", "navigate", "document", "")
	f.Add("same-site", "no-cors", "image", "")
	f.Add("", "", "", "null")
	f.Add("", "", "", "http://localhost:8080")
	f.Add("same-origin", "cors", "empty", "http://localhost:8080")
	f.Add("none", "navigate", "document", "")
	f.Fuzz(func(t *testing.T, site, mode, dest, origin string) {
		r := httptest.NewRequest("GET", "http://localhost:8080/sellers/21", nil)
		for k, v := range map[string]string{"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest, "Origin": origin} {
			r.Header[k] = []string{v}
		}
		err := crossSiteRead(r)
		if err != nil && domain.ErrorCode(err) != codeForbidden {
			t.Fatalf("refused with code %q: %v", domain.ErrorCode(err), err)
		}
		if err == nil && (site == "cross-site" || site == "same-site") && mode != "navigate" {
			t.Fatalf("let a %s %s request through", site, mode)
		}
	})
}
