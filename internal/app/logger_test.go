package app

import (
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestMeiliOutputQuietsItsAnswersToUs: the 404 Meilisearch prints on every
// fresh start (markwatch asking for the index before creating it) is not a
// warning, and no line keeps its terminal colours; a real warning of the
// server stays one.
func TestMeiliOutputQuietsItsAnswersToUs(t *testing.T) {
	const (
		notFound = "\x1b[2m2026-12-02T06:26:19.201309Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2mtracing_actix_web::middleware\x1b[0m\x1b[2m:\x1b[0m " +
			"Error encountered while processing the incoming HTTP request: ResponseError { code: 404, message: \"Index `hits` not found.\", " +
			"error_code: \"index_not_found\", error_type: \"invalid_request\" }"
		diskFull  = "\x1b[33m WARN\x1b[0m index_scheduler: 磁盘空间不足 No space left on device (os error 28)"
		serverErr = "\x1b[31mERROR\x1b[0m tracing_actix_web::middleware: ResponseError { code: 500, message: \"internal\" }"
	)
	for _, c := range []struct {
		name      string
		line      string
		level     zapcore.Level // the level enabled
		wantLevel zapcore.Level
		wantSeen  bool
	}{
		{"404 for the index not created yet, at info", notFound, zapcore.InfoLevel, 0, false},
		{"404 for the index not created yet, at debug", notFound, zapcore.DebugLevel, zapcore.DebugLevel, true},
		{"disk full stays a warning", diskFull, zapcore.InfoLevel, zapcore.WarnLevel, true},
		{"a 500 stays a warning", serverErr, zapcore.InfoLevel, zapcore.WarnLevel, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			core, logs := observer.New(c.level)
			log := meiliLogger(zap.New(core)).With(zap.Int("pid", 7))
			log.Warn(meiliOutputMessage, zap.String("line", c.line))
			got := logs.All()
			if !c.wantSeen {
				if len(got) != 0 {
					t.Fatalf("logged %v at %s, want nothing at info", got[0].ContextMap(), got[0].Level)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d entries, want 1", len(got))
			}
			line, _ := got[0].ContextMap()["line"].(string)
			if got[0].Level != c.wantLevel || strings.Contains(line, "\x1b") || line == "" {
				t.Fatalf("logged at %s: %q; want %s without escapes", got[0].Level, line, c.wantLevel)
			}
			if got[0].LoggerName != "meilisearch" || got[0].ContextMap()["pid"] != int64(7) {
				t.Fatalf("entry lost its name or fields: %+v", got[0])
			}
		})
	}
	// Other entries of the same logger pass untouched.
	core, logs := observer.New(zapcore.InfoLevel)
	meiliLogger(zap.New(core)).Warn("meilisearch restarted", zap.String("line", "ResponseError { code: 404"))
	if all := logs.All(); len(all) != 1 || all[0].Level != zapcore.WarnLevel {
		t.Fatalf("another message was rewritten: %+v", all)
	}
}
