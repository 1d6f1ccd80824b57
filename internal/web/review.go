package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// maxFormBody bounds a review form: a status, a note and a return path.
const maxFormBody = 8 << 10

// maxNote bounds a review note, in characters.
const maxNote = 1000

// review serves POST /alerts/{id}/status (status=confirmed|dismissed|open,
// note=optional, back=path to return to), then sends the browser back with
// 303 so a reload does not post again.
//
// It no longer checks the request's origin itself: the Guard checks
// Origin/Sec-Fetch-Site and the session's CSRF token on every
// cookie-authenticated post before this handler runs, and a second,
// stricter check here would refuse what the Guard lets through.
func (c *console) review(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := readForm(w, r, maxFormBody); err != nil {
		c.fail(w, r, fmt.Errorf("reading the review form: %w", err))
		return
	}
	status, ok := parseStatus(r.PostForm.Get("status"))
	if !ok {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "status=%q 无效 must be confirmed (确认侵权), dismissed (驳回) or open (重新打开)", r.PostForm.Get("status")))
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if utf8.RuneCountInString(note) > maxNote {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "备注过长 the note is longer than %d characters", maxNote))
		return
	}
	if c.deps.Alerts == nil {
		c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "告警库不可用 the alert store is not available"))
		return
	}
	// A supervisor limited to a jurisdiction reviews only inside it; an
	// alert outside answers as a missing one.
	if _, err := c.visibleAlert(r, id); err != nil {
		c.fail(w, r, fmt.Errorf("getting alert %d to review it: %w", id, err))
		return
	}
	p, _ := access.FromContext(r.Context())
	a, err := c.deps.Reviews.ReviewAlert(r.Context(), id, domain.Review{Status: status, Note: note}, p.Actor())
	if err != nil {
		c.fail(w, r, fmt.Errorf("reviewing alert %d from the console: %w", id, err))
		return
	}
	// The store writes the audit row; the log line helps an operator
	// follow a session.
	c.log.Info("alert reviewed", zap.Int64("alert_id", a.ID), zap.String("mark_id", a.MarkID),
		zap.String("status", string(a.Status)), zap.String("user", p.User.Name), zap.String("remote_addr", r.RemoteAddr))
	http.Redirect(w, r, backTo(r.PostForm.Get("back"), fmt.Sprintf("/alerts/%d", id)), http.StatusSeeOther)
}

// readForm parses a posted form of at most limit bytes.
func readForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EINVALID, "表单无法读取 the form cannot be read: %v", err)
	}
	return nil
}

// backTo returns back if it is a path on this console, else fallback, so
// a form or a login link cannot be used to send someone to another site.
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
