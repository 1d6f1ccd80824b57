package web

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// Reasons the console writes when it turns a subscription off. Any other
// reason on a disabled subscription was written by the deliverer after the
// receiver kept failing (see disabledByFailures).
const (
	reasonUnsubscribed = "已通过退订链接停用 unsubscribed by link"
	reasonByUser       = "由用户停用 turned off by its user"
)

// maxTokenLen bounds an unsubscribe token; real ones are far shorter.
const maxTokenLen = 512

// disabledByFailures reports whether markwatch turned s off because its
// receiver kept failing, which the user must hear about.
func disabledByFailures(s domain.Subscription) bool {
	return s.Disabled && s.DisabledReason != "" && s.DisabledReason != reasonUnsubscribed && s.DisabledReason != reasonByUser
}

type unsubscribeView struct {
	page
	Token string
	Name  string
	Done  bool
}

// unsubscribePage serves GET /unsubscribe?token=: it names the
// subscription and offers a button, changing nothing, because mail
// scanners and link previews fetch links nobody clicked.
func (c *console) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	s, err := c.verifyUnsubscribe(r, token)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := unsubscribeView{page: c.frame(r, "退订 Unsubscribe"), Token: token, Name: s.Name, Done: s.Disabled}
	c.render(w, r, http.StatusOK, "unsubscribe.html", v)
}

// unsubscribe serves POST /unsubscribe: the button on the page above, and
// RFC 8058 one-click from mail clients ("List-Unsubscribe=One-Click" posted
// to the link, token in its query). The signed token is the credential, so
// no session is needed.
func (c *console) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxLoginForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the unsubscribe form: %w", err))
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" {
		token = r.PostForm.Get("token")
	}
	s, err := c.verifyUnsubscribe(r, token)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.deps.Unsubscriber.SetSubscriptionDisabled(r.Context(), s.ID, true, reasonUnsubscribed); err != nil {
		c.fail(w, r, fmt.Errorf("disabling subscription %d by its unsubscribe link: %w", s.ID, err))
		return
	}
	c.log.Info("subscription unsubscribed by link", zap.Int64("subscription_id", s.ID), zap.Int64("user_id", s.UserID),
		zap.String("remote_addr", r.RemoteAddr))
	v := unsubscribeView{page: c.frame(r, "已退订 Unsubscribed"), Name: s.Name, Done: true}
	c.render(w, r, http.StatusOK, "unsubscribe.html", v)
}

// verifyUnsubscribe checks token; any failure to verify is one 400 page,
// so the answer tells a guesser nothing about which tokens come close.
func (c *console) verifyUnsubscribe(r *http.Request, token string) (domain.Subscription, error) {
	bad := domain.Errorf(domain.EINVALID, "退订链接无效或已过期 This unsubscribe link is not valid")
	if token == "" || len(token) > maxTokenLen {
		return domain.Subscription{}, bad
	}
	s, err := c.deps.Unsubscribe(r.Context(), token)
	switch {
	case err == nil:
		return s, nil
	case domain.ErrorCode(err) == domain.EUNAVAILABLE:
		return domain.Subscription{}, fmt.Errorf("verifying an unsubscribe token: %w", err)
	}
	// A forged, stale or deleted subscription's token comes back as
	// whatever error the verifier uses (notify's is not a domain error):
	// all are the one 400 page, and the log keeps the cause.
	c.log.Info("unsubscribe token refused", zap.String("remote_addr", r.RemoteAddr), zap.Error(err))
	return domain.Subscription{}, bad
}
