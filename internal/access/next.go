package access

import (
	"net/url"
	"strings"
)

// LocalNext returns next when it is a path on this site, "/" otherwise.
// The login page passes its next parameter through it before redirecting,
// so /login?next=//evil.example cannot send a user elsewhere (open
// redirect): browsers read "//host", "/\host" and "\\host" as other
// sites, and "https://…" obviously is one.
func LocalNext(next string) string {
	if !isLocalPath(next) {
		return "/"
	}
	return next
}

func isLocalPath(p string) bool {
	if p == "" || p[0] != '/' || len(p) > 2048 {
		return false
	}
	if strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return false // browsers strip tabs and newlines, turning "/\t/evil" into "//evil"
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// loginURL is where an unauthenticated console request is sent.
func loginURL(loginPath, next string) string {
	if !isLocalPath(next) || strings.HasPrefix(next, loginPath) {
		return loginPath
	}
	return loginPath + "?next=" + url.QueryEscape(next)
}
