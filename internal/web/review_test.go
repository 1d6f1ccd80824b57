package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

func form(status, back string) url.Values {
	v := url.Values{"status": {status}}
	if back != "" {
		v.Set("back", back)
	}
	return v
}

func TestReviewFromTheConsole(t *testing.T) {
	tests := []struct {
		name     string
		id       int64
		form     url.Values
		status   domain.AlertStatus
		note     string
		location string
	}{
		{"confirm from the queue, with a note", 1, withNote(form("confirmed", "/?mark=liugehetao&status=open"), "  临沂市场监管局已立案  "),
			domain.AlertConfirmed, "临沂市场监管局已立案", "/?mark=liugehetao&status=open"},
		{"dismiss", 3, form("dismissed", "/"), domain.AlertDismissed, "", "/"},
		{"reopen from the evidence page", 2, form("open", "/alerts/2"), domain.AlertOpen, "", "/alerts/2"},
		{"no back: the evidence page", 1, form("dismissed", ""), domain.AlertDismissed, "", "/alerts/1"},
		{"back to another site is ignored", 1, form("confirmed", "https://evil.example/"), domain.AlertConfirmed, "", "/alerts/1"},
		{"back to a scheme-relative URL is ignored", 1, form("confirmed", "//evil.example/"), domain.AlertConfirmed, "", "/alerts/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(supervisor(""))
			resp, body := h.post(t, fmt.Sprintf("/alerts/%d/status", tt.id), tt.form, nil)
			if resp.StatusCode != 303 {
				t.Fatalf("status %d, want 303:\n%s", resp.StatusCode, body)
			}
			if loc := resp.Header.Get("Location"); loc != tt.location {
				t.Errorf("redirect to %q, want %q", loc, tt.location)
			}
			if got := h.store.status(tt.id); got != tt.status {
				t.Errorf("alert %d status %q, want %q", tt.id, got, tt.status)
			}
			// The store gets the note and who reviewed, for the audit row.
			rs := h.store.reviewed()
			want := review{id: tt.id, rv: domain.Review{Status: tt.status, Note: tt.note}, actor: supervisor("").Actor()}
			if len(rs) != 1 || rs[0] != want {
				t.Errorf("reviews %+v, want %+v", rs, want)
			}
			logged := h.logs.FilterMessage("alert reviewed").All()
			if len(logged) != 1 || logged[0].ContextMap()["status"] != string(tt.status) || logged[0].ContextMap()["user"] != "linyi-amr" {
				t.Errorf("review trail %v, want one line with the new status and the user", logged)
			}
		})
	}
}

func withNote(v url.Values, note string) url.Values {
	v.Set("note", note)
	return v
}

// The console no longer judges a review's origin itself: the Guard checks
// Origin and the CSRF token of every cookie-authenticated post first (see
// review.go). Login posts, which the Guard cannot tie to a session, keep
// the console's own check: TestLoginRefusesOtherSites.

func TestReviewRefusesBadRequests(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		says   string
	}{
		{"unknown status", "/alerts/1/status", form("closed", ""), 400, "confirmed (确认侵权), dismissed (驳回) or open (重新打开)"},
		{"Chinese label is not a status", "/alerts/1/status", form("确认侵权", ""), 400, "confirmed (确认侵权)"},
		{"no status", "/alerts/1/status", url.Values{}, 400, `status=&#34;&#34;`},
		{"unknown alert", "/alerts/99/status", form("confirmed", ""), 404, "没有这条告警"},
		{"bad id", "/alerts/x/status", form("confirmed", ""), 400, "positive whole number"},
		{"form too big", "/alerts/1/status", url.Values{"status": {"open"}, "pad": {strings.Repeat("核", 4000)}}, 400, "表单无法读取"},
		{"note too long", "/alerts/1/status", withNote(form("confirmed", ""), strings.Repeat("a", 1001)), 400, "备注过长"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.post(t, tt.path, tt.form, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Errorf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			if got := h.store.status(1); got != domain.AlertOpen {
				t.Errorf("a refused request changed alert 1 to %q", got)
			}
		})
	}
}

func TestBackTo(t *testing.T) {
	tests := []struct{ back, want string }{
		{"/", "/"},
		{"/?mark=liugehetao&status=open&page=2", "/?mark=liugehetao&status=open&page=2"},
		{"/alerts/7", "/alerts/7"},
		{"", "/alerts/1"},
		{"alerts/7", "/alerts/1"},
		{"//evil.example/", "/alerts/1"},
		{`/\evil.example/`, "/alerts/1"},
		{"https://evil.example/", "/alerts/1"},
		{"javascript:alert(1)", "/alerts/1"},
		{"/%zz", "/alerts/1"},
	}
	for _, tt := range tests {
		if got := backTo(tt.back, "/alerts/1"); got != tt.want {
			t.Errorf("backTo(%q) = %q, want %q", tt.back, got, tt.want)
		}
	}
}
