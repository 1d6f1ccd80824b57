package web

import (
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// The secrets of the fake subscriptions; none may ever reach a page.
var secrets = []string{"SECdingtalk-A-secret", "whsec-B-secret"}

func subForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestSubscriptionList(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	resp, body := h.get(t, "/subscriptions")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		"六个核桃 每日摘要", "ipr@yangyuan.example.cn", "每日摘要 Daily digest", `<span class="state-enabled">启用 Enabled</span>`,
		"法务群机器人", `<span class="state-disabled">接收端持续失败，已停用</span>`, "HTTP 502",
		"https://oapi.dingtalk.com/…", `href="/subscriptions/2"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	// The robot's access token is for the edit form, not the list; B's
	// subscriptions are not A's business.
	for _, s := range append([]string{"tok-A-0001", "老白干 webhook", "hooks.laobaigan"}, secrets...) {
		if strings.Contains(body, s) {
			t.Errorf("list shows %q", s)
		}
	}
}

func TestSubscriptionSecretNeverRendered(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, edit := h.get(t, "/subscriptions/2")
	if !strings.Contains(edit, "已设置；留空则保留原密钥") || !strings.Contains(edit, `name="secret" autocomplete="off"`) {
		t.Errorf("edit form does not say a secret is set:\n%s", edit)
	}
	// A refused update shows the form again: still without the secret, old
	// or newly typed.
	_, refused := h.post(t, "/subscriptions/2", subForm("name", "法务群机器人", "channel", "dingtalk", "target", "https://evil.example/robot",
		"secret", "SECnew-typed-secret", "mode", "immediate", "enabled", "on"), nil)
	for name, body := range map[string]string{"edit": edit, "refused": refused} {
		for _, s := range append(secrets, "SECnew-typed-secret") {
			if strings.Contains(body, s) {
				t.Errorf("the %s page contains the secret %q", name, s)
			}
		}
	}
	// An update with the secret left empty keeps it.
	resp, _ := h.post(t, "/subscriptions/2", subForm("name", "法务群机器人", "channel", "dingtalk",
		"target", "https://oapi.dingtalk.com/robot/send?access_token=tok-A-0002", "mode", "immediate", "enabled", "on"), nil)
	if resp.StatusCode != 303 {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	if s := h.subs.get(2); s.Secret != "SECdingtalk-A-secret" || s.Disabled || s.DisabledReason != "" {
		t.Errorf("after the update: secret %q disabled %t %q; want the old secret, enabled again", s.Secret, s.Disabled, s.DisabledReason)
	}
}

func TestCreateSubscription(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		status int
		says   string
		want   *domain.Subscription
	}{
		{"daily digest of 六个核桃 by e-mail", subForm("name", "六个核桃 仿冒 日报", "marks", "liugehetao", "min_score", "0.8",
			"kinds", "trademark", "tactics", "sound", "tactics", "shape", "platforms", "taobao, jd", "events", "alert",
			"channel", "email", "target", "ipr@yangyuan.example.cn", "mode", "daily", "digest_time", "09:30", "enabled", "on"), 303, "",
			&domain.Subscription{UserID: 10, Name: "六个核桃 仿冒 日报", MarkIDs: []string{"liugehetao"}, MinScore: 0.8,
				Kinds: []domain.MarkKind{domain.KindTrademark}, Tactics: []string{"sound", "shape"}, Platforms: []string{"taobao", "jd"},
				Events: []string{"alert"}, Channel: domain.ChannelEmail, Target: "ipr@yangyuan.example.cn", Mode: domain.DeliverDaily, DigestTime: "09:30"}},
		{"weekly WeCom, Mondays", subForm("name", "周报", "channel", "wecom", "target", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
			"mode", "weekly", "digest_time", "08:00", "weekday", "1", "enabled", "on"), 303, "",
			&domain.Subscription{UserID: 10, Name: "周报", Channel: domain.ChannelWeCom, Target: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
				Mode: domain.DeliverWeekly, DigestTime: "08:00", DigestWeekday: 1}},
		{"another owner's mark", subForm("name", "偷看", "marks", "hengshui-laobaigan", "channel", "email", "target", "a@b.cn", "mode", "immediate"),
			400, "不在您的范围内", nil},
		{"a mark that does not exist", subForm("name", "x", "marks", "lulu", "channel", "email", "target", "a@b.cn", "mode", "immediate"),
			400, "不在您的范围内", nil},
		{"validator refuses", subForm("name", "钉钉", "channel", "dingtalk", "target", "https://evil.example/", "mode", "immediate"),
			400, "钉钉机器人地址须为", nil},
		{"no name", subForm("channel", "email", "target", "a@b.cn", "mode", "immediate"), 400, "名称必填", nil},
		{"score out of range", subForm("name", "x", "min_score", "2", "channel", "email", "target", "a@b.cn", "mode", "immediate"), 400, "0 到 1", nil},
		{"bad digest time", subForm("name", "x", "channel", "email", "target", "a@b.cn", "mode", "daily", "digest_time", "25:00"), 400, "HH:MM", nil},
		{"bad weekday", subForm("name", "x", "channel", "email", "target", "a@b.cn", "mode", "weekly", "digest_time", "08:00", "weekday", "7"), 400, "weekday", nil},
		{"unknown channel", subForm("name", "x", "channel", "sms", "target", "a@b.cn", "mode", "immediate"), 400, "渠道", nil},
		{"hostile name is escaped", subForm("name", "<script>alert(1)</script>", "channel", "email", "target", "not-an-address", "mode", "immediate"),
			400, "&lt;script&gt;alert(1)&lt;/script&gt;", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.signIn(ownerA)
			before, writes := h.subs.snapshot()
			resp, body := h.post(t, "/subscriptions", tt.form, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", resp.StatusCode, tt.status, tt.says, body)
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("a hostile name reached the page unescaped")
			}
			after, w := h.subs.snapshot()
			if tt.want == nil {
				if w != writes || !maps.EqualFunc(before, after, func(a, b domain.Subscription) bool { return reflect.DeepEqual(a, b) }) {
					t.Error("a refused subscription was stored")
				}
				return
			}
			got := after[4]
			got.ID = 0
			if !reflect.DeepEqual(got, *tt.want) {
				t.Errorf("stored\n%+v\nwant\n%+v", got, *tt.want)
			}
		})
	}
}

func TestSubscriptionFormOffersOnlyScopeMarks(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	_, body := h.get(t, "/subscriptions/new")
	if !strings.Contains(body, `name="marks" value="liugehetao"`) {
		t.Error("A's own mark is not offered")
	}
	for _, s := range []string{"hengshui-laobaigan", "zhaoxian-xueli", "衡水老白干"} {
		if strings.Contains(body, s) {
			t.Errorf("the form offers %q to owner A", s)
		}
	}
	for _, want := range []string{"商标", "中华老字号", "地理标志", "新告警", "状态变更", "即时", "每日摘要", "每周摘要", "钉钉", "企业微信"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
}

// Another user's subscription is 404 for every verb, and nothing changes.
func TestOtherUsersSubscriptionIsNotFound(t *testing.T) {
	h := newHarness(t, nil)
	missingResp, missing := func() (int, string) {
		h.signIn(ownerA)
		resp, body := h.get(t, "/subscriptions/999")
		return resp.StatusCode, body
	}()
	if missingResp != 404 {
		t.Fatalf("missing subscription: %d", missingResp)
	}
	for _, who := range []string{"ownerA", "admin"} {
		p := ownerA
		if who == "admin" {
			p = admin // admins manage users, not others' receivers
		}
		h.signIn(p)
		before, writes := h.subs.snapshot()
		update := subForm("name", "hijacked", "channel", "webhook", "target", "https://evil.example/hook", "mode", "immediate", "enabled", "on")
		for _, req := range []struct{ method, path string }{
			{"GET", "/subscriptions/3"}, {"POST", "/subscriptions/3"}, {"POST", "/subscriptions/3/delete"},
			{"GET", "/subscriptions/0"}, {"GET", "/subscriptions/-1"}, {"POST", "/subscriptions/abc/delete"},
		} {
			status, body := 0, ""
			if req.method == "GET" {
				resp, b := h.get(t, req.path)
				status, body = resp.StatusCode, b
			} else {
				resp, b := h.post(t, req.path, update, nil)
				status, body = resp.StatusCode, b
			}
			if status != 404 {
				t.Errorf("%s %s %s: %d, want 404", who, req.method, req.path, status)
			}
			if strings.Contains(body, "老白干 webhook") || strings.Contains(body, "hooks.laobaigan") || strings.Contains(body, "whsec-B-secret") {
				t.Errorf("%s %s %s shows B's subscription", who, req.method, req.path)
			}
			if who == "ownerA" && body != missing {
				t.Errorf("%s %s %s differs from a missing subscription's page", who, req.method, req.path)
			}
		}
		after, w := h.subs.snapshot()
		if w != writes || !reflect.DeepEqual(before, after) {
			t.Errorf("%s changed B's subscription", who)
		}
	}
}

func TestDeleteOwnSubscription(t *testing.T) {
	h := newHarness(t, nil)
	h.signIn(ownerA)
	resp, _ := h.post(t, "/subscriptions/1/delete", nil, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/subscriptions" {
		t.Fatalf("delete: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if all, _ := h.subs.snapshot(); len(all) != 2 || all[1].ID != 0 {
		t.Errorf("subscription 1 still stored: %+v", all[1])
	}
}

func TestSubscriptionHistory(t *testing.T) {
	h := newHarness(t, nil)
	h.notes.rows = map[int64][]domain.Notification{1: {
		{ID: 5, SubscriptionID: 1, Event: domain.EventAlert, AlertID: 1, MarkID: "liugehetao", State: domain.NotifySent,
			CreatedAt: day1, DueAt: day2, SentAt: &day2, Attempts: 1},
		{ID: 6, SubscriptionID: 1, Event: domain.EventStatus, AlertID: 1, MarkID: "liugehetao", State: domain.NotifyPending,
			CreatedAt: day2, DueAt: day2, Attempts: 2, LastError: `smtp: 550 <b>mailbox</b> unavailable`},
	}}
	h.signIn(ownerA)
	_, body := h.get(t, "/subscriptions/1")
	for _, want := range []string{"投递记录", "已发送 Sent", "待发送 Pending", "新告警", "状态变更", `href="/alerts/1"`,
		"smtp: 550 &lt;b&gt;mailbox&lt;/b&gt; unavailable", "2026-11-25 10:30:00 &#43;08:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
}
