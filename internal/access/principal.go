package access

import (
	"context"

	"github.com/markwatch/markwatch/internal/domain"
)

// How a principal proved who it is.
const (
	ViaSession = "session" // console cookie
	ViaToken   = "token"   // Authorization: Bearer
)

// Principal is the authenticated user of one request.
type Principal struct {
	User domain.User
	// Scope is what the user may see; readers apply it.
	Scope domain.Scope
	Via   string
	// TokenID is the API token used (Via == ViaToken).
	TokenID int64
	// SessionHash identifies the console session (Via == ViaSession).
	SessionHash string
	// CSRFToken is the session's token, for forms the console renders.
	CSRFToken  string
	RemoteAddr string
}

// Can reports whether the principal holds perm.
func (p Principal) Can(perm Permission) bool { return Can(p.User.Role, perm) }

// Actor is the principal as the audit log records it.
func (p Principal) Actor() domain.Actor {
	return domain.Actor{UserID: p.User.ID, Name: p.User.Name, Role: p.User.Role, Via: p.Via, RemoteAddr: p.RemoteAddr}
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. The guard calls it; tests of
// handlers may too.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal; ok is false on public routes
// reached without credentials.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ScopeFrom is the scope of the request's principal. Without one it is a
// restricted scope that sees nothing, so a handler that forgets to require
// a permission still leaks nothing.
func ScopeFrom(ctx context.Context) domain.Scope {
	p, ok := FromContext(ctx)
	if !ok {
		return domain.Scope{Restricted: true}
	}
	return p.Scope
}
