package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// page is what every page's layout needs: the title, who is signed in and
// the links that person may follow.
type page struct {
	Title    string
	SignedIn bool
	UserName string
	Role     string // in Chinese
	// CSRF is the session's token, echoed by every form that posts; the
	// Guard refuses a cookie-authenticated post without it.
	CSRF      string
	CanLogout bool
	Nav       []navLink
	// FailedSubscriptions names the user's subscriptions markwatch turned
	// off because their receivers kept failing, for the banner.
	FailedSubscriptions []string
	MustChangePassword  bool
}

type navLink struct {
	Href, Label string
}

// frame is the layout data of a page titled title for the request's
// principal. Links show only for pages that exist and that the principal
// may use, so nobody is shown a door that answers 403.
func (c *console) frame(r *http.Request, title string) page {
	v := page{Title: title}
	p, ok := access.FromContext(r.Context())
	if !ok {
		return v
	}
	v.SignedIn, v.UserName, v.Role, v.CSRF = true, p.User.Name, roleLabel(p.User.Role), p.CSRFToken
	v.CanLogout = c.deps.Auth != nil
	v.MustChangePassword = p.User.MustChangePassword && c.deps.Auth != nil
	links := []struct {
		ok          bool
		href, label string
	}{
		{p.Can(access.ReadAlerts), "/", "告警队列 Alerts"},
		{c.deps.API != nil && p.Can(access.ReadAlerts), "/search", "搜索 Search"},
		{c.deps.Cases != nil && p.Can(access.ReadAlerts), "/cases", "案件 Cases"},
		{c.deps.Sources != nil && p.Can(access.ReadSources), "/sources", "来源 Sources"},
		{c.subscriptionsOn() && p.Can(access.Subscribe), "/subscriptions", "订阅 Subscriptions"},
		{c.deps.Sellers != nil && (p.Can(access.ClaimSeller) || p.Can(access.DecideClaims)), "/sellers", "授权经销商 Sellers"},
		{c.deps.Audit != nil && p.Can(access.ReadAudit), "/audit", "审计日志 Audit"},
		{c.deps.Users != nil && c.deps.HashPassword != nil && p.Can(access.ManageUsers), "/users", "用户 Users"},
		{c.deps.Auth != nil, "/account/password", "修改密码 Password"},
	}
	for _, l := range links {
		if l.ok {
			v.Nav = append(v.Nav, navLink{Href: l.href, Label: l.label})
		}
	}
	if c.subscriptionsOn() && p.Can(access.Subscribe) {
		v.FailedSubscriptions = c.failedSubscriptions(r, p)
	}
	return v
}

func (c *console) subscriptionsOn() bool {
	return c.deps.Subscriptions != nil && c.deps.ValidateSubscription != nil
}

// failedSubscriptions reads the user's subscriptions for the banner. The
// page is worth more than the banner, so a failure is logged and the
// banner left out.
func (c *console) failedSubscriptions(r *http.Request, p access.Principal) []string {
	subs, err := c.deps.Subscriptions.ListSubscriptions(r.Context(), p.User.ID)
	if err != nil {
		c.log.Warn("page without the subscriptions banner",
			requestFields(r, fmt.Errorf("listing subscriptions of user %d for the banner: %w", p.User.ID, err))...)
		return nil
	}
	var names []string
	for _, s := range subs {
		if s.UserID == p.User.ID && disabledByFailures(s) {
			names = append(names, s.Name)
		}
	}
	return names
}

// loginURL sends to the login page, coming back to next afterwards.
func loginURL(next string) string {
	if next == "" || next == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// roleLabel names a role the way the console's users say it.
func roleLabel(r domain.Role) string {
	switch r {
	case domain.RoleAdmin:
		return "管理员"
	case domain.RoleOperator:
		return "运维"
	case domain.RoleSupervisor:
		return "市场监管"
	case domain.RoleOwner:
		return "权利人"
	}
	return string(r)
}
