package httpapi

import (
	"net/http"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// knownPermissions lists what /api/v1/me may report. Package access keeps
// its table private, so the list is repeated here; a permission added there
// and not here is only missing from this report, never granted or refused.
func knownPermissions() []access.Permission {
	return []access.Permission{
		access.Authenticated, access.ReadAlerts, access.Review, access.OperateSources, access.ReadSources,
		access.ManageUsers, access.ReadAudit, access.Subscribe, access.ClaimSeller, access.DecideClaims,
		access.ReadSellers, access.ReadMetrics,
	}
}

// MeJSON is the signed-in principal as GET /api/v1/me answers it; the CLI
// decodes the same type. domain.User holds no credential by design.
type MeJSON struct {
	User        domain.User         `json:"user"`
	Role        domain.Role         `json:"role"`
	Scope       domain.Scope        `json:"scope"`
	Permissions []access.Permission `json:"permissions"`
	// Via is how the request authenticated: session or token.
	Via string `json:"via"`
}

// me serves GET /api/v1/me: who the caller is and what it may do, so the
// console and CLI show only what will work.
func (a *api) me(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	perms := []access.Permission{}
	for _, perm := range knownPermissions() {
		if p.Can(perm) {
			perms = append(perms, perm)
		}
	}
	writeJSON(w, http.StatusOK, MeJSON{User: p.User, Role: p.User.Role, Scope: p.Scope, Permissions: perms, Via: p.Via})
}
