package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/cases"
	"github.com/markwatch/markwatch/internal/crawl"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/notify"
	"github.com/markwatch/markwatch/internal/subscribe"
	"github.com/markwatch/markwatch/internal/web"
)

// startHTTP serves the API, probes, metrics and the console on http.listen
// through one access guard, in a goroutine stop waits for. Every route is
// declared with the permission it needs; the guard serves nothing else.
// Without the API (full false: the scheduler and worker roles) it serves
// only the probes and metrics.
func (d *daemon) startHTTP(reg *prometheus.Registry, full bool) error {
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	auth := access.NewAuthenticator(d.db, access.Options{
		Now:           d.now,
		IdleTimeout:   d.cfg.Auth.SessionIdle,
		MaxAge:        d.cfg.Auth.SessionMax,
		SecureCookies: secureCookies(d.cfg),
		TrustProxy:    d.cfg.HTTP.TrustProxy,
		MarksByOwner:  marksByOwner(d.marks),
		Log:           d.log.Named("access"),
	})
	guard := access.NewGuard(auth, access.GuardOptions{
		AllowedHosts: d.cfg.HTTP.AllowedHosts(),
		Log:          d.log.Named("access"),
	})
	claims := claimStore{DB: d.db, rebuild: d.rebuildMatcher}
	api := httpapi.Routes(httpapi.Deps{
		Alerts:               d.db,
		Reviewer:             d.db,
		Hits:                 hitSearcher{d.search},
		Sources:              apiSources{d.sourcesCtl},
		Audit:                d.db,
		Users:                d.db,
		Tokens:               d.db,
		Subscriptions:        d.db,
		Deliveries:           d.db,
		ValidateSubscription: subscribe.Validate,
		Claims:               claims,
		Credentials:          credentials{},
		Checks:               d.readinessChecks(),
		Metrics:              promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
		Now:                  d.now,
		Evidence:             d.db,
		Blobs:                d.evidence.blobs,
		Cases:                d.db,
		Notices:              d.db,
		Transition:           cases.Transition,
		Jurisdiction:         cases.Jurisdiction,
		Notice:               noticeFunc,
		Packet:               d.writePacket,
		Captures:             d.db,
		Marks:                d.marks,
		BaseURL:              d.baseURL(),
		Networks:             d.db,
		Platforms:            sourcePlatforms(d.sources),
		Reindexer:            d.reindexer(),
	}, d.log.Named("http"))
	console := web.Routes(web.Deps{
		Alerts:               d.db,
		Reviews:              d.db,
		Marks:                d.marks,
		Sources:              consoleSources{ctl: d.sourcesCtl, db: d.db},
		Hits:                 d.db,
		Auth:                 auth,
		Users:                d.db,
		HashPassword:         access.HashPassword,
		Tokens:               d.db,
		Audit:                d.db,
		Subscriptions:        d.db,
		ValidateSubscription: subscribe.Validate,
		Notifications:        d.db,
		Unsubscribe:          d.unsubscribeToken,
		Unsubscriber:         d.db,
		Sellers:              claims,
		Now:                  d.now,
		Location:             loc,
		Evidence:             d.db,
		Cases:                d.db,
		Notices:              d.db,
		CaseTransition:       cases.Transition,
		CaseJurisdiction:     cases.Jurisdiction,
		APIDownloads:         true,
		Networks:             d.db,
		API:                  guard,
		Platforms:            sourcePlatforms(d.sources),
	}, d.log.Named("web"))
	routes := append(api, console...)
	if !full {
		routes = probesOnly(api)
	}
	for _, rt := range routes {
		if err := guard.Handle(rt); err != nil {
			return fmt.Errorf("declaring route %s: %w", rt.Pattern, err)
		}
	}

	srv, err := httpapi.NewServer(d.ln.Addr().String(), guard, d.log.Named("http"))
	if err != nil {
		return err
	}
	setHTTPTimeouts(srv, d.cfg.HTTP)
	// A client trickling bytes on a kept-alive connection is held to
	// ReadHeaderTimeout as on a new one.
	ln := httpapi.GuardKeptAlive(srv, d.ln)
	d.http = srv
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if err := d.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("HTTP server stopped", zap.Error(err))
		}
	}()
	d.log.Info("HTTP API listening", zap.String("url", d.httpURL), zap.Strings("allowed_hosts", d.cfg.HTTP.AllowedHosts()))
	return nil
}

// listen opens http.listen early, so the console's address (for links in
// notifications) is known before the parts that send them start.
func (d *daemon) listen() error {
	ln, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listening on http.listen %s (set MARKWATCH_HTTP_LISTEN to another address): %w", d.cfg.HTTP.Listen, err)
	}
	d.ln = ln
	d.httpURL = "http://" + ln.Addr().String()
	return nil
}

// unsubscribeToken reads a List-Unsubscribe token: the subscription it was
// signed for, or EINVALID for a token this daemon did not sign.
func (d *daemon) unsubscribeToken(ctx context.Context, token string) (domain.Subscription, error) {
	id, err := notify.ParseUnsubscribeToken(d.authKey, token)
	if err != nil {
		return domain.Subscription{}, domain.Errorf(domain.EINVALID, "退订链接无效 this unsubscribe link is not valid: %v", err)
	}
	return d.db.GetSubscription(ctx, id)
}

// probesOnly keeps the routes every role serves: /healthz, /readyz and
// /metrics.
func probesOnly(routes []access.Route) []access.Route {
	var out []access.Route
	for _, rt := range routes {
		switch rt.Pattern {
		case "GET /healthz", "GET /readyz", "GET /metrics":
			out = append(out, rt)
		}
	}
	return out
}

// sourcePlatforms maps each source to its platform, for the API's
// platform filter and counts (several sources may crawl one platform).
func sourcePlatforms(srcs []crawl.Source) map[string]string {
	m := make(map[string]string, len(srcs))
	for _, s := range srcs {
		m[s.ID] = s.Platform
	}
	return m
}
