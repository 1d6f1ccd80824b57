package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestSourceChangesAreAudited: each change is recorded as the operator
// who made it, on object source:<id>, schedule changes with before/after;
// refused changes record nothing.
func TestSourceChangesAreAudited(t *testing.T) {
	h := newHarness(t, nil)
	ops := principals()[tokOperator].Actor()
	steps := []struct {
		method, path, body string
		code               int
		action             string
		before, after      string
	}{
		{"PUT", "/api/v1/sources/jd/schedule", `{"schedule":"*/30 * * * *"}`, 200, domain.AuditSourceSchedule, `{"schedule":"0 */2 * * *"}`, `{"schedule":"*/30 * * * *"}`},
		{"PUT", "/api/v1/sources/jd/schedule", `{"schedule":"每小时"}`, 400, "", "", ""},
		{"POST", "/api/v1/sources/jd/pause", "", 200, domain.AuditSourcePause, `{"paused":false}`, `{"paused":true}`},
		{"POST", "/api/v1/sources/jd/resume", "", 200, domain.AuditSourceResume, `{"paused":true}`, `{"paused":false}`},
		{"POST", "/api/v1/sources/demo/run", "", 202, domain.AuditSourceRun, "", ""},
		{"POST", "/api/v1/sources/jingdong/pause", "", 404, "", "", ""},
	}
	for _, st := range steps {
		before := len(h.store.audit)
		code, raw := h.do(t, tokOperator, st.method, st.path, st.body)
		if code != st.code {
			t.Fatalf("%s %s: %d %s", st.method, st.path, code, raw)
		}
		if st.action == "" {
			if len(h.store.audit) != before {
				t.Errorf("%s %s was refused but audited: %+v", st.method, st.path, h.store.audit[before:])
			}
			continue
		}
		if len(h.store.audit) != before+1 {
			t.Fatalf("%s %s: %d audit entries written, want 1", st.method, st.path, len(h.store.audit)-before)
		}
		e := h.store.audit[before]
		id := strings.Split(st.path, "/")[4]
		if e.Action != st.action || e.Object != "source:"+id || e.Actor != ops || string(e.Before) != st.before ||
			string(e.After) != st.after || !e.At.Equal(seen) || e.MarkID != "" {
			t.Errorf("%s %s audited as %+v (before %s after %s)", st.method, st.path, e, e.Before, e.After)
		}
	}
}

func TestSourceChangeNotAuditableIsAnError(t *testing.T) {
	h := newHarness(t, nil)
	h.store.auditErr = errors.New("sqlite: disk I/O error")
	code, raw := h.do(t, tokOperator, "POST", "/api/v1/sources/jd/pause", "")
	if code != 500 || strings.Contains(string(raw), "disk") {
		t.Errorf("got %d %s", code, raw)
	}
	line := h.logs.FilterMessage("http request").All()[0]
	if err := fmt.Sprint(line.ContextMap()["error"]); !strings.Contains(err, "the change itself was applied") || !strings.Contains(err, "source:jd") {
		t.Errorf("logged %q", err)
	}
}

// TestSourceChangesNeedAnAuditLog: without an audit log the changing
// routes are not offered at all; reading still is.
func TestSourceChangesNeedAnAuditLog(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.Audit = nil })
	if code, _ := h.do(t, tokOperator, "POST", "/api/v1/sources/jd/pause", ""); code != 404 {
		t.Errorf("pause without an audit log: %d, want the route absent", code)
	}
	if code, _ := h.do(t, tokOperator, "GET", "/api/v1/sources/jd", ""); code != 200 {
		t.Errorf("get without an audit log: %d", code)
	}
	if h.sources.sources["jd"].Paused {
		t.Error("paused without an audit log")
	}
}

// TestOwnerReadsOnlyItsMarksAudit: owner A sees the review of its own
// alert, not B's, nor source and user changes, and not the reviewer's
// address.
func TestOwnerReadsOnlyItsMarksAudit(t *testing.T) {
	h := newHarness(t, nil)
	h.do(t, tokAdmin, "PATCH", "/api/v1/alerts/1", `{"status":"confirmed","note":"六個核桃 繁体仿冒"}`)
	h.do(t, tokSupervisor, "PATCH", "/api/v1/alerts/4", `{"status":"confirmed","note":"衡水老白干 仿冒"}`)
	h.do(t, tokOperator, "POST", "/api/v1/sources/jd/pause", "")

	var got auditList
	if resp := h.getAs(t, tokOwnerA, "/api/v1/audit", &got); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(got.Entries) != 1 || got.Entries[0].Object != "alert:1" || got.Total != 1 {
		t.Fatalf("owner A reads %+v", got.Entries)
	}
	if got.Entries[0].Actor.RemoteAddr != "" || got.Entries[0].Actor.Name != "admin" {
		t.Errorf("actor as owner A reads it: %+v", got.Entries[0].Actor)
	}
	if fmt.Sprint(h.store.auditFilter.Scope) != fmt.Sprint(principals()[tokOwnerA].Scope) {
		t.Errorf("store got scope %+v", h.store.auditFilter.Scope)
	}
	// Through a store that forgot the scope, still only A's.
	h.store.leak = true
	h.getAs(t, tokOwnerA, "/api/v1/audit", &got)
	if len(got.Entries) != 1 || got.Entries[0].MarkID != "liugehetao" {
		t.Errorf("through a leaky store owner A reads %+v", got.Entries)
	}
	// The admin reads everything, addresses included.
	h.store.leak = false
	h.getAs(t, tokAdmin, "/api/v1/audit?action=source.", &got)
	if len(got.Entries) != 1 || got.Entries[0].Actor.RemoteAddr != "10.0.0.9" || h.store.auditFilter.Action != "source." {
		t.Errorf("admin reads %+v", got.Entries)
	}
}
