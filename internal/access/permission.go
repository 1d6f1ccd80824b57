package access

import "github.com/markwatch/markwatch/internal/domain"

// Permission is what a route requires.
type Permission string

const (
	// Public routes need no credentials: probes, the login page, static
	// files, one-click unsubscribe (which carries its own signed token).
	Public Permission = "public"
	// Authenticated routes need any signed-in, enabled user (own account,
	// password change, own subscriptions, logout).
	Authenticated Permission = "authenticated"
	// ReadAlerts: alerts, hits, search and evidence, within the scope.
	ReadAlerts Permission = "alerts.read"
	// Review: confirm, dismiss or reopen an alert, with a note.
	Review Permission = "alerts.review"
	// OperateSources: change schedules, pause, resume, run now.
	OperateSources Permission = "sources.operate"
	// ReadSources: list sources and their runs.
	ReadSources Permission = "sources.read"
	// ManageUsers: users and every user's tokens.
	ManageUsers Permission = "users.manage"
	// ReadAudit: the audit log, within the scope.
	ReadAudit Permission = "audit.read"
	// Subscribe: manage one's own subscriptions.
	Subscribe Permission = "subscriptions.own"
	// ClaimSeller: say a seller is authorised for one's own marks.
	ClaimSeller Permission = "sellers.claim"
	// DecideClaims: accept or reject sellers claimed as authorised.
	DecideClaims Permission = "sellers.decide"
	// ReadSellers: a seller's network (shops linked by shared contacts,
	// across platforms) and its alert history. Not for owners: a network
	// spans other owners' marks and shops. Not for operators: it is
	// reviewers' evidence, not crawling.
	ReadSellers Permission = "sellers.read"
	// ReadMetrics: Prometheus metrics.
	ReadMetrics Permission = "metrics.read"
)

// grants is the whole role → permission table. Anything not listed is
// denied.
var grants = map[domain.Role][]Permission{
	domain.RoleAdmin: {Authenticated, ReadAlerts, Review, OperateSources, ReadSources, ManageUsers,
		ReadAudit, Subscribe, DecideClaims, ReadSellers, ReadMetrics},
	domain.RoleOperator:   {Authenticated, ReadAlerts, OperateSources, ReadSources, ReadAudit, Subscribe, ReadMetrics},
	domain.RoleSupervisor: {Authenticated, ReadAlerts, Review, ReadSources, ReadAudit, Subscribe, DecideClaims, ReadSellers},
	domain.RoleOwner:      {Authenticated, ReadAlerts, ReadAudit, Subscribe, ClaimSeller},
}

// Can reports whether role holds perm. Public is held by everyone.
func Can(role domain.Role, perm Permission) bool {
	if perm == Public {
		return true
	}
	for _, p := range grants[role] {
		if p == perm {
			return true
		}
	}
	return false
}
