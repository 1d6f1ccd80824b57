package web

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// console holds the handlers' dependencies.
type console struct {
	deps   Deps
	log    *zap.Logger
	marks  map[string]domain.Mark
	pages  pages
	origin sameOrigin
}

func newConsole(deps Deps, log *zap.Logger) *console {
	if log == nil {
		log = zap.NewNop()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Location == nil {
		deps.Location = chinaTime()
	}
	if deps.PageSize <= 0 {
		deps.PageSize = defaultPageSize
	}
	deps.PageSize = min(deps.PageSize, maxPageSize)
	c := &console{
		deps:   deps,
		log:    log,
		marks:  make(map[string]domain.Mark, len(deps.Marks)),
		pages:  mustParsePages(),
		origin: newSameOrigin(),
	}
	for _, m := range deps.Marks {
		c.marks[m.ID] = m
	}
	return c
}

// Routes declares the console's pages for the access Guard, which
// authenticates, enforces Perm and checks Origin and CSRF on posts. A page
// whose dependencies are nil is left out rather than half working.
//
// Each handler also checks Perm itself against the request's principal:
// the Guard is the gate, this is the lock behind it, so a console mounted
// by mistake on a plain mux still serves nothing to nobody.
func Routes(deps Deps, log *zap.Logger) []access.Route {
	return newConsole(deps, log).routes()
}

func (c *console) routes() []access.Route {
	deps := c.deps
	var rs []access.Route
	add := func(pattern string, perm access.Permission, h http.HandlerFunc) {
		rs = append(rs, access.Route{Pattern: pattern, Perm: perm, Handler: c.require(perm, h)})
	}
	add("GET /static/{file}", access.Public, staticHandler(c.notFound).ServeHTTP) // files only, no listing
	add("GET /{$}", access.ReadAlerts, c.queue)
	add("GET /alerts/{id}", access.ReadAlerts, c.evidence)
	if deps.API != nil {
		add("GET /search", access.ReadAlerts, c.search)
	}
	if deps.Reviews != nil {
		add("POST /alerts/{id}/status", access.Review, c.review)
		add("POST /alerts/review", access.Review, c.bulkReview)
	}
	if deps.Sources != nil {
		add("GET /sources", access.ReadSources, c.sources)
		if deps.API != nil {
			for _, action := range []string{"pause", "resume", "run", "schedule"} {
				add("POST /sources/{id}/"+action, access.OperateSources, c.operate(action))
			}
		}
	}
	if deps.Auth != nil {
		add("GET /login", access.Public, c.loginPage)
		add("POST /login", access.Public, c.login)
		add("POST /logout", access.Authenticated, c.logout)
		add("GET /account/password", access.Authenticated, c.passwordPage)
		add("POST /account/password", access.Authenticated, c.changePassword)
	}
	if deps.Unsubscribe != nil && deps.Unsubscriber != nil {
		add("GET /unsubscribe", access.Public, c.unsubscribePage)
		add("POST /unsubscribe", access.Public, c.unsubscribe)
	}
	if deps.Subscriptions != nil && deps.ValidateSubscription != nil {
		add("GET /subscriptions", access.Subscribe, c.subscriptions)
		add("GET /subscriptions/new", access.Subscribe, c.newSubscription)
		add("POST /subscriptions", access.Subscribe, c.createSubscription)
		add("GET /subscriptions/{id}", access.Subscribe, c.editSubscription)
		add("POST /subscriptions/{id}", access.Subscribe, c.updateSubscription)
		add("POST /subscriptions/{id}/delete", access.Subscribe, c.deleteSubscription)
	}
	if deps.Audit != nil {
		add("GET /audit", access.ReadAudit, c.audit)
	}
	if deps.Users != nil && deps.HashPassword != nil {
		add("GET /users", access.ManageUsers, c.users)
		add("POST /users", access.ManageUsers, c.addUser)
		add("POST /users/{name}/disable", access.ManageUsers, c.setUserDisabled(true))
		add("POST /users/{name}/enable", access.ManageUsers, c.setUserDisabled(false))
		if deps.Tokens != nil {
			add("POST /tokens/{id}/revoke", access.ManageUsers, c.revokeToken)
		}
	}
	if deps.Cases != nil {
		add("GET /cases", access.ReadAlerts, c.cases)
		add("GET /cases/{id}", access.ReadAlerts, c.casePage)
		add("POST /cases", access.Review, c.createCase)
		add("POST /cases/{id}", access.Review, c.updateCase)
		if deps.Notices != nil {
			add("POST /cases/{id}/notices", access.Review, c.createNotice)
			add("POST /cases/{id}/notices/{nid}", access.Review, c.updateNotice)
		}
	}
	if deps.Sellers != nil {
		// Owners claim and supervisors decide on one page; the handler
		// requires either permission.
		add("GET /sellers", access.Authenticated, c.sellers)
		add("POST /sellers", access.ClaimSeller, c.claimSeller)
		add("POST /sellers/{id}/accept", access.DecideClaims, c.decideClaim(true))
		add("POST /sellers/{id}/reject", access.DecideClaims, c.decideClaim(false))
	}
	if deps.Networks != nil {
		add("GET /sellers/{id}", access.ReadSellers, c.sellerNetwork)
	}
	return rs
}

// New serves Routes on a plain mux with the console's own 404 page, for
// tests and tools that put a principal in the context themselves. It is no
// substitute for the Guard: it checks no Origin, CSRF token or Host.
func New(deps Deps, log *zap.Logger) http.Handler {
	c := newConsole(deps, log)
	mux := http.NewServeMux()
	for _, r := range c.routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
	mux.HandleFunc("/", c.notFound)
	return mux
}

// require refuses a request whose principal lacks perm: without one it is
// sent to sign in, as the Guard would; with one, a 403 page.
func (c *console) require(perm access.Permission, h http.HandlerFunc) http.HandlerFunc {
	if perm == access.Public {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			http.Redirect(w, r, loginURL(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !p.Can(perm) {
			c.fail(w, r, domain.Errorf(codeDenied, "您的角色（%s）无权进行此操作 your role may not do this", roleLabel(p.User.Role)))
			return
		}
		h(w, r)
	}
}

// markName is the mark's registered name, or its id when the registry was
// not given.
func (c *console) markName(id string) string {
	if m, ok := c.marks[id]; ok {
		return m.Name
	}
	return id
}

func (c *console) markKind(id string) string {
	if m, ok := c.marks[id]; ok {
		return kindLabel(m.Kind)
	}
	return ""
}

// scopeMarks are the registry's marks the scope sees, in registry order.
func (c *console) scopeMarks(scope domain.Scope) []domain.Mark {
	var out []domain.Mark
	for _, m := range c.deps.Marks {
		if scope.AllowsMark(m.ID) {
			out = append(out, m)
		}
	}
	return out
}

// when formats a time for supervisors, in their zone; "—" for never.
func (c *console) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.deps.Location).Format("2006-01-02 15:04:05 -07:00")
}

// whenPtr is when for optional times.
func (c *console) whenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return c.when(*t)
}
