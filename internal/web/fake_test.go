package web

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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

// fakeStore keeps alerts in memory, answers newest first like the store,
// and records the filter it was asked for.
type fakeStore struct {
	mu     sync.Mutex
	alerts []domain.Alert
	filter domain.AlertFilter
	// counted is the last CountAlertStatuses filter.
	counted domain.AlertFilter
	err     error // answered by every call when set
	// ignoreScope makes QueryAlerts forget AlertFilter.Scope, the store bug
	// the console's second check is for.
	ignoreScope bool
	reviews     []review
}

// review is one ReviewAlert call.
type review struct {
	id    int64
	rv    domain.Review
	actor domain.Actor
}

func (s *fakeStore) QueryAlerts(_ context.Context, f domain.AlertFilter) ([]domain.Alert, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filter = f
	if s.err != nil {
		return nil, 0, s.err
	}
	var out []domain.Alert
	for _, a := range s.alerts {
		if s.matches(a, f) && (f.Status == "" || a.Status == f.Status) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b domain.Alert) int { return b.FirstSeen.Compare(a.FirstSeen) })
	if f.Sort == domain.AlertSortScore {
		slices.SortStableFunc(out, func(a, b domain.Alert) int { return cmp.Compare(b.Score, a.Score) })
	}
	total := len(out)
	out = out[min(f.Offset, len(out)):]
	return out[:min(f.Limit, len(out))], total, nil
}

func (s *fakeStore) CountAlertStatuses(_ context.Context, f domain.AlertFilter) (map[domain.AlertStatus]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counted = f
	if s.err != nil {
		return nil, s.err
	}
	n := map[domain.AlertStatus]int{}
	for _, a := range s.alerts {
		if s.matches(a, f) {
			n[a.Status]++
		}
	}
	return n, nil
}

// matches is the store's filter but for status and order, in Go.
func (s *fakeStore) matches(a domain.Alert, f domain.AlertFilter) bool {
	if !s.ignoreScope && !f.Scope.Allows(a.MarkID, a.Location) {
		return false
	}
	in := func(vs []string, v string) bool { return len(vs) == 0 || slices.Contains(vs, v) }
	loc := len(f.Locations) == 0 || slices.ContainsFunc(f.Locations, func(l string) bool { return domain.LocationWithin(a.Location, l) })
	score := len(f.Scores) == 0 || slices.ContainsFunc(f.Scores, func(r domain.ScoreRange) bool { return a.Score >= r.Min && a.Score < r.Max })
	return (f.MarkID == "" || a.MarkID == f.MarkID) && in(f.MarkIDs, a.MarkID) && in(f.SourceIDs, a.SourceID) &&
		in(f.Sellers, a.Seller) && loc && score && (f.From.IsZero() || !a.LastSeen.Before(f.From)) &&
		(f.To.IsZero() || a.LastSeen.Before(f.To))
}

func (s *fakeStore) GetAlert(_ context.Context, id int64) (domain.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return domain.Alert{}, s.err
	}
	for _, a := range s.alerts {
		if a.ID == id {
			return a, nil
		}
	}
	return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
}

func (s *fakeStore) ReviewAlert(_ context.Context, id int64, rv domain.Review, actor domain.Actor) (domain.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return domain.Alert{}, s.err
	}
	for i, a := range s.alerts {
		if a.ID == id {
			s.alerts[i].Status = rv.Status
			s.reviews = append(s.reviews, review{id: id, rv: rv, actor: actor})
			return s.alerts[i], nil
		}
	}
	return domain.Alert{}, domain.Errorf(domain.ENOTFOUND, "alert %d does not exist", id)
}

func (s *fakeStore) reviewed() []review {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reviews)
}

func (s *fakeStore) status(id int64) domain.AlertStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.alerts {
		if a.ID == id {
			return a.Status
		}
	}
	return ""
}

type fakeHits struct {
	hits map[int64]domain.Hit
	err  error
}

func (f fakeHits) GetHit(_ context.Context, id int64) (domain.Hit, error) {
	if f.err != nil {
		return domain.Hit{}, f.err
	}
	h, ok := f.hits[id]
	if !ok {
		return domain.Hit{}, domain.Errorf(domain.ENOTFOUND, "hit %d does not exist", id)
	}
	return h, nil
}

type fakeSources []domain.SourceState

func (f fakeSources) ListSources(context.Context) ([]domain.SourceState, error) { return f, nil }

var (
	day1    = time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC) // 10:30 in Beijing
	day2    = day1.Add(24 * time.Hour)
	printed = time.Date(2026, 11, 25, 16, 5, 0, 0, time.UTC)

	testMarks = []domain.Mark{
		{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "河北养元智汇饮品股份有限公司",
			WellKnown: true, Classes: []int{32}, Goods: []string{"核桃乳", "核桃露"}, AuthorizedSellers: []string{"六个核桃官方旗舰店"}},
		{ID: "hengshui-laobaigan", Name: "衡水老白干", Kind: domain.KindTimeHonoured, Owner: "河北衡水老白干酒业股份有限公司",
			Classes: []int{33}, Goods: []string{"白酒"}},
		{ID: "zhaoxian-xueli", Name: "赵县雪梨", Kind: domain.KindGI, Product: []string{"雪梨", "梨"},
			Origin: domain.Origin{Places: []string{"赵县"}, SellerLocations: []string{"河北 石家庄"}}},
	}
)

func testAlerts() []domain.Alert {
	return []domain.Alert{
		{ID: 1, MarkID: "liugehetao", HitID: 11, SourceID: "demo", URL: "https://item.example.cn/1.html",
			Title: "六個核桃 核桃乳 240ml*12罐", Seller: "某某食品专营店", Location: "山东 临沂", Score: 0.93,
			Reasons: []domain.Reason{{Tactic: "script", Text: "繁体: 個→个", Start: 1, End: 2}, {Tactic: "context", Text: "商品: 核桃乳", Start: 5, End: 8}},
			Status:  domain.AlertOpen, FirstSeen: day1, LastSeen: day2},
		{ID: 2, MarkID: "hengshui-laobaigan", SourceID: "demo", URL: "https://item.example.cn/2.html",
			Title: "衡水老白乾 高仿 52度 500ml", Seller: "酒水批发", Location: "河南 郑州", Score: 0.88,
			Reasons: []domain.Reason{{Tactic: "script", Text: "繁体: 乾→干", Start: 4, End: 5}, {Tactic: "counterfeit", Text: "假冒用语: 高仿", Start: 6, End: 8}},
			Status:  domain.AlertConfirmed, FirstSeen: day2, LastSeen: day2},
		{ID: 3, MarkID: "zhaoxian-xueli", SourceID: "demo", URL: "https://item.example.cn/3.html",
			Title: "赵县雪梨 新鲜水果 5斤", Seller: "莱阳果园", Location: "山东 烟台", Score: 0.81,
			Reasons: []domain.Reason{{Tactic: "gi-origin", Text: "产地不符: 山东 烟台", Start: -1, End: -1}},
			Status:  domain.AlertOpen, FirstSeen: day2.Add(time.Hour), LastSeen: day2.Add(time.Hour)},
		{ID: 4, MarkID: "liugehetao", URL: "javascript:alert(1)",
			Title: `<script>alert("x")</script>六个核桃 & "特价"`, Seller: `<b>坏</b>店`, Location: "河北 保定", Score: 0.9,
			Reasons: []domain.Reason{{Tactic: "exact", Text: `名称相同 "<i>"`, Start: 27, End: 31}},
			Status:  domain.AlertDismissed, FirstSeen: day1.Add(-time.Hour), LastSeen: day1},
	}
}

type harness struct {
	srv   *httptest.Server
	store *fakeStore
	auth  *fakeAuth
	users *fakeUsers
	audit *fakeAudit
	subs  *fakeSubs
	notes *fakeNotifications
	sell  *fakeSellers
	cases *fakeCases
	logs  *observer.ObservedLogs

	mu  sync.Mutex
	who *access.Principal // nil: nobody signed in
}

// newHarness serves Routes behind standInGuard with every dependency
// faked, signed in as admin; modify may change the deps first.
func newHarness(t *testing.T, modify func(*Deps)) *harness {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	h := &harness{
		store: &fakeStore{alerts: testAlerts()}, auth: newFakeAuth(), users: newFakeUsers(), audit: &fakeAudit{entries: testAudit()},
		subs: newFakeSubs(), notes: &fakeNotifications{}, sell: &fakeSellers{claims: testClaims()}, cases: newFakeCases(), logs: logs,
	}
	h.signIn(admin)
	deps := Deps{
		Alerts:               h.store,
		Reviews:              h.store,
		Marks:                testMarks,
		Hits:                 fakeHits{hits: map[int64]domain.Hit{11: {ID: 11, Price: 59.9}}},
		Sources:              fakeSources{{ID: "demo", Schedule: "@every 10m", NextRunAt: &printed, ConsecutiveErrors: 2}},
		Auth:                 h.auth,
		Users:                h.users,
		HashPassword:         fakeHash,
		Tokens:               h.users,
		Audit:                h.audit,
		Subscriptions:        h.subs,
		ValidateSubscription: fakeValidate,
		Notifications:        h.notes,
		Unsubscribe:          h.subs.verify,
		Unsubscriber:         h.subs,
		Sellers:              h.sell,
		Evidence:             h.cases,
		Cases:                h.cases,
		CaseTransition:       fakeTransition,
		Notices:              h.cases,
		APIDownloads:         true,
		Now:                  func() time.Time { return printed },
	}
	if modify != nil {
		modify(&deps)
	}
	h.srv = httptest.NewServer(standInGuard(t, Routes(deps, zap.New(core)), h.principal))
	t.Cleanup(h.srv.Close)
	return h
}

// standInGuard does what the access Guard does that the console relies on,
// and nothing else: a route without Perm is a bug; a non-public route
// without a principal is sent to sign in; a principal whose role lacks the
// route's Perm gets 403 before the handler runs; the principal goes into
// the context. Undeclared paths are 404, as the Guard's default deny.
func standInGuard(t *testing.T, routes []access.Route, who func() *access.Principal) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range routes {
		if rt.Perm == "" || rt.Handler == nil || rt.API {
			t.Fatalf("route %q declared without a permission or handler, or as API", rt.Pattern)
		}
		mux.Handle(rt.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := who()
			if p == nil {
				if rt.Perm != access.Public {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				rt.Handler.ServeHTTP(w, r)
				return
			}
			if !access.Can(p.User.Role, rt.Perm) {
				http.Error(w, "stand-in guard: forbidden", http.StatusForbidden)
				return
			}
			rt.Handler.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), *p)))
		}))
	}
	return mux
}

// signIn makes p the principal of the following requests; nil signs out.
func (h *harness) signIn(p *access.Principal) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.who = p
}

func (h *harness) principal() *access.Principal {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.who
}

// client does not follow redirects, so tests see the 303 itself.
func (h *harness) client() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (h *harness) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", h.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.send(t, req)
}

// post sends a review form with the given extra headers.
func (h *harness) post(t *testing.T, path string, form url.Values, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return h.send(t, req)
}

func (h *harness) send(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
