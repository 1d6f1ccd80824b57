package httpapi

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// api holds the handlers' dependencies.
type api struct {
	deps Deps
	log  *zap.Logger
}

func newAPI(deps Deps, log *zap.Logger) *api {
	if log == nil {
		log = zap.NewNop()
	}
	if deps.ReadyTimeout <= 0 {
		deps.ReadyTimeout = defaultReadyTimeout
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &api{deps: deps, log: log}
}

// principal returns the request's principal. The guard puts one in the
// context of every non-public route; if it is missing, the route was served
// without the guard, and refusing is the only safe answer.
func principal(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	p, ok := access.FromContext(r.Context())
	if !ok {
		writeError(w, r, &domain.Error{Code: codeUnauthorized, Message: "sign in or send Authorization: Bearer <token>"})
	}
	return p, ok
}

// principalID is the prologue of a route on one object: the principal and
// the positive {id} of a what ("case") from the path. Each failure is
// answered here, so the handler only returns when ok is false.
func principalID(w http.ResponseWriter, r *http.Request, what string) (access.Principal, int64, bool) {
	p, ok := principal(w, r)
	if !ok {
		return p, 0, false
	}
	id, err := idParam(r, what)
	if err != nil {
		writeError(w, r, err)
		return p, 0, false
	}
	return p, id, true
}

// principalBody is the prologue of a route that creates something: the
// principal and the JSON body as a T (at most limit bytes; example is
// what the error suggests sending). Each failure is answered here.
func principalBody[T any](w http.ResponseWriter, r *http.Request, limit int64, example string) (access.Principal, T, bool) {
	var body T
	p, ok := principal(w, r)
	if !ok {
		return p, body, false
	}
	if err := decodeBody(w, r, &body, limit, example); err != nil {
		writeError(w, r, err)
		return p, body, false
	}
	return p, body, true
}

// isAdmin reports principals who manage users and therefore every user's
// tokens.
func isAdmin(p access.Principal) bool { return p.Can(access.ManageUsers) }
