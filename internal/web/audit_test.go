package web

import (
	"strings"
	"testing"
)

func TestAuditPage(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/audit")
	for _, want := range []string{"审计日志", "linyi-amr", "市场监管", "审核告警", "alert.review", "alert:1", "六个核桃",
		`{&#34;status&#34;:&#34;open&#34;} → {&#34;status&#34;:&#34;confirmed&#34;}`, "添加用户", "user:yangyuan", "衡水老白乾 高仿 已移交",
		"2026-11-25 10:30:00 &#43;08:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if f := h.audit.filter; f.Scope.Restricted || f.Limit != defaultPageSize {
		t.Errorf("asked for %+v", f)
	}
}

func TestAuditScopedToTheOwner(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, body := h.get(t, "/audit")
	if !strings.Contains(body, "临沂市场监管局已立案") {
		t.Error("owner A does not see the review of its own mark")
	}
	for _, s := range []string{"alert:2", "衡水老白乾 高仿 已移交", "user:yangyuan", "添加用户"} {
		if strings.Contains(body, s) {
			t.Errorf("owner A's audit page shows %q", s)
		}
	}
	if f := h.audit.filter; !f.Scope.Restricted || len(f.Scope.MarkIDs) != 1 {
		t.Errorf("the store was asked with scope %+v", f.Scope)
	}
	// A store that forgot the scope still shows owner A nothing more.
	h.audit.mu.Lock()
	h.audit.ignoreScope = true
	h.audit.mu.Unlock()
	_, body = h.get(t, "/audit")
	for _, s := range []string{"alert:2", "user:yangyuan"} {
		if strings.Contains(body, s) {
			t.Errorf("with a store that forgot the scope, owner A's audit page shows %q", s)
		}
	}
	if !strings.Contains(body, "alert:1") {
		t.Error("owner A lost its own entry")
	}
}

func TestAuditEscapesNotes(t *testing.T) {
	h := newHarness(t, nil)
	_, body := h.get(t, "/audit")
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "临沂市场监管局已立案 &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the note was not escaped:\n%s", body)
	}
}

func TestAuditRefusesBadParameters(t *testing.T) {
	h := newHarness(t, nil)
	for _, q := range []string{"?page=0", "?page=二", "?action=" + strings.Repeat("a", 101)} {
		if resp, _ := h.get(t, "/audit"+q); resp.StatusCode != 400 {
			t.Errorf("GET /audit%s: %d, want 400", q, resp.StatusCode)
		}
	}
}
