package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestUnsubscribeBadToken(t *testing.T) {
	for _, token := range []string{"", "forged-token", "good-token-1x", strings.Repeat("a", 600), "<script>alert(1)</script>"} {
		t.Run(token[:min(len(token), 20)], func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(nil) // from a mail client: no session
			before, writes := h.subs.snapshot()
			q := "/unsubscribe?token=" + url.QueryEscape(token)
			for _, send := range []func() (int, string){
				func() (int, string) { r, b := h.get(t, q); return r.StatusCode, b },
				func() (int, string) {
					r, b := h.post(t, q, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
					return r.StatusCode, b
				},
				func() (int, string) {
					r, b := h.post(t, "/unsubscribe", url.Values{"token": {token}}, nil)
					return r.StatusCode, b
				},
			} {
				status, body := send()
				if status != 400 || !strings.Contains(body, "退订链接无效或已过期") {
					t.Errorf("status %d, want the 400 page:\n%s", status, body)
				}
				if strings.Contains(body, "<script>alert") {
					t.Error("the token reached the page unescaped")
				}
			}
			after, w := h.subs.snapshot()
			if w != writes || !reflect.DeepEqual(before, after) {
				t.Error("a bad token changed a subscription")
			}
		})
	}
}

func TestUnsubscribeGoodTokenWithoutSession(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(nil)
	// Opening the link (or a mail scanner fetching it) changes nothing.
	resp, body := h.get(t, "/unsubscribe?token=good-token-1")
	if resp.StatusCode != 200 || !strings.Contains(body, "停用订阅「六个核桃 每日摘要」") || !strings.Contains(body, `name="token" value="good-token-1"`) {
		t.Fatalf("confirmation page: %d\n%s", resp.StatusCode, body)
	}
	if h.subs.get(1).Disabled {
		t.Fatal("GET unsubscribed")
	}
	// The target and the rest of the subscription are not shown to a
	// link holder.
	if strings.Contains(body, "ipr@yangyuan.example.cn") {
		t.Error("the confirmation page shows the receiver")
	}
	// RFC 8058 one-click: a POST to the link itself.
	resp, body = h.post(t, "/unsubscribe?token=good-token-1", url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "已停用") {
		t.Fatalf("one-click: %d\n%s", resp.StatusCode, body)
	}
	s := h.subs.get(1)
	if !s.Disabled || s.DisabledReason != reasonUnsubscribed {
		t.Errorf("subscription 1 disabled=%t reason %q", s.Disabled, s.DisabledReason)
	}
	if other := h.subs.get(3); other.Disabled {
		t.Error("another subscription was disabled")
	}
	// Again: still fine, nothing else changes.
	if resp, _ := h.post(t, "/unsubscribe", url.Values{"token": {"good-token-1"}}, nil); resp.StatusCode != 200 {
		t.Errorf("second unsubscribe: %d", resp.StatusCode)
	}
}
