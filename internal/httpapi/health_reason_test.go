package httpapi

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A failing check that carries a public reason has it in the 503 body and
// message; a failure without one says only that the check failed, and the
// error's own text (paths, addresses) never reaches the body.
func TestReadyzReasons(t *testing.T) {
	full := func(context.Context) error {
		return Unready("free space below the floor", errors.New("data dir /srv/markwatch 河北 has 12.0 MiB free"))
	}
	corrupt := func(context.Context) error {
		return Unready("the database cannot be written", errors.New("checking store /srv/markwatch/markwatch.db: not a SQLite database"))
	}
	bare := func(context.Context) error { return errors.New("dial tcp 127.0.0.1:7700: connection refused") }
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name    string
		checks  []Check
		reasons map[string]string
	}{
		{"full disk", []Check{{"store", ok}, {"disk", full}}, map[string]string{"disk": "free space below the floor"}},
		{"corrupt store", []Check{{"store", corrupt}, {"disk", ok}}, map[string]string{"store": "the database cannot be written"}},
		{"both, and index bare", []Check{{"store", corrupt}, {"disk", full}, {"index", bare}},
			map[string]string{"store": "the database cannot be written", "disk": "free space below the floor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(d *Deps) { d.Checks = tt.checks })
			var got readiness
			resp := h.get(t, "/readyz", &got)
			if resp.StatusCode != 503 {
				t.Fatalf("status %d, want 503", resp.StatusCode)
			}
			if len(got.Reasons) != len(tt.reasons) {
				t.Errorf("reasons %v, want %v", got.Reasons, tt.reasons)
			}
			for name, want := range tt.reasons {
				if got.Reasons[name] != want || got.Checks[name] != "failed" {
					t.Errorf("check %s: %q %q, want failed because %q", name, got.Checks[name], got.Reasons[name], want)
				}
				if !strings.Contains(got.Error.Message, name+" ("+want+")") {
					t.Errorf("message %q does not give %s's reason", got.Error.Message, name)
				}
			}
			_, body := h.do(t, tokAdmin, "GET", "/readyz", "")
			raw := string(body)
			for _, secret := range []string{"/srv/markwatch", "127.0.0.1:7700", "12.0 MiB"} {
				if strings.Contains(raw, secret) {
					t.Errorf("body leaks %q: %s", secret, raw)
				}
			}
		})
	}
}
