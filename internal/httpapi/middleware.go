package httpapi

import (
	"context"
	"net/http"
	"runtime/debug"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// requestInfo collects what the request log line reports; handlers add the
// error they answered with.
type requestInfo struct {
	err   error
	stack string // of a recovered panic
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// recorder remembers the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flush,
// deadlines).
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// isProbe reports paths polled by orchestrators and scrapers every few
// seconds; their successful requests are logged at debug so they do not
// drown the rest.
func isProbe(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return false
}

// observe logs one line per request and turns a panic in a handler into a
// 500 answer, so one bad request cannot take the daemon down.
func observe(next http.Handler, log *zap.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		rec := &recorder{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // the server's own signal to drop the connection
				}
				info.stack = string(debug.Stack())
				if rec.status == 0 {
					writeError(rec, r, domain.Errorf(domain.EINTERNAL, "handler panicked: %v", p))
				} else {
					info.err = domain.Errorf(domain.EINTERNAL, "handler panicked after answering %d: %v", rec.status, p)
				}
			}
			logRequest(log, r, rec, info, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

func logRequest(log *zap.Logger, r *http.Request, rec *recorder, info *requestInfo, took time.Duration) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	level := zapcore.InfoLevel
	switch {
	case status >= 500:
		level = zapcore.ErrorLevel
		if status == http.StatusServiceUnavailable {
			level = zapcore.WarnLevel // a dependency is down; not our bug
		}
	case isProbe(r.URL.Path):
		level = zapcore.DebugLevel
	}
	ce := log.Check(level, "http request")
	if ce == nil {
		return
	}
	fields := []zap.Field{
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path),
		zap.String("query", r.URL.RawQuery),
		zap.Int("status", status),
		zap.Int64("bytes", rec.bytes),
		zap.Duration("duration", took),
		zap.String("remote_addr", r.RemoteAddr),
	}
	// Who asked, so a line can be matched with the audit log; the guard has
	// put the principal in the context before this handler ran.
	if p, ok := access.FromContext(r.Context()); ok {
		fields = append(fields, zap.String("user", p.User.Name), zap.String("via", p.Via))
	}
	if ua := r.UserAgent(); ua != "" {
		fields = append(fields, zap.String("user_agent", ua))
	}
	if info.err != nil {
		fields = append(fields, zap.Error(info.err))
	}
	if info.stack != "" {
		fields = append(fields, zap.String("stack", info.stack))
	}
	ce.Write(fields...)
}
