package web

import (
	"testing"

	"github.com/markwatch/markwatch/internal/access"
)

// The permission of every page is part of the contract: a change here is
// a change of who may do what, and should be seen in review.
func TestRoutesDeclarePermissions(t *testing.T) {
	want := map[string]access.Permission{
		"GET /static/{file}":              access.Public,
		"GET /login":                      access.Public,
		"POST /login":                     access.Public,
		"GET /unsubscribe":                access.Public,
		"POST /unsubscribe":               access.Public,
		"POST /logout":                    access.Authenticated,
		"GET /account/password":           access.Authenticated,
		"POST /account/password":          access.Authenticated,
		"GET /{$}":                        access.ReadAlerts,
		"GET /alerts/{id}":                access.ReadAlerts,
		"POST /alerts/{id}/status":        access.Review,
		"POST /alerts/review":             access.Review,
		"GET /sources":                    access.ReadSources,
		"GET /subscriptions":              access.Subscribe,
		"GET /subscriptions/new":          access.Subscribe,
		"POST /subscriptions":             access.Subscribe,
		"GET /subscriptions/{id}":         access.Subscribe,
		"POST /subscriptions/{id}":        access.Subscribe,
		"POST /subscriptions/{id}/delete": access.Subscribe,
		"GET /audit":                      access.ReadAudit,
		"GET /users":                      access.ManageUsers,
		"POST /users":                     access.ManageUsers,
		"POST /users/{name}/disable":      access.ManageUsers,
		"POST /users/{name}/enable":       access.ManageUsers,
		"POST /tokens/{id}/revoke":        access.ManageUsers,
		"GET /sellers":                    access.Authenticated, // the handler requires ClaimSeller or DecideClaims
		"POST /sellers":                   access.ClaimSeller,
		"POST /sellers/{id}/accept":       access.DecideClaims,
		"POST /sellers/{id}/reject":       access.DecideClaims,
		"GET /sellers/{id}":               access.ReadSellers,
	}
	deps := Deps{Alerts: &fakeStore{}, Reviews: &fakeStore{}, Marks: testMarks, Sources: fakeSources{}, Auth: newFakeAuth(),
		Users: newFakeUsers(), HashPassword: fakeHash, Tokens: newFakeUsers(), Audit: &fakeAudit{}, Subscriptions: newFakeSubs(),
		ValidateSubscription: fakeValidate, Notifications: &fakeNotifications{}, Unsubscribe: newFakeSubs().verify,
		Unsubscriber: newFakeSubs(), Sellers: &fakeSellers{}, Networks: &fakeNetworks{}}
	got := map[string]access.Permission{}
	for _, r := range Routes(deps, nil) {
		if _, dup := got[r.Pattern]; dup {
			t.Errorf("%s declared twice", r.Pattern)
		}
		if r.API || r.Handler == nil {
			t.Errorf("%s: API=%t handler=%v", r.Pattern, r.API, r.Handler != nil)
		}
		got[r.Pattern] = r.Perm
	}
	for p, perm := range want {
		if got[p] != perm {
			t.Errorf("%s: permission %q, want %q", p, got[p], perm)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is declared but not in this table", p)
		}
	}
}

// A dependency left nil leaves its pages out instead of serving pages that
// fail on use.
func TestRoutesLeaveOutPagesWithoutDependencies(t *testing.T) {
	got := map[string]bool{}
	for _, r := range Routes(Deps{Alerts: &fakeStore{}}, nil) {
		got[r.Pattern] = true
	}
	for _, p := range []string{"GET /{$}", "GET /alerts/{id}", "GET /static/{file}"} {
		if !got[p] {
			t.Errorf("%s missing", p)
		}
	}
	if len(got) != 3 {
		t.Errorf("with only an alert store, routes %v", got)
	}
	// Half a subscription setup is none.
	for _, r := range Routes(Deps{Alerts: &fakeStore{}, Subscriptions: newFakeSubs(), Unsubscribe: newFakeSubs().verify}, nil) {
		if r.Pattern != "GET /{$}" && r.Pattern != "GET /alerts/{id}" && r.Pattern != "GET /static/{file}" {
			t.Errorf("%s declared without all its dependencies", r.Pattern)
		}
	}
}
