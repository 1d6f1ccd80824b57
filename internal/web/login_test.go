package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLoginPage(t *testing.T) {
	tests := []struct {
		next string
		kept bool
	}{
		{"/alerts/1", true},
		{"/?mark=liugehetao&status=open", true},
		{"//evil.example", false},
		{"//evil.example/alerts", false},
		{"https://evil.example", false},
		{"http://evil.example/", false},
		{`/\evil.example`, false},
		{"javascript:alert(1)", false},
		{"evil.example", false},
		{"/\t/evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.next, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(nil)
			resp, body := h.get(t, "/login?next="+url.QueryEscape(tt.next))
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, want := range []string{"用户名", "密码", `name="name"`, `type="password"`, `action="/login"`} {
				if !strings.Contains(body, want) {
					t.Errorf("login page lacks %q", want)
				}
			}
			if got := strings.Contains(body, `name="next"`); got != tt.kept {
				t.Errorf("next=%q kept=%t, want %t", tt.next, got, tt.kept)
			}
			if !tt.kept && strings.Contains(body, "evil.example") {
				t.Errorf("next=%q reached the page", tt.next)
			}
			// Nobody is signed in: no user, no nav, no sign-out.
			if strings.Contains(body, `class="user"`) || strings.Contains(body, `action="/logout"`) || strings.Contains(body, `href="/users"`) {
				t.Error("the anonymous login page shows signed-in parts")
			}
		})
	}
}

// post of the login form from the console's own page.
func (h *harness) login(t *testing.T, name, password, next string) (*http.Response, string) {
	t.Helper()
	f := url.Values{"name": {name}, "password": {password}}
	if next != "" {
		f.Set("next", next)
	}
	return h.post(t, "/login", f, map[string]string{"Origin": h.srv.URL})
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name, user, password, next string
		status                     int
		location                   string
		says                       string
	}{
		{"success goes to next", "yangyuan", "核桃-correct-horse", "/alerts/1", 303, "/alerts/1", ""},
		{"success without next", "yangyuan", "核桃-correct-horse", "", 303, "/", ""},
		{"next to another site is dropped", "yangyuan", "核桃-correct-horse", "//evil.example", 303, "/", ""},
		{"next with a scheme is dropped", "yangyuan", "核桃-correct-horse", "https://evil.example/", 303, "/", ""},
		{"wrong password", "yangyuan", "六个核桃123", "/alerts/1", 401, "", "用户名或密码错误"},
		{"unknown user", "nobody", "六个核桃123", "", 401, "", "用户名或密码错误"},
		{"throttled", "throttled", "x", "", 429, "", "请 15 分钟后再试"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(nil)
			resp, body := h.login(t, tt.user, tt.password, tt.next)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.status, body)
			}
			if tt.location != "" && resp.Header.Get("Location") != tt.location {
				t.Errorf("redirect to %q, want %q", resp.Header.Get("Location"), tt.location)
			}
			if tt.says != "" && !strings.Contains(body, tt.says) {
				t.Errorf("page lacks %q:\n%s", tt.says, body)
			}
			if tt.status == 303 {
				if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "markwatch_session=s3cr3t-yangyuan") {
					t.Errorf("no session cookie: %q", c)
				}
				return
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Error("a failed sign-in set a cookie")
			}
			// The password typed is never sent back; the name is kept.
			if strings.Contains(body, tt.password) {
				t.Errorf("the password %q was echoed into the page", tt.password)
			}
			if tt.status == 401 && !strings.Contains(body, `value="`+tt.user+`"`) {
				t.Error("the name typed was not kept")
			}
			if tt.status == 429 && resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		})
	}
}

// Unknown user and wrong password must read the same.
func TestLoginFailuresLookAlike(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(nil)
	_, a := h.login(t, "yangyuan", "wrong", "")
	_, b := h.login(t, "nobody", "wrong", "")
	if strings.ReplaceAll(a, "yangyuan", "X") != strings.ReplaceAll(b, "nobody", "X") {
		t.Errorf("the two failures differ:\n%s\n---\n%s", a, b)
	}
}

func TestLoginRefusesOtherSites(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"other Origin", map[string]string{"Origin": "https://evil.example"}},
		{"other Referer, no Origin", map[string]string{"Referer": "https://evil.example/page"}},
		{"no headers at all", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(nil)
			resp, body := h.post(t, "/login", url.Values{"name": {"yangyuan"}, "password": {"核桃-correct-horse"}}, tt.headers)
			if resp.StatusCode != 403 || !strings.Contains(body, "只接受来自本控制台页面的登录") {
				t.Errorf("status %d, want 403:\n%s", resp.StatusCode, body)
			}
			if h.auth.logins != 0 || resp.Header.Get("Set-Cookie") != "" {
				t.Error("a forged sign-in reached Login")
			}
		})
	}
}

func TestLoginMustChangePassword(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(nil)
	p := *ownerA
	p.User.MustChangePassword = true
	h.auth.users["yangyuan"] = &p
	resp, _ := h.login(t, "yangyuan", "核桃-correct-horse", "/alerts/1")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/account/password" {
		t.Errorf("%d to %q, want the password page first", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	resp, _ := h.post(t, "/logout", url.Values{"csrf_token": {ownerA.CSRFToken}}, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" || !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout: %d %q %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie"))
	}
	h.signIn(nil)
	if resp, _ := h.post(t, "/logout", nil, nil); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("anonymous logout: %d", resp.StatusCode)
	}
}

func TestChangePassword(t *testing.T) {
	const old, nw = "核桃-correct-horse", "六个核桃-新密码-2026"
	tests := []struct {
		name              string
		old, new, confirm string
		status            int
		says              string
	}{
		{"copies differ", old, nw, nw + "x", 400, "两次输入的新密码不一致"},
		{"wrong current password", "衡水老白干-guess", nw, nw, 400, "当前密码不正确"},
		{"too short", old, "短密码", "短密码", 400, "新密码至少12个字符"},
		{"changed", old, nw, nw, 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(ownerA)
			resp, body := h.post(t, "/account/password", url.Values{"old": {tt.old}, "new": {tt.new}, "confirm": {tt.confirm}}, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			for _, pw := range []string{tt.old, tt.new, tt.confirm} {
				if strings.Contains(body, pw) {
					t.Errorf("a password typed (%q) was echoed into the page", pw)
				}
			}
			if tt.status == 303 {
				if h.auth.changed["yangyuan"] != nw || !strings.Contains(resp.Header.Get("Set-Cookie"), "fresh-yangyuan") {
					t.Error("the password did not change or no fresh session cookie was set")
				}
				if _, done := h.get(t, resp.Header.Get("Location")); !strings.Contains(done, "密码已修改") {
					t.Error("no confirmation after the change")
				}
			} else if len(h.auth.changed) != 0 {
				t.Error("a refused change changed the password")
			}
		})
	}
}
