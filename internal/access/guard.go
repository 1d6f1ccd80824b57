package access

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"go.uber.org/zap"
)

// GuardOptions configure a Guard. Zero values take the defaults.
type GuardOptions struct {
	// AllowedHosts are the host names (config http.hosts) requests may
	// carry in Host; ports are ignored, case does not matter. Empty allows
	// localhost, 127.0.0.1 and ::1 only.
	AllowedHosts []string
	Log          *zap.Logger
	// LoginPath is where unauthenticated console requests are sent
	// (default "/login").
	LoginPath string
	// PasswordPath is the console's password page, where users who must
	// change their password are sent (default "/account/password").
	PasswordPath string
	// LogoutPath stays reachable for users who must change their password
	// (default "/logout").
	LogoutPath string
	// MustChangeAllowed are more paths such users may reach, such as the
	// API's password route. Public routes are always reachable.
	MustChangeAllowed []string
	// MaxFormBytes bounds the form body read to find csrf_token (default
	// 1 MiB). Handlers of bigger uploads take the token in X-CSRF-Token.
	MaxFormBytes int64
}

// Guard serves every route of the API and console and enforces, in
// order: Host check, authentication, default deny, sign-in, password
// change, permission, cross-origin and CSRF checks. Only then does the
// route's handler run, with the Principal in its context.
type Guard struct {
	auth  *Authenticator
	opts  GuardOptions
	log   *zap.Logger
	hosts hostSet
	cop   *http.CrossOriginProtection
	// mux holds the declared patterns; it finds the route and sets path
	// values, while the guard decides everything else.
	mux *http.ServeMux

	mu       sync.Mutex
	patterns map[string]bool
	// mustChange are the paths a user who must change the password may
	// reach.
	mustChange map[string]bool
}

// NewGuard returns a Guard with no routes: until Handle is called it
// refuses everything.
func NewGuard(auth *Authenticator, opts GuardOptions) *Guard {
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.LoginPath == "" {
		opts.LoginPath = "/login"
	}
	if opts.PasswordPath == "" {
		opts.PasswordPath = "/account/password"
	}
	if opts.LogoutPath == "" {
		opts.LogoutPath = "/logout"
	}
	if opts.MaxFormBytes <= 0 {
		opts.MaxFormBytes = 1 << 20
	}
	g := &Guard{auth: auth, opts: opts, log: opts.Log, hosts: newHostSet(opts.AllowedHosts),
		cop: http.NewCrossOriginProtection(), mux: http.NewServeMux(), patterns: map[string]bool{},
		mustChange: map[string]bool{opts.PasswordPath: true, opts.LogoutPath: true}}
	for _, p := range opts.MustChangeAllowed {
		g.mustChange[p] = true
	}
	return g
}

// Handle declares a route. A route without a known permission or a
// handler, or a pattern already declared (or one the mux finds
// ambiguous), is refused: nothing is served by accident.
func (g *Guard) Handle(rt Route) error {
	switch {
	case rt.Pattern == "":
		return fmt.Errorf("declaring a route: empty pattern")
	case rt.Perm == "":
		return fmt.Errorf("declaring route %q: it has no permission (use access.Public for open routes)", rt.Pattern)
	case !knownPermission(rt.Perm):
		return fmt.Errorf("declaring route %q: unknown permission %q", rt.Pattern, rt.Perm)
	case rt.Handler == nil:
		return fmt.Errorf("declaring route %q: nil handler", rt.Pattern)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.patterns[rt.Pattern] {
		return fmt.Errorf("declaring route %q: declared twice", rt.Pattern)
	}
	if err := register(g.mux, rt.Pattern, &routeHandler{g: g, route: rt}); err != nil {
		return fmt.Errorf("declaring route %q: %w", rt.Pattern, err)
	}
	g.patterns[rt.Pattern] = true
	return nil
}

// register turns ServeMux's panics (bad or conflicting patterns) into
// errors.
func register(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// MustHandle declares routes and panics on the first refused one; for
// the daemon's start-up, where a bad route is a programming error.
func (g *Guard) MustHandle(routes ...Route) {
	for _, rt := range routes {
		if err := g.Handle(rt); err != nil {
			panic(err)
		}
	}
}

func knownPermission(p Permission) bool {
	if p == Public {
		return true
	}
	for _, perms := range grants {
		for _, q := range perms {
			if q == p {
				return true
			}
		}
	}
	return false
}

type routeHandler struct {
	g     *Guard
	route Route
}

func (h *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.g.serveRoute(w, r, h.route)
}

// authResult carries ServeHTTP's authentication to the route's handler
// through the mux.
type authResult struct {
	p   Principal
	ok  bool
	err error
}

type authKey struct{}

// ServeHTTP checks the Host, authenticates and dispatches to the declared
// route; paths no route declares get 404, wrong methods 405.
func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.hosts.allows(r.Host) {
		// Before anything else: a DNS-rebinding page must not even learn
		// whether its cookie-less request would be authenticated.
		g.log.Info("refused a request for a host name not in http.hosts", zap.String("host", r.Host),
			zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.String("remote_addr", r.RemoteAddr))
		refuse(w, isAPIPath(r.URL.Path), http.StatusMisdirectedRequest, CodeMisdirected,
			"此主机名不在 http.hosts 设置中 this host name is not in the http.hosts setting; add it there if markwatch should answer to it")
		return
	}
	p, ok, err := g.auth.Authenticate(r)
	r = r.WithContext(context.WithValue(r.Context(), authKey{}, authResult{p: p, ok: ok, err: err}))
	if h, _ := g.mux.Handler(r); !isRoute(h) {
		g.unrouted(w, r, h)
		return
	}
	g.mux.ServeHTTP(w, r)
}

func isRoute(h http.Handler) bool {
	_, ok := h.(*routeHandler)
	return ok
}

// unrouted answers a request no route takes. The mux's own answer is
// run into a recorder only to learn which it is (not found, wrong method,
// a redirect to the cleaned path) and then given in our shape.
func (g *Guard) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	api := isAPIPath(r.URL.Path)
	switch {
	case rec.status == http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		refuse(w, api, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "this method is not allowed here")
	case rec.status >= 300 && rec.status < 400 && isLocalPath(rec.header.Get("Location")):
		w.Header().Set("Location", rec.header.Get("Location"))
		w.WriteHeader(rec.status)
	default:
		refuse(w, api, http.StatusNotFound, "not_found", "没有这个页面 no such page")
	}
}

// statusRecorder keeps the status and headers of a response, discarding
// the body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(b), nil
}
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}
