package access

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// serveRoute applies the route's requirements to a request the mux gave
// it, then runs the handler.
func (g *Guard) serveRoute(w http.ResponseWriter, r *http.Request, rt Route) {
	res, _ := r.Context().Value(authKey{}).(authResult)
	p, ok := res.p, res.ok && res.err == nil
	if rt.Perm != Public {
		if res.err != nil {
			g.authFailed(w, r, rt, res.err)
			return
		}
		if !ok {
			g.unauthenticated(w, r, rt, "请先登录 sign in first, or send an API token (Authorization: Bearer …)")
			return
		}
		if p.User.MustChangePassword && !g.mustChange[r.URL.Path] {
			g.passwordChangeRequired(w, r, rt, p)
			return
		}
		if !p.Can(rt.Perm) {
			g.refused(r, p, "permission missing", zap.String("permission", string(rt.Perm)))
			refuse(w, rt.API, http.StatusForbidden, CodeForbidden,
				"没有权限 your role ("+string(p.User.Role)+") lacks the permission "+string(rt.Perm)+
					"; use a token of a user whose role has it, or ask an administrator to change your role")
			return
		}
	}
	if !safeMethod(r.Method) {
		// A bearer token is never attached by the browser on its own, so
		// token requests cannot be forged cross-site; everything else
		// must come from our own pages.
		if !(ok && p.Via == ViaToken) {
			if err := g.cop.Check(r); err != nil {
				g.refused(r, p, "cross-origin request", zap.String("origin", r.Header.Get("Origin")),
					zap.String("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")))
				refuse(w, rt.API, http.StatusForbidden, CodeForbidden, "跨站请求被拒绝 cross-origin request refused")
				return
			}
		}
		if ok && p.Via == ViaSession {
			if status, msg := g.checkCSRF(w, r, p); status != 0 {
				if rt.Perm == Public {
					// A public route works without a principal: it gets
					// none rather than a refusal.
					ok, p = false, Principal{}
				} else {
					g.refused(r, p, "csrf token")
					refuse(w, rt.API, status, CodeForbidden, msg)
					return
				}
			}
		}
	}
	if ok {
		r = r.WithContext(WithPrincipal(r.Context(), p))
	}
	rt.Handler.ServeHTTP(w, r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF compares the request's CSRF token (header X-CSRF-Token, or
// form field csrf_token of a form body, never the query string, which
// leaks through Referer and logs) with the session's, in constant time.
// It reads a form body with a size limit and leaves r.PostForm parsed for
// the handler. It returns 0 when the token matches, else the status and
// message to refuse with.
func (g *Guard) checkCSRF(w http.ResponseWriter, r *http.Request, p Principal) (int, string) {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
			r.Body = http.MaxBytesReader(w, r.Body, g.opts.MaxFormBytes)
			var err error
			if ct == "multipart/form-data" {
				err = r.ParseMultipartForm(g.opts.MaxFormBytes)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					return http.StatusRequestEntityTooLarge, "表单过大 the form is too large"
				}
				return http.StatusBadRequest, "无法读取表单 the form could not be read"
			}
			got = r.PostForm.Get("csrf_token")
		}
	}
	if got == "" {
		return http.StatusForbidden, "缺少 CSRF 令牌 the CSRF token is missing; reload the page and try again"
	}
	if p.CSRFToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
		return http.StatusForbidden, "CSRF 令牌无效 the CSRF token is wrong; reload the page and try again"
	}
	return 0, ""
}

// authFailed answers credentials that could not be read (401) or a store
// that could not be asked (500, details in the log only).
func (g *Guard) authFailed(w http.ResponseWriter, r *http.Request, rt Route, err error) {
	if errIs(err, CodeUnauthorized) {
		g.unauthenticated(w, r, rt, domain.ErrorMessage(err))
		return
	}
	g.log.Error("authenticating a request", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	refuse(w, rt.API, http.StatusInternalServerError, "internal", "internal error; the details are in the server log")
}

// unauthenticated answers a non-public route reached without valid
// credentials: 401 for the API, the login page for the console.
func (g *Guard) unauthenticated(w http.ResponseWriter, r *http.Request, rt Route, msg string) {
	g.refused(r, Principal{}, "not signed in")
	if rt.API {
		v := `Bearer realm="markwatch"`
		if r.Header.Get("Authorization") != "" {
			v += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", v)
		refuse(w, true, http.StatusUnauthorized, CodeUnauthorized, msg)
		return
	}
	if _, err := r.Cookie(SessionCookie); err == nil && r.Header.Get("Authorization") == "" {
		// The browser holds a cookie for a session that is gone: drop it,
		// so the login page starts clean.
		http.SetCookie(w, g.auth.cookie("", -1))
	}
	next := ""
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, loginURL(g.opts.LoginPath, next), http.StatusSeeOther)
}

func (g *Guard) passwordChangeRequired(w http.ResponseWriter, r *http.Request, rt Route, p Principal) {
	g.refused(r, p, "password change required")
	if rt.API {
		refuse(w, true, http.StatusForbidden, CodePasswordChangeRequired,
			"请先修改密码 this account must change its password first: sign in at "+g.opts.PasswordPath+
				" and set a new one (or: markwatch users passwd "+p.User.Name+")")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, g.opts.PasswordPath, http.StatusSeeOther)
}

// refused logs a refusal at debug level: the request log line already
// has the status; this says why. No credential is ever a field.
func (g *Guard) refused(r *http.Request, p Principal, reason string, extra ...zap.Field) {
	fields := append([]zap.Field{zap.String("reason", reason), zap.String("method", r.Method),
		zap.String("path", r.URL.Path), zap.String("remote_addr", r.RemoteAddr)}, extra...)
	if p.User.ID != 0 {
		fields = append(fields, zap.String("user_name", p.User.Name), zap.String("via", p.Via))
	}
	g.log.Debug("request refused", fields...)
}
