package httpapi

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

const webhookSecret = "whsec-衡水-NeverShowMe-8c1f"

// seedSubscription gives owner B a webhook subscription with a secret and
// one delivery, and returns it.
func seedSubscription(t *testing.T, h *harness) domain.Subscription {
	t.Helper()
	body := `{"name":"衡水老白干 即时","mark_ids":["hengshui-laobaigan"],"channel":"webhook","target":"https://hooks.example.cn/mw","secret":"` + webhookSecret + `","mode":"immediate"}`
	code, raw := h.do(t, tokOwnerB, "POST", "/api/v1/subscriptions", body)
	if code != 201 {
		t.Fatalf("creating B's subscription: %d %s", code, raw)
	}
	var s SubscriptionJSON
	if err := decode(raw, &s); err != nil {
		t.Fatal(err)
	}
	h.store.notes = append(h.store.notes, domain.Notification{ID: 1, SubscriptionID: s.ID, UserID: userOwnerB.ID, Event: domain.EventAlert,
		AlertID: 4, MarkID: "hengshui-laobaigan", IdempotencyKey: fmt.Sprintf("mw-alert-4-s%d", s.ID), State: domain.NotifySent})
	return s.Subscription
}

// TestAnotherUsersSubscriptionLooksMissing: owner A can neither read,
// change, delete nor read the deliveries of B's subscription, and each
// answer is what a missing id gets. Admins neither: subscriptions are
// always one's own.
func TestAnotherUsersSubscriptionLooksMissing(t *testing.T) {
	h := newHarness(t, nil)
	b := seedSubscription(t, h)
	update := `{"name":"劫持","channel":"webhook","target":"https://evil.example/x","mode":"immediate"}`
	for _, tok := range []string{tokOwnerA, tokAdmin} {
		for _, req := range []struct{ method, suffix, body string }{
			{"GET", "", ""},
			{"PUT", "", update},
			{"DELETE", "", ""},
			{"GET", "/deliveries", ""},
		} {
			t.Run(tok+" "+req.method+req.suffix, func(t *testing.T) {
				code, body := h.do(t, tok, req.method, fmt.Sprintf("/api/v1/subscriptions/%d%s", b.ID, req.suffix), req.body)
				mcode, missing := h.do(t, tok, req.method, "/api/v1/subscriptions/999999"+req.suffix, req.body)
				norm := bytes.ReplaceAll(body, []byte(fmt.Sprint(b.ID)), []byte("ID"))
				if code != 404 || mcode != 404 || !bytes.Equal(norm, bytes.ReplaceAll(missing, []byte("999999"), []byte("ID"))) {
					t.Errorf("B's: %d %s\nmissing: %d %s", code, body, mcode, missing)
				}
				for _, leak := range []string{"hooks.example.cn", "衡水老白干 即时", "mw-alert-4"} {
					if bytes.Contains(body, []byte(leak)) {
						t.Errorf("answer leaks %q: %s", leak, body)
					}
				}
			})
		}
	}
	got, ok := h.store.subscription(b.ID)
	if !ok || got.Target != "https://hooks.example.cn/mw" || got.Name != "衡水老白干 即时" {
		t.Errorf("B's subscription after the attempts: %+v (exists %v)", got, ok)
	}
	var list subscriptionList
	h.getAs(t, tokOwnerA, "/api/v1/subscriptions", &list)
	if len(list.Subscriptions) != 0 {
		t.Errorf("owner A lists %+v", list.Subscriptions)
	}
}

func TestOwnSubscriptionLifecycle(t *testing.T) {
	h := newHarness(t, nil)
	b := seedSubscription(t, h)
	path := fmt.Sprintf("/api/v1/subscriptions/%d", b.ID)

	var got SubscriptionJSON
	if resp := h.getAs(t, tokOwnerB, path, &got); resp.StatusCode != 200 || !got.HasSecret || got.UserID != userOwnerB.ID {
		t.Fatalf("get own: %d %+v", resp.StatusCode, got)
	}
	var dl deliveryList
	if resp := h.getAs(t, tokOwnerB, path+"/deliveries", &dl); resp.StatusCode != 200 || len(dl.Deliveries) != 1 || dl.Deliveries[0].AlertID != 4 {
		t.Errorf("deliveries: %d %+v", resp.StatusCode, dl)
	}
	// PUT without a secret keeps the old one.
	code, raw := h.do(t, tokOwnerB, "PUT", path, `{"name":"衡水老白干 日报","channel":"webhook","target":"https://hooks.example.cn/mw","mode":"daily","digest_time":"09:00"}`)
	if code != 200 {
		t.Fatalf("put: %d %s", code, raw)
	}
	if s, _ := h.store.subscription(b.ID); s.Secret != webhookSecret || s.Mode != domain.DeliverDaily || s.UserID != userOwnerB.ID {
		t.Errorf("stored after put: %+v", s)
	}
	if code, raw := h.do(t, tokOwnerB, "DELETE", path, ""); code != 204 || len(raw) != 0 {
		t.Errorf("delete: %d %q", code, raw)
	}
	if _, ok := h.store.subscription(b.ID); ok {
		t.Error("subscription still stored after delete")
	}
}

// TestSubscriptionMarksMustBeInScope: owner A cannot subscribe to B's
// mark, and the refusal reads the same as for a mark that does not exist.
func TestSubscriptionMarksMustBeInScope(t *testing.T) {
	h := newHarness(t, nil)
	body := func(mark string) string {
		return `{"name":"偷看","mark_ids":["` + mark + `"],"channel":"email","target":"a@example.cn","mode":"immediate"}`
	}
	code, other := h.do(t, tokOwnerA, "POST", "/api/v1/subscriptions", body("hengshui-laobaigan"))
	mcode, missing := h.do(t, tokOwnerA, "POST", "/api/v1/subscriptions", body("no-such-mark"))
	if code != 400 || mcode != 400 || string(bytes.ReplaceAll(other, []byte("hengshui-laobaigan"), []byte("X"))) != string(bytes.ReplaceAll(missing, []byte("no-such-mark"), []byte("X"))) {
		t.Errorf("B's mark: %d %s\nmissing: %d %s", code, other, mcode, missing)
	}
	if len(h.store.subs) != 0 {
		t.Errorf("stored %+v", h.store.subs)
	}
}

func TestSubscriptionValidatorIsApplied(t *testing.T) {
	var gotUser domain.User
	var gotScope domain.Scope
	h := newHarness(t, func(d *Deps) {
		d.ValidateSubscription = func(s domain.Subscription, u domain.User, sc domain.Scope) error {
			gotUser, gotScope = u, sc
			if s.Channel == domain.ChannelDingTalk && !strings.HasPrefix(s.Target, "https://oapi.dingtalk.com/") {
				return domain.Errorf(domain.EINVALID, "a DingTalk target is a robot URL on oapi.dingtalk.com")
			}
			return nil
		}
	})
	code, raw := h.do(t, tokOwnerA, "POST", "/api/v1/subscriptions", `{"name":"钉钉","channel":"dingtalk","target":"https://example.cn/robot","mode":"immediate"}`)
	if code != 400 || !strings.Contains(string(raw), "oapi.dingtalk.com") {
		t.Errorf("got %d %s", code, raw)
	}
	if gotUser.ID != userOwnerA.ID || !gotScope.Restricted {
		t.Errorf("validator got user %+v scope %+v", gotUser, gotScope)
	}
	if len(h.store.subs) != 0 {
		t.Errorf("stored %+v", h.store.subs)
	}
}

// TestSubscriptionOwnerCannotBeSmuggled: the owner of a new subscription
// is the principal, whatever the body says.
func TestSubscriptionOwnerCannotBeSmuggled(t *testing.T) {
	h := newHarness(t, nil)
	for _, body := range []string{
		`{"name":"x","user_id":5,"channel":"email","target":"a@example.cn","mode":"immediate"}`,
		`{"name":"x","id":1,"channel":"email","target":"a@example.cn","mode":"immediate"}`,
	} {
		if code, raw := h.do(t, tokOwnerA, "POST", "/api/v1/subscriptions", body); code != 400 || !strings.Contains(string(raw), "unknown field") {
			t.Errorf("%s: %d %s", body, code, raw)
		}
	}
	code, raw := h.do(t, tokOwnerA, "POST", "/api/v1/subscriptions", `{"name":"六个核桃 周报","mark_ids":["liugehetao"],"channel":"email","target":"a@example.cn","mode":"weekly","digest_time":"09:00","digest_weekday":1}`)
	if code != 201 || len(h.store.subs) != 1 || h.store.subs[0].UserID != userOwnerA.ID {
		t.Errorf("create: %d %s %+v", code, raw, h.store.subs)
	}
}
