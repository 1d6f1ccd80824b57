package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		mark string
		a    domain.Alert
		want string
	}{
		{"seller and location", "六个核桃", domain.Alert{Title: "六个核桃 高仿 核桃乳 240ml", Seller: "衡水特产店", Location: "河北 衡水"},
			"疑似侵权: 六个核桃 — 六个核桃 高仿 核桃乳 240ml (衡水特产店, 河北 衡水)"},
		{"no location", "今麦郎", domain.Alert{Title: "今麦朗 方便面 整箱", Seller: "郎郎食品"},
			"疑似侵权: 今麦郎 — 今麦朗 方便面 整箱 (郎郎食品)"},
		{"no seller", "沧州金丝小枣", domain.Alert{Title: "金丝小枣 沧州特产", Location: "山东 乐陵"},
			"疑似侵权: 沧州金丝小枣 — 金丝小枣 沧州特产 (山东 乐陵)"},
		{"neither", "老白干", domain.Alert{Title: "老白幹 白酒", Seller: "  "},
			"疑似侵权: 老白干 — 老白幹 白酒"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(tt.mark, tt.a); got != tt.want {
				t.Errorf("summary = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

// The webhook body has each alert once, with its mark's name (or id when
// unknown) and summary, an event per item, and sent_at in UTC.
func TestDeliveryJSON(t *testing.T) {
	sent := time.Date(2026, 11, 25, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	a := domain.Alert{ID: 7, MarkID: "liugehetao", Title: "六个核桃 高仿", Seller: "小店", Location: "河北 衡水", Score: 0.93}
	items := []Item{
		{Event: domain.EventAlert, Alert: a, MarkName: "六个核桃"},
		{Event: domain.EventStatus, Alert: a, MarkName: "六个核桃", Status: domain.AlertConfirmed, Previous: domain.AlertOpen, Actor: "王监管", Note: "已移交"},
		{Event: domain.EventAlert, Alert: domain.Alert{ID: 8, MarkID: "unknown-mark", Title: "某某 饮料"}},
	}
	msg := NewMessage("mw-digest-s3-1", domain.Subscription{ID: 3}, domain.User{}, items, true, testBase, "")
	body, err := deliveryJSON(msg, sent)
	if err != nil {
		t.Fatal(err)
	}
	var p DeliveryPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, body)
	}
	if !p.SentAt.Equal(sent) || p.SentAt.Location() != time.UTC {
		t.Errorf("sent_at = %v, want %v in UTC", p.SentAt, sent)
	}
	if p.IdempotencyKey != msg.Key || p.SubscriptionID != 3 || !p.Digest || p.Subject != msg.Subject {
		t.Errorf("envelope = %+v", p)
	}
	if len(p.Alerts) != 2 || len(p.Events) != 3 {
		t.Fatalf("%d alerts and %d events, want 2 and 3", len(p.Alerts), len(p.Events))
	}
	if a := p.Alerts[0]; a.ID != 7 || a.MarkID != "liugehetao" || a.MarkName != "六个核桃" || a.Score != 0.93 ||
		a.Summary != "疑似侵权: 六个核桃 — 六个核桃 高仿 (小店, 河北 衡水)" {
		t.Errorf("first alert = %+v", a)
	}
	if a := p.Alerts[1]; a.MarkName != "unknown-mark" || a.Summary != "疑似侵权: unknown-mark — 某某 饮料" {
		t.Errorf("an unknown mark should show its id: %+v", a)
	}
	if e := p.Events[1]; e.Event != domain.EventStatus || e.AlertID != 7 || e.Status != domain.AlertConfirmed ||
		e.Previous != domain.AlertOpen || e.Actor != "王监管" || e.Note != "已移交" || e.ConsoleURL != testBase+"/alerts/7" {
		t.Errorf("status event = %+v", e)
	}
	// An empty message still sends lists, not nulls.
	empty, err := deliveryJSON(Message{Key: "k"}, sent)
	if err != nil || !strings.Contains(string(empty), `"alerts":[]`) || !strings.Contains(string(empty), `"events":[]`) {
		t.Errorf("empty message = %s (%v)", empty, err)
	}
}
