package app

import (
	"fmt"
	"io"
	"regexp"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/markwatch/markwatch/internal/config"
)

// newLogger builds the daemon's logger from configuration, writing to w.
func newLogger(c config.Log, w io.Writer) (*zap.Logger, error) {
	var level zapcore.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, fmt.Errorf("log.level %q: want debug, info, warn or error", c.Level)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if c.Format == "json" {
		enc = zapcore.NewJSONEncoder(encCfg)
	} else {
		encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), level)), nil
}

// meiliLogger is the logger a managed Meilisearch's output goes to: its
// lines lose their terminal colours, and its complaints about markwatch's
// own requests are debug, not warnings (see meiliOutputCore).
func meiliLogger(log *zap.Logger) *zap.Logger {
	return log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return meiliOutputCore{c} })).Named("meilisearch")
}

// meiliOutputMessage is the message package index logs each line of the
// server's output under, in a field "line".
const meiliOutputMessage = "meilisearch output"

var (
	// ansiEscape is a terminal colour or style sequence: Meilisearch
	// colours its log even into a pipe, and zap would print them escaped.
	ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)
	// clientErrorLine is Meilisearch saying a request it answered with a
	// 4xx failed, e.g. the 404 for the index not created yet that every
	// fresh start asks about. markwatch made the request and handles the
	// answer (logging it there if it matters), so here it is only noise.
	clientErrorLine = regexp.MustCompile(`ResponseError \{ code: 4\d\d\b`)
)

// meiliOutputCore rewrites "meilisearch output" entries before the core
// beneath writes them: the line without colours, and at debug level when it
// only reports an answer to one of markwatch's requests.
type meiliOutputCore struct{ zapcore.Core }

func (c meiliOutputCore) With(fs []zapcore.Field) zapcore.Core {
	return meiliOutputCore{c.Core.With(fs)}
}

func (c meiliOutputCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if e.Message != meiliOutputMessage {
		return c.Core.Check(e, ce)
	}
	// Its level is known only in Write; it can only go down, so an entry
	// below the level enabled now stays below it.
	if !c.Core.Enabled(e.Level) {
		return ce
	}
	return ce.AddCore(e, c)
}

func (c meiliOutputCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	if e.Message == meiliOutputMessage {
		fs = append([]zapcore.Field(nil), fs...) // the caller's slice is not ours to change
		for i, f := range fs {
			if f.Key != "line" || f.Type != zapcore.StringType {
				continue
			}
			fs[i].String = ansiEscape.ReplaceAllString(f.String, "")
			if e.Level > zapcore.DebugLevel && clientErrorLine.MatchString(fs[i].String) {
				e.Level = zapcore.DebugLevel
			}
		}
		if !c.Core.Enabled(e.Level) {
			return nil
		}
	}
	return c.Core.Write(e, fs)
}
