package web

import (
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// maxLoginForm bounds the login form: a name, a password and a path.
const maxLoginForm = 4 << 10

type loginView struct {
	page
	Name  string // kept after a failed attempt; the password never is
	Next  string // "" unless a path on this console
	Error string
}

// loginPage serves GET /login?next=: the sign-in form.
func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	v := loginView{page: c.frame(r, "登录 Sign in"), Next: localNext(r.URL.Query().Get("next"))}
	c.render(w, r, http.StatusOK, "login.html", v)
}

// login serves POST /login. Failures re-render the form with access's
// message as it is: it is the same for an unknown name and a wrong
// password, and the console adds nothing that would tell them apart.
func (c *console) login(w http.ResponseWriter, r *http.Request) {
	// The Guard checks Origin only on cookie-authenticated posts; a login
	// post has no session yet, so the console refuses other sites here,
	// which stops a forged login into an attacker's account.
	if err := c.origin.check(r); err != nil {
		c.fail(w, r, &domain.Error{Code: codeForbidden,
			Message: "只接受来自本控制台页面的登录 Sign-ins are accepted only from this console's own page: " + err.Error()})
		return
	}
	if err := readForm(w, r, maxLoginForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the login form: %w", err))
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	next := localNext(r.PostForm.Get("next"))
	p, cookie, err := c.deps.Auth.Login(r.Context(), name, r.PostForm.Get("password"), c.clientAddr(r), r.UserAgent())
	switch code := domain.ErrorCode(err); {
	case err == nil:
	case code == codeTooManyRequests:
		c.fail(w, r, throttled(err))
		return
	case code == domain.EINTERNAL || code == domain.EUNAVAILABLE:
		c.fail(w, r, fmt.Errorf("signing in %q: %w", name, err))
		return
	default:
		c.log.Info("console sign-in refused", zap.String("user", name), zap.String("remote_addr", r.RemoteAddr), zap.String("code", code))
		v := loginView{page: c.frame(r, "登录 Sign in"), Name: name, Next: next, Error: domain.ErrorMessage(err)}
		// 401 tells scripts and tests the sign-in failed; browsers show
		// the form all the same.
		c.render(w, r, http.StatusUnauthorized, "login.html", v)
		return
	}
	if cookie != nil {
		http.SetCookie(w, cookie)
	}
	to := backTo(next, "/")
	if p.User.MustChangePassword {
		to = "/account/password"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// logout serves POST /logout: the session ends and the cookie is cleared.
func (c *console) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := access.FromContext(r.Context())
	if cookie := c.deps.Auth.Logout(r.Context(), p); cookie != nil {
		http.SetCookie(w, cookie)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localNext keeps next only when it is a path on this console, so a login
// link cannot send someone to another site after signing in.
func localNext(next string) string {
	if backTo(next, "") == "" {
		return ""
	}
	return next
}

// throttled is the wait page's error: access's message says how long to
// wait; the console's own words stand in if it gave none.
func throttled(err error) error {
	msg := domain.ErrorMessage(err)
	if msg == "" || msg == "internal error" {
		msg = "尝试过于频繁，请稍候几分钟再试。Too many attempts; please wait a few minutes and try again."
	}
	return &domain.Error{Code: codeTooManyRequests, Message: msg}
}

// clientAddr is the address sign-in throttling counts per: the Auth's own
// reading of the request when it has one (it honours http.trust_proxy
// behind a reverse proxy), else the connection's peer.
func (c *console) clientAddr(r *http.Request) string {
	if ca, ok := c.deps.Auth.(interface{ ClientAddr(*http.Request) string }); ok {
		return ca.ClientAddr(r)
	}
	return r.RemoteAddr
}
