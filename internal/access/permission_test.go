package access

import (
	"net/http"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// A seller network spans every owner's marks and shops: only the roles
// that review across owners read it.
func TestReadSellersIsForReviewersOnly(t *testing.T) {
	tests := []struct {
		role domain.Role
		want bool
	}{
		{domain.RoleAdmin, true},
		{domain.RoleSupervisor, true},
		{domain.RoleOperator, false},
		{domain.RoleOwner, false},
		{"", false},
		{"auditor", false},
	}
	for _, tt := range tests {
		if got := Can(tt.role, ReadSellers); got != tt.want {
			t.Errorf("Can(%q, %s) = %t, want %t", tt.role, ReadSellers, got, tt.want)
		}
	}
	if ReadSellers != "sellers.read" {
		t.Errorf("ReadSellers is %q: the name is in API docs and /api/v1/me answers", ReadSellers)
	}
}

// The guard serves the seller-network routes to supervisors and admins
// and refuses everyone else before the handler runs: owners and operators
// by token or by session, and nobody signed in.
func TestGuardServesSellerNetworksToReviewersOnly(t *testing.T) {
	f := newFixture(t)
	const api, page = "GET /api/v1/sellers/{id}", "GET /sellers/{id}"
	for _, rt := range []Route{
		{Pattern: api, Perm: ReadSellers, API: true, Handler: f.handler(api)},
		{Pattern: page, Perm: ReadSellers, Handler: f.handler(page)},
	} {
		if err := f.guard.Handle(rt); err != nil {
			t.Fatal(err)
		}
	}
	ownerCookie, _ := f.login("owner-a")
	operatorCookie, _ := f.login("operator")
	supervisorCookie, _ := f.login("supervisor")
	tests := []struct {
		name    string
		pattern string
		q       req
		status  int
	}{
		{"owner token", api, req{target: "/api/v1/sellers/7", bearer: f.token(idOwnerA, nil)}, http.StatusForbidden},
		{"operator token", api, req{target: "/api/v1/sellers/7", bearer: f.token(idOperator, nil)}, http.StatusForbidden},
		{"anonymous API", api, req{target: "/api/v1/sellers/7"}, http.StatusUnauthorized},
		{"owner session", page, req{target: "/sellers/7", cookie: ownerCookie}, http.StatusForbidden},
		{"operator session", page, req{target: "/sellers/7", cookie: operatorCookie}, http.StatusForbidden},
		{"anonymous console", page, req{target: "/sellers/7"}, http.StatusSeeOther},
		{"supervisor token", api, req{target: "/api/v1/sellers/7", bearer: f.token(idSupervisor, nil)}, http.StatusOK},
		{"admin token", api, req{target: "/api/v1/sellers/7", bearer: f.token(idAdmin, nil)}, http.StatusOK},
		{"supervisor session", page, req{target: "/sellers/7", cookie: supervisorCookie}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.calls(tt.pattern)
			tt.q.method = http.MethodGet
			w := f.do(tt.q)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			ran := f.calls(tt.pattern) - before
			if tt.status == http.StatusOK {
				if ran != 1 || !strings.Contains(w.Body.String(), "id=7") {
					t.Fatalf("handler ran %d times, body %q", ran, w.Body)
				}
				return
			}
			if ran != 0 {
				t.Fatalf("a refused request reached the handler")
			}
			if tt.status == http.StatusSeeOther && w.Header().Get("Location") != "/login?next=%2Fsellers%2F7" {
				t.Errorf("Location %q, want the login page coming back here", w.Header().Get("Location"))
			}
		})
	}
}
