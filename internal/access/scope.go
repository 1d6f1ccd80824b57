package access

import (
	"slices"

	"github.com/markwatch/markwatch/internal/domain"
)

// ScopeFor is what u may see. marksByOwner maps a registry owner to its
// mark ids. Unknown roles and owners matching nothing get a restricted
// scope with no marks: they see nothing rather than everything.
func ScopeFor(u domain.User, marksByOwner map[string][]string) domain.Scope {
	switch u.Role {
	case domain.RoleAdmin, domain.RoleOperator:
		return domain.Unrestricted
	case domain.RoleSupervisor:
		return domain.Scope{Jurisdiction: u.Jurisdiction}
	case domain.RoleOwner:
		var ids []string
		if u.Owner != "" {
			// A copy, so a handler that appends to the scope cannot change
			// another request's.
			ids = slices.Clone(marksByOwner[u.Owner])
		}
		return domain.Scope{Restricted: true, MarkIDs: ids}
	}
	return domain.Scope{Restricted: true}
}
