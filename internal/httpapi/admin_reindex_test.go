package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

type fakeReindexer struct {
	calls atomic.Int32
	err   error
}

func (f *fakeReindexer) Reindex(context.Context) (int, error) {
	f.calls.Add(1)
	return 34, f.err
}

// TestReindexRoute: operators and admins rebuild the index on the running
// daemon; reviewers, owners and strangers may not start one (it loads
// Meilisearch for minutes), and a rebuild already running answers 409.
func TestReindexRoute(t *testing.T) {
	ri := &fakeReindexer{}
	h := newHarness(t, func(d *Deps) { d.Reindexer = ri })
	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"admin", tokAdmin, http.StatusOK},
		{"operator", tokOperator, http.StatusOK},
		{"supervisor 市场监管", tokSupervisor, http.StatusForbidden},
		{"owner 六个核桃", tokOwnerA, http.StatusForbidden},
		{"no token", "", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := ri.calls.Load()
			code, body := h.do(t, c.token, http.MethodPost, ReindexPath, "")
			if code != c.want {
				t.Fatalf("POST %s as %s: %d %s, want %d", ReindexPath, c.name, code, body, c.want)
			}
			ran := ri.calls.Load() > before
			if ran != (c.want == http.StatusOK) {
				t.Fatalf("as %s: reindex ran %v", c.name, ran)
			}
			if c.want == http.StatusOK {
				var got ReindexJSON
				if err := json.Unmarshal(body, &got); err != nil || got.Hits != 34 {
					t.Fatalf("answer %s (%v), want 34 hits", body, err)
				}
			}
		})
	}
	if code, _ := h.do(t, tokAdmin, http.MethodGet, ReindexPath, ""); code == http.StatusOK {
		t.Error("GET started or answered a rebuild; only POST may")
	}

	ri.err = domain.Errorf(domain.ECONFLICT, "a reindex is already running")
	c := NewClient(h.srv.URL, tokOperator, nil)
	_, err := c.Reindex(context.Background())
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.ECONFLICT {
		t.Fatalf("client: %v, want the server's conflict", err)
	}
	ri.err = nil
	if got, err := c.Reindex(context.Background()); err != nil || got.Hits != 34 {
		t.Fatalf("client: %+v, %v", got, err)
	}
}

// TestReindexRouteNeedsAReindexer: a process without the index (the
// scheduler and worker roles) declares no rebuild route.
func TestReindexRouteNeedsAReindexer(t *testing.T) {
	h := newHarness(t, nil)
	if code, body := h.do(t, tokAdmin, http.MethodPost, ReindexPath, ""); code != http.StatusNotFound {
		t.Fatalf("POST %s without a Reindexer: %d %s, want 404", ReindexPath, code, body)
	}
}
