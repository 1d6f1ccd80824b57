package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// TestRouteTable pins who may do what: a permission changed by accident
// shows up here, not in production.
func TestRouteTable(t *testing.T) {
	want := map[string]access.Permission{
		"GET /healthz":                              access.Public,
		"GET /readyz":                               access.Public,
		"GET /metrics":                              access.ReadMetrics,
		"GET /api/v1/me":                            access.Authenticated,
		"GET /api/v1/alerts":                        access.ReadAlerts,
		"GET /api/v1/alerts/{id}":                   access.ReadAlerts,
		"GET /api/v1/alerts/export.csv":             access.ReadAlerts,
		"GET /api/v1/alerts/export.xlsx":            access.ReadAlerts,
		"GET /api/v1/hits/export.csv":               access.ReadAlerts,
		"PATCH /api/v1/alerts/{id}":                 access.Review,
		"GET /api/v1/hits":                          access.ReadAlerts,
		"GET /api/v1/sources":                       access.ReadSources,
		"GET /api/v1/sources/{id}":                  access.ReadSources,
		"GET /api/v1/sources/{id}/runs":             access.ReadSources,
		"PUT /api/v1/sources/{id}/schedule":         access.OperateSources,
		"POST /api/v1/sources/{id}/pause":           access.OperateSources,
		"POST /api/v1/sources/{id}/resume":          access.OperateSources,
		"POST /api/v1/sources/{id}/run":             access.OperateSources,
		"GET /api/v1/audit":                         access.ReadAudit,
		"GET /api/v1/users":                         access.ManageUsers,
		"POST /api/v1/users":                        access.ManageUsers,
		"POST /api/v1/users/{name}/disable":         access.ManageUsers,
		"POST /api/v1/users/{name}/enable":          access.ManageUsers,
		"GET /api/v1/tokens":                        access.Authenticated,
		"POST /api/v1/tokens":                       access.Authenticated,
		"DELETE /api/v1/tokens/{id}":                access.Authenticated,
		"GET /api/v1/subscriptions":                 access.Subscribe,
		"POST /api/v1/subscriptions":                access.Subscribe,
		"GET /api/v1/subscriptions/{id}":            access.Subscribe,
		"PUT /api/v1/subscriptions/{id}":            access.Subscribe,
		"DELETE /api/v1/subscriptions/{id}":         access.Subscribe,
		"GET /api/v1/subscriptions/{id}/deliveries": access.Subscribe,
		"POST /api/v1/seller-claims":                access.ClaimSeller,
		"GET /api/v1/seller-claims":                 access.Authenticated,
		"POST /api/v1/seller-claims/{id}/accept":    access.DecideClaims,
		"POST /api/v1/seller-claims/{id}/reject":    access.DecideClaims,
		"GET /api/v1/sellers/{id}":                  access.ReadSellers,
	}
	deps := Deps{Alerts: newMemStore(), Reviewer: newMemStore(), Hits: &fakeSearcher{}, Sources: newFakeSources(), Audit: newMemStore(),
		Users: newMemStore(), Tokens: newMemStore(), Subscriptions: newMemStore(), Deliveries: newMemStore(), Claims: newMemStore(),
		Credentials: &fakeCreds{}, Metrics: http.NotFoundHandler(), Networks: &fakeNetworks{}}
	got := map[string]access.Permission{}
	mux := http.NewServeMux() // panics on a duplicate or conflicting pattern
	for _, r := range Routes(deps, nil) {
		if !r.API || r.Handler == nil || r.Perm == "" {
			t.Errorf("route %+v: want API, a handler and a permission", r)
		}
		if _, dup := got[r.Pattern]; dup {
			t.Errorf("route %s declared twice", r.Pattern)
		}
		got[r.Pattern] = r.Perm
		mux.Handle(r.Pattern, r.Handler)
	}
	for p, perm := range want {
		if got[p] != perm {
			t.Errorf("%s needs %q, want %q", p, got[p], perm)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("route %s is not in the table", p)
		}
	}
}

// TestNilDependenciesLeaveRoutesOut: only probes, me and hits and their
// export (503 without an index) remain with nothing wired.
func TestNilDependenciesLeaveRoutesOut(t *testing.T) {
	var got []string
	for _, r := range Routes(Deps{}, nil) {
		got = append(got, r.Pattern)
	}
	slices.Sort(got)
	if want := "GET /api/v1/hits,GET /api/v1/hits/export.csv,GET /api/v1/me,GET /healthz,GET /readyz"; strings.Join(got, ",") != want {
		t.Errorf("routes %v, want %s", got, want)
	}
	// A reviewer without an alert store cannot check scopes: no PATCH.
	for _, r := range Routes(Deps{Reviewer: newMemStore()}, nil) {
		if strings.HasPrefix(r.Pattern, "PATCH") {
			t.Errorf("%s served without an alert store to check the scope", r.Pattern)
		}
	}
}

// TestHandlerWithoutPrincipalRefuses: a route mounted without the guard
// answers 401 rather than serving as nobody-in-particular.
func TestHandlerWithoutPrincipalRefuses(t *testing.T) {
	st := newMemStore()
	deps := Deps{Alerts: st, Reviewer: st, Hits: &fakeSearcher{}, Sources: newFakeSources(), Audit: st, Users: st, Tokens: st,
		Subscriptions: st, Deliveries: st, Claims: st, Credentials: &fakeCreds{}, Metrics: http.NotFoundHandler(), Networks: &fakeNetworks{}}
	for _, r := range Routes(deps, nil) {
		if r.Perm == access.Public {
			continue
		}
		req, _ := http.NewRequest(strings.Fields(r.Pattern)[0], strings.ReplaceAll(strings.Fields(r.Pattern)[1], "{id}", "1"), strings.NewReader("{}"))
		rec := &statusRecorder{header: http.Header{}}
		r.Handler.ServeHTTP(rec, req)
		if rec.status != http.StatusUnauthorized {
			t.Errorf("%s without a principal: %d", r.Pattern, rec.status)
		}
	}
}

type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

func TestMe(t *testing.T) {
	h := newHarness(t, nil)
	var me MeJSON
	if resp := h.getAs(t, tokSupervisor, "/api/v1/me", &me); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	wantPerms := []access.Permission{access.Authenticated, access.ReadAlerts, access.Review, access.ReadSources, access.ReadAudit, access.Subscribe, access.DecideClaims, access.ReadSellers}
	if me.User.Name != "sjz-scjg" || me.Role != domain.RoleSupervisor || me.Scope.Jurisdiction != "河北 石家庄" || !slices.Equal(me.Permissions, wantPerms) || me.Via != access.ViaToken {
		t.Errorf("me = %+v", me)
	}
	h.getAs(t, tokOwnerA, "/api/v1/me", &me)
	if !me.Scope.Restricted || !slices.Equal(me.Scope.MarkIDs, []string{"liugehetao"}) || slices.Contains(me.Permissions, access.Review) {
		t.Errorf("owner A me = %+v", me)
	}
	if code, _ := h.do(t, "", "GET", "/api/v1/me", ""); code != 401 {
		t.Errorf("me without a token: %d", code)
	}
}
