package app

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/httpapi"
	"github.com/markwatch/markwatch/internal/web"
)

// startHTTP serves the API, probes, metrics and the supervisors' console on
// http.listen, in a goroutine stop waits for.
func (d *daemon) startHTTP(reg *prometheus.Registry) error {
	h := httpapi.New(httpapi.Deps{
		Alerts: d.db,
		Hits:   hitSearcher{d.search},
		Checks: []httpapi.Check{
			{Name: "store", Fn: d.db.Ping},
			{Name: "index", Fn: d.search.Healthy},
		},
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
	}, d.log.Named("http"))
	h = httpapi.WithSources(h, newSourceControl(d.sched, d.db, d.log.Named("sources")), d.log.Named("http"))
	h = httpapi.WithReview(h, d.db, d.log.Named("http"))
	// The API, probes and metrics keep their paths; the supervisors' console
	// answers everything else.
	root := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		root.Handle(p, h)
	}
	loc, err := d.cfg.Schedule.Location()
	if err != nil {
		return err
	}
	root.Handle("/", web.New(web.Deps{Alerts: d.db, Hits: d.db, Marks: d.marks, Sources: d.db, Location: loc}, d.log.Named("web")))
	ln, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listening on http.listen %s (set MARKWATCH_HTTP_LISTEN to another address): %w", d.cfg.HTTP.Listen, err)
	}
	d.httpURL = "http://" + ln.Addr().String()
	d.http = &http.Server{Handler: root, ReadHeaderTimeout: 10 * time.Second}
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		if err := d.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("HTTP server stopped", zap.Error(err))
		}
	}()
	d.log.Info("HTTP API listening", zap.String("url", d.httpURL))
	return nil
}
