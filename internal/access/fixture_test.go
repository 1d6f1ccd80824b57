package access

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// cheapParams keep tests fast (and -race bearable); the production
// parameters are exercised by TestHashPasswordProduction.
func cheapParams() hashParams { return hashParams{memory: 8, time: 1, threads: 1, keyLen: 32} }

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Users of the fixture. Every password is pw(name).
const (
	idAdmin int64 = iota + 1
	idOwnerA
	idOwnerB
	idSupervisor
	idOperator
	idDisabled
	idMustChange
)

func pw(name string) string { return "secret-of-" + name + "-密码" }

type fixture struct {
	t        *testing.T
	st       *fakeStore
	clock    *fakeClock
	auth     *Authenticator
	guard    *Guard
	logs     *observer.ObservedLogs
	verifies atomic.Int64
	mu       sync.Mutex
	called   map[string]int       // pattern → handler calls
	seen     map[string]Principal // pattern → last principal
	forms    map[string]string    // pattern → r.PostForm.Encode() the handler saw
}

func fixtureRoutes() []Route {
	return []Route{
		{Pattern: "GET /healthz", Perm: Public, API: true},
		{Pattern: "GET /api/v1/me", Perm: Authenticated, API: true},
		{Pattern: "GET /api/v1/alerts", Perm: ReadAlerts, API: true},
		{Pattern: "PATCH /api/v1/alerts/{id}", Perm: Review, API: true},
		{Pattern: "POST /api/v1/users", Perm: ManageUsers, API: true},
		{Pattern: "GET /api/v1/users", Perm: ManageUsers, API: true},
		{Pattern: "POST /api/v1/account/password", Perm: Authenticated, API: true},
		{Pattern: "GET /metrics", Perm: ReadMetrics, API: true},
		{Pattern: "GET /login", Perm: Public},
		{Pattern: "POST /login", Perm: Public},
		{Pattern: "GET /static/", Perm: Public},
		{Pattern: "GET /alerts", Perm: ReadAlerts},
		{Pattern: "POST /alerts/{id}/review", Perm: Review},
		{Pattern: "GET /users", Perm: ManageUsers},
		{Pattern: "GET /account/password", Perm: Authenticated},
		{Pattern: "POST /account/password", Perm: Authenticated},
		{Pattern: "POST /logout", Perm: Authenticated},
	}
}

func newFixture(t *testing.T) *fixture {
	return newFixtureWith(t, nil)
}

// newFixtureWith lets a test adjust the options before the guard is built.
func newFixtureWith(t *testing.T, adjust func(*Options, *GuardOptions)) *fixture {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	log := zap.New(core)
	f := &fixture{t: t, st: newFakeStore(), clock: &fakeClock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}, logs: logs,
		called: map[string]int{}, seen: map[string]Principal{}, forms: map[string]string{}}
	p := cheapParams()
	opts := Options{Now: f.clock.Now, Log: log, hashParams: &p,
		MarksByOwner: map[string][]string{"甲公司": {"m1", "m2"}, "乙公司": {"m3"}},
		verify: func(hash, pw string) bool {
			f.verifies.Add(1)
			return VerifyPassword(hash, pw)
		}}
	gopts := GuardOptions{Log: log, MustChangeAllowed: []string{"/api/v1/account/password"}}
	if adjust != nil {
		adjust(&opts, &gopts)
	}
	f.auth = NewAuthenticator(f.st, opts)
	f.guard = NewGuard(f.auth, gopts)
	for _, rt := range fixtureRoutes() {
		rt.Handler = f.handler(rt.Pattern)
		if err := f.guard.Handle(rt); err != nil {
			t.Fatal(err)
		}
	}
	users := []domain.User{
		{ID: idAdmin, Name: "admin", Role: domain.RoleAdmin},
		{ID: idOwnerA, Name: "owner-a", Role: domain.RoleOwner, Owner: "甲公司"},
		{ID: idOwnerB, Name: "owner-b", Role: domain.RoleOwner, Owner: "乙公司"},
		{ID: idSupervisor, Name: "supervisor", Role: domain.RoleSupervisor, Jurisdiction: "河北"},
		{ID: idOperator, Name: "operator", Role: domain.RoleOperator},
		{ID: idDisabled, Name: "gone", Role: domain.RoleAdmin, Disabled: true},
		{ID: idMustChange, Name: "newbie", Role: domain.RoleAdmin, MustChangePassword: true},
	}
	for _, u := range users {
		h, err := hashWith(cheapParams(), pw(u.Name))
		if err != nil {
			t.Fatal(err)
		}
		f.st.addUser(u, h)
	}
	return f
}

func (f *fixture) handler(pattern string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.called[pattern]++
		p, _ := FromContext(r.Context())
		f.seen[pattern] = p
		f.forms[pattern] = r.PostForm.Encode()
		f.mu.Unlock()
		fmt.Fprintf(w, "ok %s id=%s", p.User.Name, r.PathValue("id"))
	})
}

func (f *fixture) calls(pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.called[pattern]
}

func (f *fixture) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.called {
		n += c
	}
	return n
}

func (f *fixture) principalSeen(pattern string) Principal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[pattern]
}

// token stores an API token for user and returns its secret.
func (f *fixture) token(user int64, adjust func(*domain.APIToken)) string {
	f.t.Helper()
	secret, hash, shown, err := NewSecret(TokenPrefix)
	if err != nil {
		f.t.Fatal(err)
	}
	tk := domain.APIToken{ID: int64(len(f.st.tokens) + 1), UserID: user, Name: "cli", Hash: hash, Prefix: shown, CreatedAt: f.clock.Now()}
	if adjust != nil {
		adjust(&tk)
	}
	f.st.addToken(tk)
	return secret
}

// login signs name in and returns the cookie and the principal (with its
// CSRF token).
func (f *fixture) login(name string) (*http.Cookie, Principal) {
	f.t.Helper()
	p, c, err := f.auth.Login(context.Background(), name, pw(name), "192.0.2.10", "test-agent")
	if err != nil {
		f.t.Fatalf("login %s: %v", name, err)
	}
	return c, p
}

// req describes one request; Host defaults to localhost and the client to
// 192.0.2.10.
type req struct {
	method, target string
	host           string
	header         map[string]string
	cookie         *http.Cookie
	bearer         string
	body           string
}

func (f *fixture) do(q req) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r := httptest.NewRequest(q.method, q.target, body)
	r.Host = "localhost:8080"
	if q.host != "" {
		r.Host = q.host
	}
	r.RemoteAddr = "192.0.2.10:50000"
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	if q.cookie != nil {
		r.AddCookie(&http.Cookie{Name: q.cookie.Name, Value: q.cookie.Value})
	}
	if q.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+q.bearer)
	}
	w := httptest.NewRecorder()
	f.guard.ServeHTTP(w, r)
	return w
}

// form is the header set of a same-origin browser form post.
func form(extra map[string]string) map[string]string {
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin",
		"Origin": "http://localhost:8080"}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
