package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSessionIdleExpiry(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("operator")
	// Used every 90 minutes, the session outlives the 2h idle timeout.
	for i := range 3 {
		f.clock.Advance(90 * time.Minute)
		if w := f.do(req{method: "GET", target: "/alerts", cookie: c}); w.Code != 200 {
			t.Fatalf("use %d after 90 min: %d", i, w.Code)
		}
	}
	f.clock.Advance(2 * time.Hour)
	if w := f.do(req{method: "GET", target: "/alerts", cookie: c}); w.Code != 303 {
		t.Fatalf("after 2h idle: %d", w.Code)
	}
	if _, ok := f.st.session(p.SessionHash); ok {
		t.Fatal("expired session not deleted")
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	f := newFixture(t)
	c, p := f.login("operator")
	for elapsed := time.Duration(0); elapsed < 24*time.Hour-time.Hour; elapsed += time.Hour {
		f.clock.Advance(time.Hour)
		if w := f.do(req{method: "GET", target: "/alerts", cookie: c}); w.Code != 200 {
			t.Fatalf("busy session refused after %v: %d", elapsed+time.Hour, w.Code)
		}
	}
	f.clock.Advance(time.Hour) // 24h after sign-in, however busy
	if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: c}); w.Code != 401 {
		t.Fatalf("after 24h: %d", w.Code)
	}
	if _, ok := f.st.session(p.SessionHash); ok {
		t.Fatal("expired session not deleted")
	}
}

func TestSessionTouchedAtMostOncePerMinute(t *testing.T) {
	f := newFixture(t)
	c, _ := f.login("operator")
	for range 10 {
		f.clock.Advance(5 * time.Second)
		f.do(req{method: "GET", target: "/alerts", cookie: c})
	}
	if n := f.st.callCount("TouchSession"); n != 0 {
		t.Fatalf("TouchSession %d times within 50s, want 0", n)
	}
	f.clock.Advance(time.Minute)
	f.do(req{method: "GET", target: "/alerts", cookie: c})
	if n := f.st.callCount("TouchSession"); n != 1 {
		t.Fatalf("TouchSession %d times, want 1", n)
	}
}

func TestSessionRefusedForDisabledUserAndJunkCookies(t *testing.T) {
	f := newFixture(t)
	c, _ := f.login("operator")
	f.st.setDisabled(idOperator, true)
	if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: c}); w.Code != 401 {
		t.Fatalf("disabled user's session: %d", w.Code)
	}
	tok := f.token(idAdmin, nil)
	for _, v := range []string{"", "mws_", "junk", tok, c.Value + "x", strings.Replace(c.Value, "mws_", "mwt_", 1)} {
		if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: &http.Cookie{Name: SessionCookie, Value: v}}); w.Code != 401 {
			t.Fatalf("cookie %q: %d", v, w.Code)
		}
	}
}

func TestLoginCookieAttributes(t *testing.T) {
	f := newFixtureWith(t, func(o *Options, _ *GuardOptions) { o.SecureCookies = true })
	c, p := f.login("admin")
	if c.Name != SessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || !c.Secure {
		t.Fatalf("cookie %+v", c)
	}
	if !strings.HasPrefix(c.Value, SessionPrefix) || p.SessionHash != HashSecret(c.Value) {
		t.Fatal("the store must keep only the hash of the cookie")
	}
	s, _ := f.st.session(p.SessionHash)
	if s.CSRFToken == "" || s.CSRFToken != p.CSRFToken || s.UserAgent != "test-agent" || !s.ExpiresAt.Equal(f.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("session %+v", s)
	}
	_, p2 := f.login("admin")
	if p2.CSRFToken == p.CSRFToken {
		t.Fatal("two sessions share a CSRF token")
	}
	out := f.auth.Logout(t.Context(), p)
	if out.MaxAge >= 0 || out.Value != "" {
		t.Fatalf("logout cookie %+v", out)
	}
	if _, ok := f.st.session(p.SessionHash); ok {
		t.Fatal("logout kept the session")
	}
	if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: c}); w.Code != 401 {
		t.Fatalf("after logout: %d", w.Code)
	}
}

// Unknown user, disabled user and wrong password fail alike: the same
// error and exactly one argon2 verification each.
func TestLoginFailuresIndistinguishable(t *testing.T) {
	f := newFixture(t)
	var msgs []string
	for _, c := range []struct{ name, pass string }{
		{"nobody", "whatever-password"},
		{"admin", "wrong-password-1"},
		{"gone", pw("gone")}, // disabled, right password
		{"gone", "wrong-password-2"},
		{"", ""},
		{strings.Repeat("x", 4096), "p"},
	} {
		before := f.verifies.Load()
		_, cookie, err := f.auth.Login(t.Context(), c.name, c.pass, "198.51.100.1", "ua")
		if err == nil || cookie != nil {
			t.Fatalf("%q signed in", c.name)
		}
		if n := f.verifies.Load() - before; n != 1 {
			t.Fatalf("%.20q: %d verifications, want 1", c.name, n)
		}
		if domain.ErrorCode(err) != CodeUnauthorized {
			t.Fatalf("%q: code %q", c.name, domain.ErrorCode(err))
		}
		msgs = append(msgs, err.Error())
	}
	for _, m := range msgs {
		if m != msgs[0] {
			t.Fatalf("messages differ: %q vs %q", m, msgs[0])
		}
	}
	if !strings.Contains(msgs[0], "用户名或密码错误 wrong user name or password") {
		t.Fatalf("message %q", msgs[0])
	}
}

// The dummy hash costs what a real one does: it uses the same parameters.
func TestDummyHashUsesCurrentParameters(t *testing.T) {
	a := NewAuthenticator(newFakeStore(), Options{})
	h, err := parseHash(a.dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if h.params != defaultHashParams() {
		t.Fatalf("dummy params %+v", h.params)
	}
}

func TestLoginThrottlePerAccount(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for i := range 5 {
		if _, _, err := f.auth.Login(ctx, "admin", "wrong", fmt.Sprintf("203.0.113.%d", i), ""); domain.ErrorCode(err) != CodeUnauthorized {
			t.Fatalf("failure %d: %v", i, err)
		}
		f.clock.Advance(time.Minute)
	}
	// The sixth attempt is refused from any address, even with the right
	// password, without verifying it.
	before := f.verifies.Load()
	_, _, err := f.auth.Login(ctx, "ADMIN ", pw("admin"), "198.51.100.99", "")
	d, ok := RetryAfter(err)
	if !ok || domain.ErrorCode(err) != CodeTooManyRequests {
		t.Fatalf("sixth attempt: %v", err)
	}
	if d != 10*time.Minute {
		t.Fatalf("retry after %v, want 10m (the first failure leaves the window)", d)
	}
	if f.verifies.Load() != before {
		t.Fatal("a throttled attempt verified the password")
	}
	// Other accounts are unaffected.
	if _, _, err := f.auth.Login(ctx, "operator", pw("operator"), "198.51.100.99", ""); err != nil {
		t.Fatal(err)
	}
	// Sliding: after the oldest failure leaves the window one attempt is allowed.
	f.clock.Advance(d)
	if _, _, err := f.auth.Login(ctx, "admin", pw("admin"), "198.51.100.99", ""); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Success reset the account: five more failures are needed to lock it.
	for i := range 4 {
		if _, _, err := f.auth.Login(ctx, "admin", "wrong", "198.51.100.98", ""); domain.ErrorCode(err) != CodeUnauthorized {
			t.Fatalf("failure %d after reset: %v", i, err)
		}
	}
	if _, _, err := f.auth.Login(ctx, "admin", pw("admin"), "198.51.100.98", ""); err != nil {
		t.Fatalf("after 4 failures: %v", err)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// Spraying 20 names from one /64 …
	for i := range 20 {
		addr := fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1)
		if _, _, err := f.auth.Login(ctx, fmt.Sprintf("user%d", i), "password1", addr, ""); domain.ErrorCode(err) != CodeUnauthorized {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// … locks the /64 out, whatever the account and password.
	_, _, err := f.auth.Login(ctx, "admin", pw("admin"), "2001:db8:1:2:ffff::1", "")
	if domain.ErrorCode(err) != CodeTooManyRequests {
		t.Fatalf("from the same /64: %v", err)
	}
	if _, _, err := f.auth.Login(ctx, "admin", pw("admin"), "2001:db8:1:3::1", ""); err != nil {
		t.Fatalf("from another /64: %v", err)
	}
	// A success does not reset the address.
	if _, _, err := f.auth.Login(ctx, "admin", pw("admin"), "2001:db8:1:2::1", ""); domain.ErrorCode(err) != CodeTooManyRequests {
		t.Fatalf("address reset by another address's success: %v", err)
	}
	f.clock.Advance(15 * time.Minute)
	if _, _, err := f.auth.Login(ctx, "admin", pw("admin"), "2001:db8:1:2::1", ""); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// A throttled unknown account and a throttled real account answer
// identically, so the throttle does not reveal which accounts exist.
func TestThrottledAnswersIdentical(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for range 5 {
		f.auth.Login(ctx, "admin", "wrong", "203.0.113.1", "")
		f.auth.Login(ctx, "no-such-user", "wrong", "203.0.113.2", "")
	}
	before := f.verifies.Load()
	_, c1, e1 := f.auth.Login(ctx, "admin", "x", "203.0.113.3", "")
	_, c2, e2 := f.auth.Login(ctx, "no-such-user", "x", "203.0.113.4", "")
	if e1 == nil || e2 == nil || e1.Error() != e2.Error() || c1 != nil || c2 != nil {
		t.Fatalf("throttled answers differ: %v / %v", e1, e2)
	}
	d1, _ := RetryAfter(e1)
	d2, _ := RetryAfter(e2)
	if d1 != d2 || f.verifies.Load() != before {
		t.Fatalf("retry %v vs %v, verifications %d", d1, d2, f.verifies.Load()-before)
	}
}

func TestThrottleMemoryBounded(t *testing.T) {
	now := time.Unix(0, 0)
	th := newThrottle(ThrottleOptions{MaxKeys: 50})
	for i := range 1000 {
		now = now.Add(time.Second)
		th.fail(fmt.Sprintf("name%d", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), now)
	}
	if len(th.accounts.fails) > 50 || len(th.addrs.fails) > 50 {
		t.Fatalf("%d accounts, %d addresses remembered", len(th.accounts.fails), len(th.addrs.fails))
	}
	// The newest are kept.
	if _, ok := th.accounts.fails["name999"]; !ok {
		t.Fatal("newest key evicted")
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:80":          "192.0.2.1",
		"192.0.2.1":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80": "192.0.2.1",
		"2001:db8::1":           "2001:db8::/64",
		"[2001:db8::9]:443":     "2001:db8::/64",
		"fe80::1%eth0":          "fe80::/64",
		"@":                     "raw:@",
	} {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientAddrIgnoresForwardedForUnlessTrusted(t *testing.T) {
	r := newRequest("GET", "/")
	r.Header.Set("X-Forwarded-For", "1.2.3.4, 10.0.0.7")
	if got := clientAddr(r, false); got != "192.0.2.10" {
		t.Fatalf("untrusted: %q", got)
	}
	if got := clientAddr(r, true); got != "10.0.0.7" {
		t.Fatalf("trusted: %q (the last entry is the proxy's)", got)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	c1, p := f.login("supervisor")
	c2, _ := f.login("supervisor")
	if _, err := f.auth.ChangePassword(ctx, p, "wrong current", "a good new password"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("wrong current password: %v", err)
	}
	for _, bad := range []string{"short", "supervisor", "九个字的中文密码吗", pw("supervisor")} {
		if _, err := f.auth.ChangePassword(ctx, p, pw("supervisor"), bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("new password %q accepted: %v", bad, err)
		}
	}
	nc, err := f.auth.ChangePassword(ctx, p, pw("supervisor"), "十个字的中文密码很好")
	if err != nil || nc == nil {
		t.Fatalf("change: %v", err)
	}
	for _, old := range []*http.Cookie{c1, c2} {
		if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: old}); w.Code != 401 {
			t.Fatalf("old session survived the change: %d", w.Code)
		}
	}
	if w := f.do(req{method: "GET", target: "/api/v1/me", cookie: nc}); w.Code != 200 {
		t.Fatalf("new session: %d", w.Code)
	}
	if _, _, err := f.auth.Login(ctx, "supervisor", "十个字的中文密码很好", "192.0.2.1", ""); err != nil {
		t.Fatalf("sign-in with the new password: %v", err)
	}
}

// Guessing the current password through a stolen session is throttled
// like sign-in.
func TestChangePasswordThrottled(t *testing.T) {
	f := newFixture(t)
	_, p := f.login("admin")
	for range 5 {
		f.auth.ChangePassword(t.Context(), p, "guess", "a good new password")
	}
	_, err := f.auth.ChangePassword(t.Context(), p, pw("admin"), "a good new password")
	if domain.ErrorCode(err) != CodeTooManyRequests {
		t.Fatalf("sixth guess: %v", err)
	}
}

type failingStore struct{ *fakeStore }

func (failingStore) GetSession(context.Context, string) (domain.Session, error) {
	return domain.Session{}, errors.New("database is locked at /var/lib/markwatch/db")
}

// A broken store is an internal error, not a silent anonymous request,
// and its details stay in the log.
func TestStoreFailureIs500WithoutDetails(t *testing.T) {
	f := newFixture(t)
	c, _ := f.login("admin")
	g := NewGuard(NewAuthenticator(failingStore{f.st}, Options{Now: f.clock.Now}), GuardOptions{})
	g.MustHandle(Route{Pattern: "GET /api/v1/me", Perm: Authenticated, API: true, Handler: http.NotFoundHandler()})
	r, w := newRequest("GET", "/api/v1/me"), newRecorder()
	r.AddCookie(c)
	g.ServeHTTP(w, r)
	if w.Code != 500 || strings.Contains(w.Body.String(), "/var/lib") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
