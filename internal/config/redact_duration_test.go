package config

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestLoggedDurationsReadAsDurations: the start-up dump goes through the
// production encoder, whose own duration form is seconds; a minute must
// read "1m0s", as a user writes it in the file, not 60.
func TestLoggedDurationsReadAsDurations(t *testing.T) {
	c := Default()
	c.Schedule.MinInterval = time.Minute
	c.Crawl.ShutdownGrace = 1500 * time.Millisecond
	for _, format := range []string{"console", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
			if format == "console" {
				enc = zapcore.NewConsoleEncoder(zap.NewProductionEncoderConfig())
			}
			zap.New(zapcore.NewCore(enc, zapcore.AddSync(&buf), zapcore.DebugLevel)).
				Debug("starting markwatch", zap.Object("config", c))
			out := strings.ReplaceAll(buf.String(), " ", "") // the console form spaces its JSON
			for _, want := range []string{`"min_interval":"1m0s"`, `"shutdown_grace":"1.5s"`} {
				if !strings.Contains(out, want) {
					t.Errorf("config dump lacks %s:\n%s", want, out)
				}
			}
			if strings.Contains(out, `"min_interval":60`) {
				t.Errorf("a duration logged as seconds:\n%s", out)
			}
		})
	}
}
