package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func degradedItem() Item {
	return Item{Event: domain.EventDegraded, SourceID: "taobao",
		Reasons: []string{`item selector "li.result-item" matched nothing`, "listings per page fell from 40 to 2"}}
}

func TestDegradedMessage(t *testing.T) {
	sub := domain.Subscription{ID: 9, Name: "来源健康", Channel: domain.ChannelEmail, Target: "ops@example.cn"}
	m := NewMessage("mw-degraded-77-s9", sub, domain.User{ID: 6, Name: "op", Role: domain.RoleOperator},
		[]Item{degradedItem()}, false, testBase+"/", "")
	if m.Subject != "【markwatch】来源 taobao 选择器失效" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, body := range []string{m.Text, m.HTML} {
		for _, want := range []string{"taobao", "li.result-item", "listings per page fell from 40 to 2", testBase + "/sources"} {
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, `"`, "&#34;")) {
				t.Errorf("body lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "/alerts/") {
			t.Errorf("degraded body links to an alert:\n%s", body)
		}
	}
	title, md := messageMarkdown(m)
	if !strings.Contains(title, "taobao") || !strings.Contains(md, testBase+"/sources") || !strings.Contains(md, "li.result-item") {
		t.Errorf("markdown = %q, %q", title, md)
	}
	body, err := deliveryJSON(m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var p DeliveryPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Alerts) != 0 || len(p.Events) != 1 || p.Events[0].Event != domain.EventDegraded || p.Events[0].SourceID != "taobao" ||
		len(p.Events[0].Reasons) != 2 || p.Events[0].ConsoleURL != testBase+"/sources" || p.Events[0].AlertID != 0 {
		t.Errorf("payload = %s", body)
	}

	// In a digest beside alerts the subject names both.
	a := testAlert(1, "liugehetao", "六个核桄 核桃乳", 0.8)
	d := NewMessage("k", sub, domain.User{}, []Item{{Event: domain.EventAlert, Alert: a, MarkName: "六个核桃"}, degradedItem()}, true, testBase, "")
	if !strings.Contains(d.Subject, "疑似侵权") || !strings.Contains(d.Subject, "来源 taobao 选择器失效") || !strings.Contains(d.Text, "/alerts/1") {
		t.Errorf("mixed digest subject %q text %s", d.Subject, d.Text)
	}
}

// TestDeliverDegradedThroughWebhook delivers a degraded row to an httptest
// receiver: no alert is loaded, and the body names the source and reasons.
func TestDeliverDegradedThroughWebhook(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 8, 0, 0))
	op := domain.User{ID: 60, Name: "op", Role: domain.RoleOperator}
	w.store.users[op.ID] = op
	rv := newEndpoint(t, func(_ int, _ *http.Request, wr http.ResponseWriter) { wr.WriteHeader(http.StatusNoContent) })
	w.subscribe(domain.Subscription{ID: 1, UserID: op.ID, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/hook",
		Secret: "whsec", Mode: domain.DeliverImmediate, Events: []string{domain.EventDegraded}})
	w.store.insert(w.router.Route(domain.AlertEvent{Kind: domain.EventDegraded, SourceID: "taobao", RunID: 77,
		Reasons: degradedItem().Reasons, At: w.clock.Now()}, w.store.subscribers())...)
	// The store holds no alert: a lookup would find none and fail the row.
	if n, err := w.deliverer(httpSenders(), nil).DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("DeliverDue = %d, %v; want the degraded row sent", n, err)
	}
	posts := rv.posts()
	if len(posts) != 1 {
		t.Fatalf("receiver got %d posts", len(posts))
	}
	var p DeliveryPayload
	if err := json.Unmarshal(posts[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.IdempotencyKey != "mw-degraded-77-s1" || posts[0].Header.Get(IdempotencyHeader) != p.IdempotencyKey ||
		p.Subject != "【markwatch】来源 taobao 选择器失效" || len(p.Events) != 1 || p.Events[0].SourceID != "taobao" ||
		p.Events[0].ConsoleURL != testBase+"/sources" {
		t.Errorf("posted %s", posts[0].Body)
	}
	if rows := w.store.snapshot(); len(rows) != 1 || rows[0].State != domain.NotifySent {
		t.Errorf("rows = %+v", rows)
	}
}
