package index

import (
	"bytes"
	"strings"
	"sync"

	"go.uber.org/zap"
)

// logWriter turns the server's output into zap entries, one per line, and
// keeps the last lines so a failed start can say why (port taken, data dir
// locked, ...).
type logWriter struct {
	log *zap.Logger

	mu      sync.Mutex
	partial []byte
	last    []string
}

const logTailLines = 15

func newLogWriter(log *zap.Logger) *logWriter { return &logWriter{log: log} }

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
		if line == "" {
			continue
		}
		w.last = append(w.last, line)
		if len(w.last) > logTailLines {
			w.last = w.last[1:]
		}
		if strings.Contains(line, "ERROR") || strings.Contains(line, "WARN") {
			w.log.Warn("meilisearch output", zap.String("line", line))
		} else {
			w.log.Debug("meilisearch output", zap.String("line", line))
		}
	}
	return len(p), nil
}

func (w *logWriter) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.last, " | ")
}
