package web

import (
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
		id       string
		form     url.Values
		headers  func(h *harness) map[string]string
		status   domain.AlertStatus
		location string
	}{
		{"confirm from the queue, Origin", "1", form("confirmed", "/?mark=liugehetao&status=open"),
			func(h *harness) map[string]string { return map[string]string{"Origin": h.srv.URL} },
			domain.AlertConfirmed, "/?mark=liugehetao&status=open"},
		{"dismiss, Sec-Fetch-Site", "3", form("dismissed", "/"),
			func(*harness) map[string]string { return map[string]string{"Sec-Fetch-Site": "same-origin"} },
			domain.AlertDismissed, "/"},
		{"reopen from the evidence page, Referer only", "2", form("open", "/alerts/2"),
			func(h *harness) map[string]string { return map[string]string{"Referer": h.srv.URL + "/alerts/2"} },
			domain.AlertOpen, "/alerts/2"},
		{"no back: the evidence page", "1", form("dismissed", ""),
			func(h *harness) map[string]string { return map[string]string{"Origin": h.srv.URL} },
			domain.AlertDismissed, "/alerts/1"},
		{"back to another site is ignored", "1", form("confirmed", "https://evil.example/"),
			func(h *harness) map[string]string { return map[string]string{"Origin": h.srv.URL} },
			domain.AlertConfirmed, "/alerts/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.post(t, "/alerts/"+tt.id+"/status", tt.form, tt.headers(h))
			if resp.StatusCode != 303 {
				t.Fatalf("status %d, want 303:\n%s", resp.StatusCode, body)
			}
			if loc := resp.Header.Get("Location"); loc != tt.location {
				t.Errorf("redirect to %q, want %q", loc, tt.location)
			}
			id := int64(tt.id[0] - '0')
			if got := h.store.status(id); got != tt.status {
				t.Errorf("alert %d status %q, want %q", id, got, tt.status)
			}
			logged := h.logs.FilterMessage("alert reviewed").All()
			if len(logged) != 1 || logged[0].ContextMap()["status"] != string(tt.status) {
				t.Errorf("review trail %v, want one line with the new status", logged)
			}
		})
	}
}

func TestReviewRefusesOtherSites(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"same-site is not same-origin", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"other Origin", map[string]string{"Origin": "https://evil.example"}},
		{"other Referer, no Origin", map[string]string{"Referer": "https://evil.example/page"}},
		{"no headers at all", nil},
		{"Referer that does not parse", map[string]string{"Referer": "http://[::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.post(t, "/alerts/1/status", form("dismissed", "/"), tt.headers)
			if resp.StatusCode != 403 || !strings.Contains(body, "只接受来自本控制台页面的操作") {
				t.Errorf("status %d, want 403:\n%s", resp.StatusCode, body)
			}
			if got := h.store.status(1); got != domain.AlertOpen {
				t.Errorf("a refused request changed alert 1 to %q", got)
			}
			if n := h.logs.FilterMessage("console request refused").Len(); n != 1 {
				t.Errorf("%d warnings about the refused request, want 1", n)
			}
		})
	}
}

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
		{"unknown alert", "/alerts/99/status", form("confirmed", ""), 404, "alert 99 does not exist"},
		{"bad id", "/alerts/x/status", form("confirmed", ""), 400, "positive whole number"},
		{"form too big", "/alerts/1/status", url.Values{"status": {"open"}, "pad": {strings.Repeat("核", 4000)}}, 400, "reading the review form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			resp, body := h.post(t, tt.path, tt.form, map[string]string{"Origin": h.srv.URL})
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
