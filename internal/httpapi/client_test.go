package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func codeOf(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestClientRoundTrip drives the source controls through the client and
// the API, and reads the audit log they wrote back the same way.
func TestClientRoundTrip(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := NewClient(h.srv.URL+"/", tokOperator, h.srv.Client())

	got, err := c.ListSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := h.sources.ListSources(ctx)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListSources through the client:\n%+v\nwant\n%+v", got, want)
	}
	jd, err := c.GetSource(ctx, "jd")
	if err != nil || jd.LastRun == nil || jd.LastRun.Errors["http_429"] != 3 || jd.ConsecutiveErrors != 1 {
		t.Errorf("GetSource jd = %+v, %v", jd, err)
	}
	if err := c.SetSchedule(ctx, "jd", "*/15 * * * *"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSchedule(ctx, "jd", "每小时"); codeOf(err) != domain.EINVALID {
		t.Errorf("bad spec: %v (code %q)", err, codeOf(err))
	}
	if err := c.Pause(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := c.Resume(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := c.Trigger(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := c.Trigger(ctx, "demo"); codeOf(err) != domain.ECONFLICT {
		t.Errorf("second run: %v", err)
	}
	if _, err := c.GetSource(ctx, "jingdong"); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("unknown source: %v", err)
	}
	// An id from a user stays one path segment.
	if _, err := c.GetSource(ctx, "jd/../../users"); codeOf(err) != domain.ENOTFOUND {
		t.Errorf("id with slashes: %v", err)
	}
	runs, err := c.Runs(ctx, "jd", 1)
	if err != nil || len(runs) != 1 || runs[0].ID != 8 || h.sources.limit != 1 {
		t.Errorf("Runs = %+v, %v", runs, err)
	}

	entries, total, err := c.ListAudit(ctx, domain.AuditFilter{Action: "source.", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Actor.Name != "ops" {
			t.Errorf("entry %+v not by the operator", e)
		}
	}
	if total != 4 || !reflect.DeepEqual(actions, []string{"source.run", "source.resume", "source.pause", "source.schedule"}) {
		t.Errorf("audit through the client: %d %v", total, actions)
	}
	if h.store.auditFilter.Limit != 10 || h.store.auditFilter.Action != "source." {
		t.Errorf("server read filter %+v", h.store.auditFilter)
	}

	me, err := c.Me(ctx)
	if err != nil || me.User.Name != "ops" || me.Role != domain.RoleOperator {
		t.Errorf("Me = %+v, %v", me, err)
	}
}

func TestClientErrors(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	if _, err := NewClient(h.srv.URL, "", nil).ListSources(ctx); codeOf(err) != codeUnauthorized {
		t.Errorf("without a token: %v", err)
	}
	if _, err := NewClient(h.srv.URL, "mwt_revoked", nil).Me(ctx); codeOf(err) != codeUnauthorized {
		t.Errorf("unknown token: %v", err)
	}
	if err := NewClient(h.srv.URL, tokOwnerA, nil).Pause(ctx, "jd"); codeOf(err) != codeForbidden {
		t.Errorf("owner pausing: %v", err)
	}
	if h.sources.sources["jd"].Paused {
		t.Error("owner paused a source")
	}

	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>502 Bad Gateway</html>"))
	}))
	defer proxy.Close()
	if _, err := NewClient(proxy.URL, tokAdmin, nil).ListSources(ctx); codeOf(err) != domain.EUNAVAILABLE {
		t.Errorf("proxy 502: %v", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	if _, err := NewClient(url, tokAdmin, nil).ListSources(ctx); codeOf(err) != domain.EUNAVAILABLE {
		t.Errorf("daemon down: %v", err)
	}
}
