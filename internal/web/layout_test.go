package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
)

// pagesOf are pages each principal can open, with every kind of form.
var pagesOf = []struct {
	who   *access.Principal
	paths []string
}{
	{admin, []string{"/", "/?status=all", "/alerts/1", "/alerts/99", "/sources", "/subscriptions", "/subscriptions/new",
		"/audit", "/users", "/sellers", "/account/password", "/login", "/cases", "/cases/1", "/cases/3", "/?status=confirmed", "/alerts/2"}},
	{ownerA, []string{"/", "/alerts/1", "/cases", "/cases/1", "/subscriptions", "/subscriptions/1", "/subscriptions/2", "/subscriptions/new",
		"/sellers", "/audit", "/account/password", "/login"}},
	{supervisor("山东"), []string{"/", "/alerts/1", "/alerts/3", "/sellers", "/sources", "/audit", "/cases", "/cases/1", "/cases/3"}},
}

var formRE = regexp.MustCompile(`(?s)<form\b[^>]*>.*?</form>`)

// The Guard refuses a cookie-authenticated post without the session's CSRF
// token: every posting form on every page must carry it, or the button
// silently breaks (and a form without it would be a bug to fix, not to
// relax the Guard for).
func TestEveryPostingFormCarriesTheCSRFToken(t *testing.T) {
	for _, pp := range pagesOf {
		t.Run(pp.who.User.Name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(pp.who)
			field := `<input type="hidden" name="csrf_token" value="` + pp.who.CSRFToken + `">`
			for _, path := range pp.paths {
				resp, body := h.get(t, path)
				if resp.StatusCode >= 500 {
					t.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
				posts := 0
				for _, f := range formRE.FindAllString(body, -1) {
					if !strings.Contains(f[:strings.Index(f, ">")], `method="post"`) {
						continue
					}
					posts++
					if !strings.Contains(f, field) {
						t.Errorf("GET %s: a posting form lacks the CSRF token:\n%s", path, f)
					}
				}
				if posts == 0 {
					t.Errorf("GET %s: no posting form at all (not even sign-out)", path)
				}
			}
		})
	}
}

func TestLayoutShowsWhoAndOnlyUsableLinks(t *testing.T) {
	all := []string{`href="/sources"`, `href="/subscriptions"`, `href="/sellers"`, `href="/audit"`, `href="/users"`, `href="/account/password"`}
	tests := []struct {
		who   *access.Principal
		role  string
		links []string
	}{
		{admin, "管理员", all},
		{operator, "运维", []string{`href="/sources"`, `href="/subscriptions"`, `href="/audit"`, `href="/account/password"`}},
		{supervisor("山东 临沂"), "市场监管", []string{`href="/sources"`, `href="/subscriptions"`, `href="/sellers"`, `href="/audit"`, `href="/account/password"`}},
		{ownerA, "权利人", []string{`href="/subscriptions"`, `href="/sellers"`, `href="/audit"`, `href="/account/password"`}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(tt.who)
			_, body := h.get(t, "/")
			nav := body[strings.Index(body, "<nav>"):strings.Index(body, "</nav>")]
			for _, l := range all {
				if want := contains(tt.links, l); strings.Contains(nav, l) != want {
					t.Errorf("nav link %s shown=%t, want %t", l, !want, want)
				}
			}
			for _, s := range []string{`<span class="user">` + tt.who.User.Name + `</span>`, `<span class="role">` + tt.role + `</span>`,
				`action="/logout"`, "退出 Sign out"} {
				if !strings.Contains(body, s) {
					t.Errorf("layout lacks %q", s)
				}
			}
		})
	}
}

func TestBannerWhenASubscriptionFailed(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA) // its 法务群机器人 was turned off by failures
	for _, path := range []string{"/", "/alerts/1", "/subscriptions", "/sellers", "/audit", "/alerts/99"} {
		_, body := h.get(t, path)
		if !strings.Contains(body, `<div class="banner no-print" role="alert">`) || !strings.Contains(body, "接收端持续失败，已停用") ||
			!strings.Contains(body, "「法务群机器人」") {
			t.Errorf("GET %s lacks the failed-subscription banner", path)
		}
	}
	h.signIn(ownerB)
	if _, body := h.get(t, "/"); strings.Contains(body, "接收端持续失败") || strings.Contains(body, "法务群机器人") {
		t.Error("owner B sees a banner about owner A's subscription")
	}
	// Unsubscribed by link or turned off by its user is not a failure.
	h.signIn(ownerA)
	if resp, _ := h.post(t, "/unsubscribe?token=good-token-1", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("unsubscribe: %d", resp.StatusCode)
	}
	if _, body := h.get(t, "/"); strings.Contains(body, "「六个核桃 每日摘要」") {
		t.Error("an unsubscribed subscription shows in the failure banner")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
