package access

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body is not the JSON error shape: %v\n%s", err, body)
	}
	return e.Error.Code
}

// Every non-public route, of each kind, refuses a request without
// credentials: the API with 401 JSON and a Bearer challenge, the console
// with a redirect to the login page; no handler runs.
func TestNoCredentialsRefusedEverywhere(t *testing.T) {
	f := newFixture(t)
	for _, rt := range fixtureRoutes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "7"), "/static/", "/static/app.css")
		t.Run(rt.Pattern, func(t *testing.T) {
			h := map[string]string{}
			if method != http.MethodGet {
				h = form(nil)
			}
			w := f.do(req{method: method, target: path, header: h})
			switch {
			case rt.Perm == Public:
				if w.Code != http.StatusOK {
					t.Fatalf("public route: status %d, want 200", w.Code)
				}
			case rt.API:
				if w.Code != http.StatusUnauthorized || errorCode(t, w.Body.String()) != CodeUnauthorized {
					t.Fatalf("status %d body %s, want 401 unauthorized", w.Code, w.Body)
				}
				if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="markwatch"` {
					t.Fatalf("WWW-Authenticate %q", got)
				}
				if f.calls(rt.Pattern) != 0 {
					t.Fatal("handler ran")
				}
			default:
				if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
					t.Fatalf("status %d Location %q, want 303 to /login", w.Code, w.Header().Get("Location"))
				}
				if f.calls(rt.Pattern) != 0 {
					t.Fatal("handler ran")
				}
			}
		})
	}
}

func TestLoginRedirectCarriesLocalNext(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", target: "/alerts?status=new&mark=m1"})
	if got, want := w.Header().Get("Location"), "/login?next="+url.QueryEscape("/alerts?status=new&mark=m1"); got != want {
		t.Fatalf("Location %q, want %q", got, want)
	}
	// A POST is not replayed after sign-in.
	w = f.do(req{method: "POST", target: "/alerts/3/review", header: form(nil)})
	if got := w.Header().Get("Location"); got != "/login" {
		t.Fatalf("Location %q, want /login", got)
	}
}

// Bad bearer tokens never authenticate, whatever is wrong with them.
func TestBadTokensRefused(t *testing.T) {
	f := newFixture(t)
	past := f.clock.Now().Add(-time.Hour)
	future := f.clock.Now().Add(time.Hour)
	good := f.token(idAdmin, nil)
	revoked := f.token(idAdmin, func(tk *domain.APIToken) { tk.RevokedAt = &past })
	expired := f.token(idAdmin, func(tk *domain.APIToken) { tk.ExpiresAt = &past })
	notYetExpired := f.token(idAdmin, func(tk *domain.APIToken) { tk.ExpiresAt = &future })
	disabled := f.token(idDisabled, nil)
	orphan := f.token(999, nil)
	unknown, _, _, _ := NewSecret(TokenPrefix)
	session, _ := f.login("admin")

	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"good", "Bearer " + good, 200},
		{"lower-case scheme", "bearer " + good, 200},
		{"not yet expired", "Bearer " + notYetExpired, 200},
		{"unknown token", "Bearer " + unknown, 401},
		{"revoked", "Bearer " + revoked, 401},
		{"expired", "Bearer " + expired, 401},
		{"disabled user", "Bearer " + disabled, 401},
		{"deleted user", "Bearer " + orphan, 401},
		{"truncated", "Bearer " + good[:len(good)-1], 401},
		{"extended", "Bearer " + good + "A", 401},
		{"session secret as token", "Bearer " + session.Value, 401},
		{"no prefix", "Bearer " + strings.TrimPrefix(good, TokenPrefix), 401},
		{"basic", "Basic YWRtaW46cGFzc3dvcmQ=", 401},
		{"scheme only", "Bearer", 401},
		{"empty token", "Bearer ", 401},
		{"two tokens", "Bearer " + good + " " + good, 401},
		{"quoted", `Bearer "` + good + `"`, 401},
		{"empty", "", 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.calls("GET /api/v1/alerts")
			r := req{method: "GET", target: "/api/v1/alerts", header: map[string]string{"Authorization": c.header}}
			if c.header == "" {
				r.header = nil
				r.bearer = ""
				r.header = map[string]string{"Authorization": ""}
			}
			w := f.do(r)
			if w.Code != c.want {
				t.Fatalf("status %d, want %d: %s", w.Code, c.want, w.Body)
			}
			ran := f.calls("GET /api/v1/alerts") - before
			if (c.want == 200) != (ran == 1) {
				t.Fatalf("handler ran %d times", ran)
			}
			if c.want == 401 && !strings.Contains(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Fatal("no Bearer challenge")
			}
		})
	}
}

func TestTwoAuthorizationHeadersRefused(t *testing.T) {
	f := newFixture(t)
	good := f.token(idAdmin, nil)
	r, w := newRequest("GET", "/api/v1/alerts"), newRecorder()
	r.Header.Add("Authorization", "Bearer "+good)
	r.Header.Add("Authorization", "Bearer "+good)
	f.guard.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Fatalf("status %d, want 401", w.Code)
	}
}

// A token is recorded as used, but the store is written at most once a
// minute.
func TestTokenLastUseTouchedAtMostOncePerMinute(t *testing.T) {
	f := newFixture(t)
	tok := f.token(idAdmin, nil)
	for range 5 {
		f.do(req{method: "GET", target: "/api/v1/me", bearer: tok})
	}
	if n := f.st.callCount("TouchToken"); n != 1 {
		t.Fatalf("TouchToken called %d times in one minute, want 1", n)
	}
	f.clock.Advance(time.Minute)
	f.do(req{method: "GET", target: "/api/v1/me", bearer: tok})
	if n := f.st.callCount("TouchToken"); n != 2 {
		t.Fatalf("TouchToken called %d times, want 2", n)
	}
}

// Roles get exactly their permissions: 403 otherwise, never the handler.
func TestPermissionMissingIs403(t *testing.T) {
	f := newFixture(t)
	ownerA := f.token(idOwnerA, nil)
	operator := f.token(idOperator, nil)
	supervisor := f.token(idSupervisor, nil)
	cases := []struct {
		who, tok, method, target string
		want                     int
	}{
		{"owner on users", ownerA, "POST", "/api/v1/users", 403},
		{"owner lists users", ownerA, "GET", "/api/v1/users", 403},
		{"owner reviews", ownerA, "PATCH", "/api/v1/alerts/1", 403},
		{"owner metrics", ownerA, "GET", "/metrics", 403},
		{"operator reviews", operator, "PATCH", "/api/v1/alerts/1", 403},
		{"operator on users", operator, "POST", "/api/v1/users", 403},
		{"supervisor on users", supervisor, "GET", "/api/v1/users", 403},
		{"supervisor reviews", supervisor, "PATCH", "/api/v1/alerts/1", 200},
		{"owner reads alerts", ownerA, "GET", "/api/v1/alerts", 200},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			before := f.totalCalls()
			w := f.do(req{method: c.method, target: c.target, bearer: c.tok})
			if w.Code != c.want {
				t.Fatalf("status %d, want %d: %s", w.Code, c.want, w.Body)
			}
			if c.want == 403 {
				if errorCode(t, w.Body.String()) != CodeForbidden {
					t.Fatalf("code %s", w.Body)
				}
				// the refusal names what is missing and what to do
				if b := w.Body.String(); !strings.Contains(b, "lacks the permission ") || !strings.Contains(b, "ask an administrator") {
					t.Fatalf("refusal says nothing to do: %s", b)
				}
				if f.totalCalls() != before {
					t.Fatal("handler ran")
				}
			}
		})
	}
	// The console answers with a page, not JSON.
	c, _ := f.login("owner-a")
	w := f.do(req{method: "GET", target: "/users", cookie: c})
	if w.Code != 403 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || f.calls("GET /users") != 0 {
		t.Fatalf("console: status %d type %q", w.Code, w.Header().Get("Content-Type"))
	}
}

// The owner's principal carries a scope of exactly its marks.
func TestOwnerPrincipalScope(t *testing.T) {
	f := newFixture(t)
	f.do(req{method: "GET", target: "/api/v1/alerts", bearer: f.token(idOwnerA, nil)})
	p := f.principalSeen("GET /api/v1/alerts")
	if !p.Scope.Restricted || strings.Join(p.Scope.MarkIDs, ",") != "m1,m2" || p.Scope.AllowsMark("m3") {
		t.Fatalf("owner scope %+v", p.Scope)
	}
	if p.Via != ViaToken || p.RemoteAddr != "192.0.2.10" {
		t.Fatalf("principal %+v", p)
	}
}

// Cookie-authenticated state changes need the session's own CSRF token.
func TestCSRFTokenRequiredForCookiePosts(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("supervisor")
	_, other := f.login("admin")
	const pattern = "POST /alerts/{id}/review"
	cases := []struct {
		name   string
		header map[string]string
		body   string
		target string
		want   int
	}{
		{"no token", form(nil), "status=confirmed", "/alerts/5/review", 403},
		{"wrong token", form(map[string]string{"X-CSRF-Token": "nope"}), "", "/alerts/5/review", 403},
		{"another session's token", form(map[string]string{"X-CSRF-Token": other.CSRFToken}), "", "/alerts/5/review", 403},
		{"another session's token in the form", form(nil), "csrf_token=" + url.QueryEscape(other.CSRFToken), "/alerts/5/review", 403},
		{"token only in the query", form(nil), "status=confirmed", "/alerts/5/review?csrf_token=" + url.QueryEscape(p.CSRFToken), 403},
		{"token prefix", form(map[string]string{"X-CSRF-Token": p.CSRFToken[:10]}), "", "/alerts/5/review", 403},
		{"header token", form(map[string]string{"X-CSRF-Token": p.CSRFToken}), "", "/alerts/5/review", 200},
		{"form token", form(nil), "status=confirmed&csrf_token=" + url.QueryEscape(p.CSRFToken), "/alerts/5/review", 200},
		{"form too large", form(nil), "csrf_token=" + url.QueryEscape(p.CSRFToken) + "&pad=" + strings.Repeat("x", 2<<20), "/alerts/5/review", 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.calls(pattern)
			w := f.do(req{method: "POST", target: tc.target, header: tc.header, cookie: c, body: tc.body})
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if ran := f.calls(pattern) - before; (tc.want == 200) != (ran == 1) {
				t.Fatalf("handler ran %d times", ran)
			}
		})
	}
	// The handler finds the form already parsed.
	f.do(req{method: "POST", target: "/alerts/5/review", header: form(nil), cookie: c,
		body: "status=confirmed&csrf_token=" + url.QueryEscape(p.CSRFToken)})
	if got := f.forms[pattern]; !strings.Contains(got, "status=confirmed") {
		t.Fatalf("handler saw PostForm %q", got)
	}
}

// Token requests are not forgeable cross-site and need no CSRF token; a
// request with both a bearer token and a cookie is judged by the token.
func TestBearerJudgedBeforeCookie(t *testing.T) {
	f := newFixture(t)
	c, _ := f.login("admin")
	tok := f.token(idSupervisor, nil)
	unknown, _, _, _ := NewSecret(TokenPrefix)

	w := f.do(req{method: "PATCH", target: "/api/v1/alerts/9", bearer: tok})
	if w.Code != 200 {
		t.Fatalf("token PATCH without CSRF token: %d", w.Code)
	}
	// An unknown token does not fall back to the admin's cookie.
	w = f.do(req{method: "POST", target: "/api/v1/users", bearer: unknown, cookie: c,
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if w.Code != 401 || f.calls("POST /api/v1/users") != 0 {
		t.Fatalf("bad token + good cookie: %d", w.Code)
	}
	// A good supervisor token beside the admin's cookie acts as the supervisor.
	w = f.do(req{method: "POST", target: "/api/v1/users", bearer: tok, cookie: c})
	if w.Code != 403 {
		t.Fatalf("supervisor token + admin cookie on users: %d", w.Code)
	}
	f.do(req{method: "GET", target: "/api/v1/me", bearer: tok, cookie: c})
	if p := f.principalSeen("GET /api/v1/me"); p.User.Name != "supervisor" || p.Via != ViaToken {
		t.Fatalf("principal %+v", p)
	}
}

// Cross-origin state changes are refused even with a valid cookie and a
// valid CSRF token (a token leaked into another site does not help it).
func TestCrossOriginPostsRefused(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("supervisor")
	const pattern = "POST /alerts/{id}/review"
	cases := []struct {
		name   string
		header map[string]string
	}{
		{"sec-fetch-site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"sec-fetch-site same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://sub.localhost"}},
		{"origin only", map[string]string{"Origin": "https://evil.example"}},
		{"null origin", map[string]string{"Origin": "null"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": p.CSRFToken}
			for k, v := range tc.header {
				h[k] = v
			}
			w := f.do(req{method: "POST", target: "/alerts/5/review", header: h, cookie: c, body: "status=dismissed"})
			if w.Code != 403 || f.calls(pattern) != 0 {
				t.Fatalf("status %d, handler calls %d", w.Code, f.calls(pattern))
			}
		})
	}
	// Without credentials the answer is 401 and nothing runs or changes.
	before := f.st.totalCalls()
	w := f.do(req{method: "POST", target: "/api/v1/users", header: map[string]string{"Sec-Fetch-Site": "cross-site",
		"Origin": "https://evil.example", "Content-Type": "application/json"}, body: `{"name":"evil","role":"admin"}`})
	if w.Code != 401 || f.calls("POST /api/v1/users") != 0 || f.st.totalCalls() != before {
		t.Fatalf("anonymous cross-origin POST: %d", w.Code)
	}
	// Login CSRF: a cross-site POST to the public login route is refused.
	w = f.do(req{method: "POST", target: "/login", header: map[string]string{"Sec-Fetch-Site": "cross-site",
		"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, body: "name=evil"})
	if w.Code != 403 || f.calls("POST /login") != 0 {
		t.Fatalf("cross-site POST /login: %d", w.Code)
	}
}

// On a public route a session that fails the CSRF check is not refused
// but not passed on either: the handler runs anonymously.
func TestPublicUnsafeRouteDropsUnverifiedSession(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("admin")
	f.do(req{method: "POST", target: "/login", header: form(nil), cookie: c, body: "name=x"})
	if got := f.principalSeen("POST /login"); got.User.ID != 0 {
		t.Fatalf("public POST without CSRF token got principal %s", got.User.Name)
	}
	f.do(req{method: "POST", target: "/login", header: form(map[string]string{"X-CSRF-Token": p.CSRFToken}), cookie: c})
	if got := f.principalSeen("POST /login"); got.User.ID != idAdmin {
		t.Fatalf("public POST with CSRF token: principal %+v", got)
	}
}

// A forged Host is refused with 421 before authentication: the store is
// not asked and no handler runs, even with valid credentials.
func TestForgedHostMisdirected(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("admin")
	tok := f.token(idAdmin, nil)
	for _, host := range []string{"evil.example", "rebind.attacker.com:8080", "localhost.evil.example", "", "127.0.0.2", "[::2]:8080", "localhost@evil.example"} {
		t.Run(host, func(t *testing.T) {
			before := f.st.totalCalls()
			for _, q := range []req{
				{method: "GET", target: "/api/v1/users", bearer: tok},
				{method: "POST", target: "/alerts/1/review", cookie: c, header: form(map[string]string{"X-CSRF-Token": p.CSRFToken})},
				{method: "GET", target: "/healthz"},
			} {
				q.host = host
				if host == "" {
					q.host = " "
				}
				w := f.do(q)
				if w.Code != http.StatusMisdirectedRequest {
					t.Fatalf("%s %s: status %d, want 421", q.method, q.target, w.Code)
				}
				if !strings.Contains(w.Body.String(), "http.hosts") {
					t.Fatalf("message does not name http.hosts: %s", w.Body)
				}
			}
			if f.st.totalCalls() != before || f.totalCalls() != 0 {
				t.Fatal("authentication or a handler ran")
			}
		})
	}
	for _, host := range []string{"localhost", "LOCALHOST:9", "127.0.0.1:8080", "[::1]:8080", "localhost."} {
		if w := f.do(req{method: "GET", target: "/healthz", host: host}); w.Code != 200 {
			t.Fatalf("host %q: %d", host, w.Code)
		}
	}
}

func TestAllowedHostsConfigured(t *testing.T) {
	f := newFixtureWith(t, func(_ *Options, g *GuardOptions) { g.AllowedHosts = []string{"Watch.Example.CN:443"} })
	if w := f.do(req{method: "GET", target: "/healthz", host: "watch.example.cn"}); w.Code != 200 {
		t.Fatalf("configured host: %d", w.Code)
	}
	if w := f.do(req{method: "GET", target: "/healthz", host: "localhost"}); w.Code != 421 {
		t.Fatalf("localhost once hosts are configured: %d", w.Code)
	}
}

// Default deny: what no route declares does not exist, even for admins.
func TestUndeclaredRoutesNotFound(t *testing.T) {
	f := newFixture(t)
	tok := f.token(idAdmin, nil)
	c, _ := f.login("admin")
	for _, q := range []req{
		{method: "GET", target: "/api/v1/secret", bearer: tok},
		{method: "GET", target: "/api/v1/secret"},
		{method: "GET", target: "/api/v1/users/1/../../../etc/passwd", bearer: tok},
		{method: "GET", target: "/admin", cookie: c},
		{method: "GET", target: "/"},
	} {
		w := f.do(q)
		if w.Code == 200 {
			t.Fatalf("%s: 200", q.target)
		}
		if w.Code >= 300 && w.Code < 400 {
			if loc := w.Header().Get("Location"); !isLocalPath(loc) {
				t.Fatalf("%s: redirect to %q", q.target, loc)
			}
			continue
		}
		if w.Code != 404 {
			t.Fatalf("%s: %d, want 404", q.target, w.Code)
		}
		if strings.HasPrefix(q.target, "/api/") && errorCode(t, w.Body.String()) != "not_found" {
			t.Fatalf("%s: body %s", q.target, w.Body)
		}
	}
	if f.totalCalls() != 0 {
		t.Fatal("a handler ran")
	}
	w := f.do(req{method: "DELETE", target: "/api/v1/users", bearer: tok})
	if w.Code != 405 || !strings.Contains(w.Header().Get("Allow"), "GET") || errorCode(t, w.Body.String()) != CodeMethodNotAllowed {
		t.Fatalf("wrong method: %d Allow %q %s", w.Code, w.Header().Get("Allow"), w.Body)
	}
}

func TestRouteRegistrationRefusesHoles(t *testing.T) {
	g := NewGuard(newFixture(t).auth, GuardOptions{})
	h := http.NotFoundHandler()
	if err := g.Handle(Route{Pattern: "GET /a", Perm: ReadAlerts, Handler: h}); err != nil {
		t.Fatal(err)
	}
	for name, rt := range map[string]Route{
		"no permission":      {Pattern: "GET /b", Handler: h},
		"unknown permission": {Pattern: "GET /b", Perm: "alerts.raed", Handler: h},
		"nil handler":        {Pattern: "GET /b", Perm: ReadAlerts},
		"empty pattern":      {Perm: ReadAlerts, Handler: h},
		"duplicate":          {Pattern: "GET /a", Perm: Public, Handler: h},
		"bad pattern":        {Pattern: "GET /{", Perm: Public, Handler: h},
	} {
		if err := g.Handle(rt); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
	g.MustHandle(Route{Pattern: "GET /x/{a}", Perm: ReadAlerts, Handler: h})
	if err := g.Handle(Route{Pattern: "GET /x/{b}", Perm: Public, Handler: h}); err == nil {
		t.Error("conflicting pattern registered")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustHandle did not panic on a route without permission")
		}
	}()
	g.MustHandle(Route{Pattern: "GET /c", Handler: h})
}

// Users with a generated password reach only the password page, logout
// and public routes until they change it.
func TestMustChangePassword(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("newbie")
	w := f.do(req{method: "GET", target: "/alerts", cookie: c})
	if w.Code != 303 || w.Header().Get("Location") != "/account/password" {
		t.Fatalf("console: %d %q", w.Code, w.Header().Get("Location"))
	}
	for _, q := range []req{
		{method: "GET", target: "/account/password", cookie: c},
		{method: "GET", target: "/static/app.css", cookie: c},
		{method: "POST", target: "/logout", cookie: c, header: form(map[string]string{"X-CSRF-Token": p.CSRFToken})},
	} {
		if w := f.do(q); w.Code != 200 {
			t.Fatalf("%s %s: %d", q.method, q.target, w.Code)
		}
	}
	tok := f.token(idMustChange, nil)
	w = f.do(req{method: "GET", target: "/api/v1/alerts", bearer: tok})
	if w.Code != 403 || errorCode(t, w.Body.String()) != CodePasswordChangeRequired {
		t.Fatalf("API: %d %s", w.Code, w.Body)
	}
	if b := w.Body.String(); !strings.Contains(b, "sign in at /account/password") || !strings.Contains(b, "markwatch users passwd ") {
		t.Fatalf("API refusal says nothing to do: %s", b)
	}
	if w := f.do(req{method: "POST", target: "/api/v1/account/password", bearer: tok}); w.Code != 200 {
		t.Fatalf("API password route: %d", w.Code)
	}
	// After the change the flag is gone and the new session works.
	nc, err := f.auth.ChangePassword(t.Context(), p, pw("newbie"), "a brand new passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if w := f.do(req{method: "GET", target: "/alerts", cookie: nc}); w.Code != 200 {
		t.Fatalf("after change: %d", w.Code)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	for _, next := range []string{"//evil.example", "https://evil.example", `/\evil`, `\\evil`, "/\t/evil.example",
		"http:/evil", "javascript:alert(1)", "", "evil", "/%0a/evil", "///evil.example", "/\n/evil"} {
		got := LocalNext(next)
		if next == "/%0a/evil" {
			// Escaped bytes stay escaped: a local path.
			if got != next {
				t.Errorf("LocalNext(%q) = %q", next, got)
			}
			continue
		}
		if got != "/" {
			t.Errorf("LocalNext(%q) = %q, want /", next, got)
		}
	}
	for _, next := range []string{"/alerts", "/alerts?status=new&next=//x", "/a/b#c"} {
		if got := LocalNext(next); got != next {
			t.Errorf("LocalNext(%q) = %q", next, got)
		}
	}
	// The guard never builds a login redirect that leaves the site.
	f := newFixture(t)
	for _, target := range []string{"//evil.example/alerts", "/alerts?next=https://evil.example", "/alerts/..//evil.example"} {
		w := f.do(req{method: "GET", target: target})
		loc := w.Header().Get("Location")
		if loc != "" && !isLocalPath(loc) {
			t.Errorf("%s: Location %q", target, loc)
		}
		if u, err := url.Parse(loc); err == nil {
			if n := u.Query().Get("next"); n != "" && LocalNext(n) != n {
				t.Errorf("%s: next %q is not local", target, n)
			}
		}
	}
}

func newRequest(method, target string) *http.Request {
	r, _ := http.NewRequest(method, "http://localhost"+target, nil)
	r.RemoteAddr = "192.0.2.10:50000"
	return r
}

// Unreadable credentials are refused on protected routes but do not break
// public ones; a stale cookie is cleared on the way to the login page.
func TestMalformedCredentialsOnPublicAndConsoleRoutes(t *testing.T) {
	f := newFixture(t)
	basic := map[string]string{"Authorization": "Basic YTpi"}
	if w := f.do(req{method: "GET", target: "/healthz", header: basic}); w.Code != 200 {
		t.Fatalf("public route with a Basic header: %d", w.Code)
	}
	if w := f.do(req{method: "GET", target: "/alerts", header: basic}); w.Code != 303 || f.calls("GET /alerts") != 0 {
		t.Fatalf("console route with a Basic header: %d", w.Code)
	}
	c, p := f.login("admin")
	f.auth.Logout(t.Context(), p)
	w := f.do(req{method: "GET", target: "/alerts", cookie: c})
	if w.Code != 303 || !strings.Contains(w.Header().Get("Set-Cookie"), SessionCookie+"=;") {
		t.Fatalf("stale cookie: %d Set-Cookie %q", w.Code, w.Header().Get("Set-Cookie"))
	}
}
