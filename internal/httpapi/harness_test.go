package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

var (
	seen   = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	alerts = []domain.Alert{
		{ID: 1, MarkID: "liugehetao", Title: "六個核桃 核桃乳 240ml*12罐 整箱", Seller: "某某食品专营店", Location: "山东 临沂", Score: 0.93, Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen,
			Reasons: []domain.Reason{{Tactic: "script", Text: "繁体: 個→个", Start: 1, End: 2}}},
		{ID: 2, MarkID: "hengshui-laobaigan", Title: "衡水老白乾 高仿 52度 500ml", Seller: "酒水批发", Location: "河南 郑州", Score: 0.88, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen},
		{ID: 3, MarkID: "liugehetao", Title: "六介核桃 植物蛋白饮料", Seller: "饮品小店", Location: "河北 保定", Score: 0.9, Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen},
		{ID: 4, MarkID: "hengshui-laobaigan", Title: "衡水老白干 古法20 整箱特价", Seller: "某某食品专营店", Location: "河北 石家庄", Score: 0.81, Status: domain.AlertOpen, FirstSeen: seen, LastSeen: seen},
	}
	hits = []domain.Hit{
		{ID: 10, MarkID: "liugehetao", Title: "六介核桃 植物蛋白饮料", Location: "河北 保定", Alert: true, Score: 0.9},
		{ID: 11, MarkID: "shexian-hetao", Title: "涉县核桃 薄皮核桃 5斤", Location: "河北 邯郸", Alert: false, Score: 0.4},
		{ID: 12, MarkID: "lulu", Title: "承德露露 杏仁露", Alert: false, Score: 0.5},
		{ID: 13, MarkID: "hengshui-laobaigan", Title: "衡水老白干 古法 礼盒", Location: "河北 石家庄", Alert: true, Score: 0.7},
	}
)

// Principals the stand-in guard knows, by bearer token.
const (
	tokAdmin      = "tok-admin"
	tokOperator   = "tok-operator"
	tokSupervisor = "tok-supervisor" // jurisdiction 河北 石家庄
	tokOwnerA     = "tok-owner-a"    // 六个核桃
	tokOwnerB     = "tok-owner-b"    // 衡水老白干
)

var (
	userAdmin      = domain.User{ID: 1, Name: "admin", Role: domain.RoleAdmin}
	userOperator   = domain.User{ID: 2, Name: "ops", Role: domain.RoleOperator}
	userSupervisor = domain.User{ID: 3, Name: "sjz-scjg", Role: domain.RoleSupervisor, Jurisdiction: "河北 石家庄"}
	userOwnerA     = domain.User{ID: 4, Name: "yangyuan", Role: domain.RoleOwner, Owner: "河北养元智汇饮品股份有限公司"}
	userOwnerB     = domain.User{ID: 5, Name: "laobaigan", Role: domain.RoleOwner, Owner: "河北衡水老白干酒业股份有限公司"}
)

// principals is what access.ScopeFor would compute for each test user.
func principals() map[string]access.Principal {
	p := func(u domain.User, s domain.Scope) access.Principal {
		return access.Principal{User: u, Scope: s, Via: access.ViaToken, RemoteAddr: "10.0.0.9"}
	}
	return map[string]access.Principal{
		tokAdmin:      p(userAdmin, domain.Unrestricted),
		tokOperator:   p(userOperator, domain.Unrestricted),
		tokSupervisor: p(userSupervisor, domain.Scope{Jurisdiction: "河北 石家庄"}),
		tokOwnerA:     p(userOwnerA, domain.Scope{Restricted: true, MarkIDs: []string{"liugehetao"}}),
		tokOwnerB:     p(userOwnerB, domain.Scope{Restricted: true, MarkIDs: []string{"hengshui-laobaigan"}}),
	}
}

// standInGuard serves routes the way access.Guard will, minus everything
// but what handlers rely on: it authenticates the bearer token against
// principals, enforces each route's Perm with access.Can and puts the
// principal in the context. It keeps every answer body for scans.
type standInGuard struct {
	mux        *http.ServeMux
	principals map[string]access.Principal
	mu         sync.Mutex
	bodies     [][]byte
}

func newStandInGuard(routes []access.Route) *standInGuard {
	g := &standInGuard{mux: http.NewServeMux(), principals: principals()}
	for _, rt := range routes {
		g.mux.Handle(rt.Pattern, g.guard(rt))
	}
	return g
}

func (g *standInGuard) guard(rt access.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, ok := g.principals[tok]
		switch {
		case ok:
			r = r.WithContext(access.WithPrincipal(r.Context(), p))
		case rt.Perm != access.Public:
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, errorBody{Error: errorDetail{Code: codeUnauthorized, Message: "send a token"}})
			return
		}
		if ok && !access.Can(p.User.Role, rt.Perm) {
			writeJSON(w, http.StatusForbidden, errorBody{Error: errorDetail{Code: codeForbidden, Message: "not allowed"}})
			return
		}
		rt.Handler.ServeHTTP(w, r)
	})
}

func (g *standInGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &bodyRecorder{ResponseWriter: w}
	g.mux.ServeHTTP(rec, r)
	g.mu.Lock()
	g.bodies = append(g.bodies, rec.buf.Bytes())
	g.mu.Unlock()
}

// countInBodies counts occurrences of s across every answer so far.
func (g *standInGuard) countInBodies(s string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, b := range g.bodies {
		n += bytes.Count(b, []byte(s))
	}
	return n
}

type bodyRecorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (b *bodyRecorder) Write(p []byte) (int, error) {
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}

// harness is the API behind the stand-in guard, over in-memory fakes.
type harness struct {
	srv     *httptest.Server
	guard   *standInGuard
	store   *memStore
	hits    *fakeSearcher
	sources *fakeSources
	logs    *observer.ObservedLogs
}

func newHarness(t *testing.T, modify func(*Deps)) *harness {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	h := &harness{store: newMemStore(), hits: &fakeSearcher{hits: hits}, sources: newFakeSources(), logs: logs}
	deps := Deps{
		Alerts: h.store, Reviewer: h.store, Hits: h.hits, Sources: h.sources, Audit: h.store,
		Users: h.store, Tokens: h.store, Subscriptions: h.store, Deliveries: h.store, Claims: h.store,
		Credentials: &fakeCreds{},
		Metrics:     http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "markwatch_up 1\n") }),
		Checks:      []Check{{Name: "store", Fn: func(context.Context) error { return nil }}},
		Now:         func() time.Time { return seen },
	}
	if modify != nil {
		modify(&deps)
	}
	h.guard = newStandInGuard(Routes(deps, zap.New(core)))
	h.srv = httptest.NewServer(h.guard)
	t.Cleanup(h.srv.Close)
	return h
}

// do sends a request as the holder of token and returns status and body.
func (h *harness) do(t *testing.T, token, method, path, body string) (int, []byte) {
	t.Helper()
	resp := h.send(t, token, method, path, body)
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

func (h *harness) send(t *testing.T, token, method, path, body string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// get fetches path as the admin and decodes a JSON body into out (if
// non-nil).
func (h *harness) get(t *testing.T, path string, out any) *http.Response {
	t.Helper()
	return h.getAs(t, tokAdmin, path, out)
}

func (h *harness) getAs(t *testing.T, token, path string, out any) *http.Response {
	t.Helper()
	resp := h.send(t, token, "GET", path, "")
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		if err := decode(raw, out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp
}

type errResp struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}
