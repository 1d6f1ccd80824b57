package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// HitSearchFunc adapts a function to HitSearcher, so the caller can wire an
// index client without declaring a type.
type HitSearchFunc func(ctx context.Context, q string, f HitQuery, scope domain.Scope) (HitResult, error)

// SearchHits calls f.
func (f HitSearchFunc) SearchHits(ctx context.Context, q string, hq HitQuery, scope domain.Scope) (HitResult, error) {
	return f(ctx, q, hq, scope)
}

// NewServer returns an http.Server for h with timeouts, so a slow or idle
// client cannot hold connections open forever (the zero http.Server has
// none), and with the server's own errors (TLS handshakes, broken
// connections) sent to log. The caller runs ListenAndServe and Shutdown.
func NewServer(addr string, h http.Handler, log *zap.Logger) (*http.Server, error) {
	if log == nil {
		log = zap.NewNop()
	}
	errLog, err := zap.NewStdLogAt(log.With(zap.String("component", "http_server")), zap.WarnLevel)
	if err != nil {
		return nil, fmt.Errorf("creating the HTTP server's error log: %w", err)
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
	}, nil
}
