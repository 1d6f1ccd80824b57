package web

import (
	"fmt"
	"net/http"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

type passwordView struct {
	page
	Error string
	Done  bool
}

// passwordPage serves GET /account/password: the form to change one's own
// password.
func (c *console) passwordPage(w http.ResponseWriter, r *http.Request) {
	v := passwordView{page: c.frame(r, "修改密码 Change password"), Done: r.URL.Query().Get("done") == "1"}
	c.render(w, r, http.StatusOK, "password.html", v)
}

// changePassword serves POST /account/password (old, new, confirm). Access
// judges the old password and the new one's strength; the console only
// checks the two copies agree. No value typed is ever put back in the page.
func (c *console) changePassword(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxLoginForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the password form: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	old, nw, confirm := r.PostForm.Get("old"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	refuse := func(msg string) {
		v := passwordView{page: c.frame(r, "修改密码 Change password"), Error: msg}
		c.render(w, r, http.StatusBadRequest, "password.html", v)
	}
	if nw != confirm {
		refuse("两次输入的新密码不一致 The two new passwords differ")
		return
	}
	cookie, err := c.deps.Auth.ChangePassword(r.Context(), p, old, nw)
	switch code := domain.ErrorCode(err); {
	case err == nil:
	case code == domain.EINTERNAL || code == domain.EUNAVAILABLE:
		c.fail(w, r, fmt.Errorf("changing the password of %q: %w", p.User.Name, err))
		return
	case code == codeTooManyRequests:
		c.fail(w, r, throttled(err))
		return
	default:
		refuse(domain.ErrorMessage(err))
		return
	}
	// Changing the password ended every session, this one included; the
	// fresh cookie keeps this browser signed in.
	if cookie != nil {
		http.SetCookie(w, cookie)
	}
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
}
