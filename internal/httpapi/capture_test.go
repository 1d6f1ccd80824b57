package httpapi

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

type fakeCaptures struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeCaptures) RequestCapture(_ context.Context, id int64, kind string, actor domain.Actor) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if kind != "screenshot" && kind != "recheck" {
		return false, domain.Errorf(domain.EINVALID, "capture kind %q: use screenshot or recheck", kind)
	}
	f.calls = append(f.calls, kind+" "+actor.Name)
	return len(f.calls) == 1, nil
}

// TestRequestCapture: a reviewer asks for a fresh capture of a listing in
// its scope; owners cannot ask, and a supervisor asking for an alert
// outside its jurisdiction gets the missing-alert answer.
func TestRequestCapture(t *testing.T) {
	caps := &fakeCaptures{}
	h := newHarness(t, func(d *Deps) { d.Captures = caps })
	tests := []struct {
		name, token, path, body string
		want                    int
	}{
		{"owner may not", tokOwnerA, "/api/v1/alerts/1/capture", `{"kind":"screenshot"}`, 403},
		{"outside the jurisdiction", tokSupervisor, "/api/v1/alerts/1/capture", `{"kind":"screenshot"}`, 404},
		{"missing alert", tokAdmin, "/api/v1/alerts/999/capture", `{"kind":"screenshot"}`, 404},
		{"bad kind", tokAdmin, "/api/v1/alerts/4/capture", `{"kind":"image"}`, 400},
		{"in the jurisdiction", tokSupervisor, "/api/v1/alerts/4/capture", `{"kind":"screenshot"}`, 202},
		{"again while pending", tokAdmin, "/api/v1/alerts/4/capture", `{}`, 202},
	}
	for _, tt := range tests {
		if code, body := h.do(t, tt.token, "POST", tt.path, tt.body); code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, code, body, tt.want)
		}
	}
	_, miss := h.do(t, tokAdmin, "POST", "/api/v1/alerts/999/capture", `{}`)
	_, out := h.do(t, tokSupervisor, "POST", "/api/v1/alerts/1/capture", `{}`)
	if strings.Replace(string(miss), "999", "1", 1) != string(out) {
		t.Errorf("out-of-scope answer %s differs from a missing alert's %s", out, miss)
	}
	if len(caps.calls) != 2 || caps.calls[0] != "screenshot sjz-scjg" {
		t.Errorf("requests reaching the store: %v", caps.calls)
	}
}
