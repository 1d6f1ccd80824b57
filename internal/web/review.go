package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// maxFormBody bounds a review form: a status and a return path.
const maxFormBody = 8 << 10

// review serves POST /alerts/{id}/status (status=confirmed|dismissed|open,
// back=path to return to) from the console's own pages only, then sends the
// browser back with 303 so a reload does not post again.
func (c *console) review(w http.ResponseWriter, r *http.Request) {
	if err := c.origin.check(r); err != nil {
		c.fail(w, r, &domain.Error{Code: codeForbidden,
			Message: "只接受来自本控制台页面的操作 Reviews are accepted only from this console's own pages: " + err.Error()})
		return
	}
	id, err := alertID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "表单无法读取 reading the review form: %v", err))
		return
	}
	status, ok := parseStatus(r.PostForm.Get("status"))
	if !ok {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "status=%q 无效 must be confirmed (确认侵权), dismissed (驳回) or open (重新打开)", r.PostForm.Get("status")))
		return
	}
	if c.deps.Alerts == nil {
		c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "告警库不可用 the alert store is not available"))
		return
	}
	a, err := c.deps.Alerts.SetAlertStatus(r.Context(), id, status)
	if err != nil {
		c.fail(w, r, fmt.Errorf("setting status of alert %d from the console: %w", id, err))
		return
	}
	// A review decides whether a case goes to enforcement: keep a trail.
	c.log.Info("alert reviewed", zap.Int64("alert_id", a.ID), zap.String("mark_id", a.MarkID),
		zap.String("status", string(a.Status)), zap.String("remote_addr", r.RemoteAddr))
	http.Redirect(w, r, backTo(r.PostForm.Get("back"), fmt.Sprintf("/alerts/%d", id)), http.StatusSeeOther)
}

// backTo returns back if it is a path on this console, else fallback, so
// the form cannot be used to redirect a supervisor to another site.
func backTo(back, fallback string) string {
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.Contains(back, `\`) {
		return fallback
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return back
}
