package httpapi

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
)

const (
	alertsPath        = "/api/v1/alerts"
	sourcesPath       = "/api/v1/sources"
	usersPath         = "/api/v1/users"
	tokensPath        = "/api/v1/tokens"
	subscriptionsPath = "/api/v1/subscriptions"
	auditPath         = "/api/v1/audit"
	claimsPath        = "/api/v1/seller-claims"
)

// route is one declaration before it is wrapped for the guard.
type route struct {
	pattern string
	perm    access.Permission
	h       http.HandlerFunc
}

// Routes returns every API route with the permission it needs, for the
// access Guard to serve. Each handler is wrapped in observe (request log
// line, panic recovery); refusals before the handler (401, 403, unknown
// paths) are the guard's. A nil dependency in deps leaves its routes out.
//
// No CSRF check is made here: the guard makes it for cookie-authenticated
// writes, and bearer-token requests cannot be forged cross-site.
func Routes(deps Deps, log *zap.Logger) []access.Route {
	a := newAPI(deps, log)
	rs := a.routes()
	out := make([]access.Route, 0, len(rs))
	for _, r := range rs {
		h := r.h
		if r.perm != access.Public {
			h = requirePrincipal(h)
		}
		out = append(out, access.Route{Pattern: r.pattern, Perm: r.perm, API: true, Handler: observe(h, a.log)})
	}
	return out
}

// requirePrincipal refuses a request that reaches a non-public handler
// without a principal: only a route mounted without the guard can, and then
// serving it would serve everyone (sources and metrics read no principal
// of their own).
func requirePrincipal(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := principal(w, r); ok {
			next(w, r)
		}
	}
}

// routes is the whole table. Read it top to bottom to know who may do what.
func (a *api) routes() []route {
	d := a.deps
	rs := []route{
		{"GET /healthz", access.Public, a.healthz},
		{"GET /readyz", access.Public, a.readyz},
		{"GET /api/v1/me", access.Authenticated, a.me},
	}
	if d.Metrics != nil {
		rs = append(rs, route{"GET /metrics", access.ReadMetrics, d.Metrics.ServeHTTP})
	}
	if d.Alerts != nil {
		rs = append(rs,
			route{"GET " + alertsPath, access.ReadAlerts, a.listAlerts},
			route{"GET " + alertsPath + "/export.csv", access.ReadAlerts, a.exportAlerts},
			route{"GET " + alertsPath + "/export.xlsx", access.ReadAlerts, a.exportAlertsXLSX},
			route{"GET " + alertsPath + "/{id}", access.ReadAlerts, a.getAlert},
		)
		if d.Reviewer != nil {
			rs = append(rs, route{"PATCH " + alertsPath + "/{id}", access.Review, a.reviewAlert})
		}
		if d.Captures != nil {
			rs = append(rs, route{"POST " + alertsPath + "/{id}/capture", access.Review, a.requestCapture})
		}
		if d.Evidence != nil {
			rs = append(rs, route{"GET " + alertsPath + "/{id}/evidence", access.ReadAlerts, a.getEvidence})
			if d.Blobs != nil {
				rs = append(rs, route{"GET " + artefactsPath + "/{sha}", access.ReadAlerts, a.getArtefact})
			}
		}
		if d.Cases != nil {
			rs = append(rs,
				route{"GET " + casesPath, access.ReadAlerts, a.listCases},
				route{"POST " + casesPath, access.Review, a.createCase},
				route{"GET " + casesPath + "/{id}", access.ReadAlerts, a.getCase},
			)
			if d.Transition != nil {
				rs = append(rs, route{"PATCH " + casesPath + "/{id}", access.Review, a.updateCase})
			}
			if d.Packet != nil {
				rs = append(rs,
					route{"GET " + casesPath + "/{id}/packet.pdf", access.ReadAlerts, a.getPacket("pdf")},
					route{"GET " + casesPath + "/{id}/packet.zip", access.ReadAlerts, a.getPacket("zip")},
				)
			}
			if d.Notices != nil && d.Notice != nil {
				rs = append(rs,
					route{"POST " + casesPath + "/{id}/notices", access.Review, a.createNotice},
					route{"PATCH " + casesPath + "/{id}/notices/{nid}", access.Review, a.updateNotice},
					// {file} is <notice id>.txt, .csv or .json: a ServeMux
					// wildcard is a whole segment.
					route{"GET " + casesPath + "/{id}/notices/{file}", access.ReadAlerts, a.getNoticeFile},
				)
			}
		}
	}
	// Served even without an index, to answer 503 saying alerts still work.
	rs = append(rs, route{"GET /api/v1/hits", access.ReadAlerts, a.searchHits},
		route{"GET /api/v1/hits/export.csv", access.ReadAlerts, a.exportHits})
	if d.Sources != nil {
		rs = append(rs,
			route{"GET " + sourcesPath, access.ReadSources, a.listSources},
			route{"GET " + sourcesPath + "/{id}", access.ReadSources, a.getSource},
			route{"GET " + sourcesPath + "/{id}/runs", access.ReadSources, a.sourceRuns},
		)
		if d.Audit != nil {
			rs = append(rs,
				route{"PUT " + sourcesPath + "/{id}/schedule", access.OperateSources, a.setSchedule},
				route{"POST " + sourcesPath + "/{id}/pause", access.OperateSources, a.pauseSource},
				route{"POST " + sourcesPath + "/{id}/resume", access.OperateSources, a.resumeSource},
				route{"POST " + sourcesPath + "/{id}/run", access.OperateSources, a.triggerSource},
			)
		} else {
			a.log.Warn("source changes are not served: no audit log to record them in")
		}
	}
	if d.Audit != nil {
		rs = append(rs, route{"GET " + auditPath, access.ReadAudit, a.listAudit})
	}
	if d.Users != nil && d.Credentials != nil {
		rs = append(rs,
			route{"GET " + usersPath, access.ManageUsers, a.listUsers},
			route{"POST " + usersPath, access.ManageUsers, a.createUser},
			route{"POST " + usersPath + "/{name}/disable", access.ManageUsers, a.disableUser},
			route{"POST " + usersPath + "/{name}/enable", access.ManageUsers, a.enableUser},
		)
	}
	if d.Tokens != nil && d.Credentials != nil {
		// Authenticated, not ManageUsers: everyone manages their own
		// tokens; the handlers widen to every user's for admins.
		rs = append(rs,
			route{"GET " + tokensPath, access.Authenticated, a.listTokens},
			route{"POST " + tokensPath, access.Authenticated, a.createToken},
			route{"DELETE " + tokensPath + "/{id}", access.Authenticated, a.revokeToken},
		)
	}
	if d.Subscriptions != nil {
		rs = append(rs,
			route{"GET " + subscriptionsPath, access.Subscribe, a.listSubscriptions},
			route{"POST " + subscriptionsPath, access.Subscribe, a.createSubscription},
			route{"GET " + subscriptionsPath + "/{id}", access.Subscribe, a.getSubscription},
			route{"PUT " + subscriptionsPath + "/{id}", access.Subscribe, a.updateSubscription},
			route{"DELETE " + subscriptionsPath + "/{id}", access.Subscribe, a.deleteSubscription},
		)
		if d.Deliveries != nil {
			rs = append(rs, route{"GET " + subscriptionsPath + "/{id}/deliveries", access.Subscribe, a.listDeliveries})
		}
	}
	if d.Claims != nil {
		rs = append(rs,
			route{"POST " + claimsPath, access.ClaimSeller, a.createClaim},
			// Owners list their claims, deciders every claim: one Perm
			// cannot say "either", so the handler checks (canListClaims).
			route{"GET " + claimsPath, access.Authenticated, a.listClaims},
			route{"POST " + claimsPath + "/{id}/accept", access.DecideClaims, a.acceptClaim},
			route{"POST " + claimsPath + "/{id}/reject", access.DecideClaims, a.rejectClaim},
		)
	}
	if d.Networks != nil {
		rs = append(rs, route{"GET " + sellersPath + "/{id}", access.ReadSellers, a.getSellerNetwork})
	}
	rs = append(rs, a.adminRoutes()...)
	return rs
}
