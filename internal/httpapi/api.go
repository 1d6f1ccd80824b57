package httpapi

import (
	"net/http"

	"go.uber.org/zap"
)

// api holds the handlers' dependencies.
type api struct {
	deps Deps
	log  *zap.Logger
}

// New returns the API's handler: routes, JSON errors for unknown routes,
// request logging and panic recovery.
func New(deps Deps, log *zap.Logger) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	if deps.ReadyTimeout <= 0 {
		deps.ReadyTimeout = defaultReadyTimeout
	}
	a := &api{deps: deps, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if deps.Metrics != nil {
		mux.Handle("GET /metrics", deps.Metrics)
	}
	mux.HandleFunc("GET /api/v1/alerts", a.listAlerts)
	mux.HandleFunc("GET /api/v1/alerts/{id}", a.getAlert)
	mux.HandleFunc("GET /api/v1/hits", a.searchHits)
	return observe(withJSONFallback(mux), log)
}
