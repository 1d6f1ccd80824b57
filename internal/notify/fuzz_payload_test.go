package notify

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// FuzzDeliveryJSON: whatever a listing, a reviewer's note or a degraded
// run's reasons hold, the webhook body is one JSON value that decodes back
// to the same alerts and events (each alert once, an event per item), the
// signature over it verifies, and the robots' bodies are JSON carrying the
// markdown unchanged.
func FuzzDeliveryJSON(f *testing.F) {
	f.Add("六个核桃 高仿 核桃乳 240ml*20罐", "鑫旺食品专营店", "河北 衡水", "已移交临沂市场监管局", "选择器 .p-name 未匹配", uint8(5))
	f.Add("\"},{\"alert_id\":9", "\\u0000", "</script>", "\r\n", "\xff\xfe", uint8(1))
	f.Add("", "", "", "", "", uint8(0))
	f.Add("衡水老白干\u2028\u2029", "\x00", "\t", "\U0001F600", "{}", uint8(255))
	f.Fuzz(func(t *testing.T, title, seller, location, note, reason string, n uint8) {
		items := make([]Item, 1+int(n)%12)
		for i := range items {
			// Every third item is another event of the alert before it.
			a := domain.Alert{ID: int64(1 + i - i%3/2), MarkID: "liugehetao", Title: title, Seller: seller, Location: location, URL: "https://item.example.cn/" + strconv.Itoa(i), Score: 0.9}
			switch i % 4 {
			case 0:
				items[i] = Item{Event: domain.EventAlert, Alert: a, MarkName: title}
			case 1, 2:
				items[i] = Item{Event: domain.EventStatus, Alert: a, Status: domain.AlertConfirmed, Previous: domain.AlertOpen, Actor: seller, Note: note}
			case 3:
				items[i] = Item{Event: domain.EventDegraded, SourceID: "demo", Reasons: []string{reason, note}}
			}
		}
		msg := Message{Key: "k-" + note, Subscription: domain.Subscription{ID: 7, Name: title}, Items: items, Digest: len(items) > 1, BaseURL: "https://mw.example.cn", Subject: title}
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
		body, err := deliveryJSON(msg, now)
		if err != nil {
			t.Fatalf("building the payload: %v", err)
		}
		var p DeliveryPayload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("payload is not JSON: %v\n%s", err, body)
		}
		if len(p.Events) != len(items) {
			t.Fatalf("%d events for %d items", len(p.Events), len(items))
		}
		ids := map[int64]bool{}
		for _, a := range p.Alerts {
			if ids[a.ID] {
				t.Fatalf("alert %d sent twice", a.ID)
			}
			ids[a.ID] = true
		}
		for i, it := range items {
			if it.Event != domain.EventDegraded && !ids[it.Alert.ID] {
				t.Fatalf("item %d's alert %d is not among the alerts", i, it.Alert.ID)
			}
		}
		// Each checked alone: two invalid halves can make a valid whole.
		if allValid(title, seller, location, note, reason) {
			if a := p.Alerts[0]; a.Title != title || a.Seller != seller || a.Location != location {
				t.Fatalf("alert changed on the way: %+v", a.Alert)
			}
			if e := p.Events[1%len(p.Events)]; len(items) > 1 && e.Note != note {
				t.Fatalf("note %q came back as %q", note, e.Note)
			}
			if len(items) > 3 && (len(p.Events[3].Reasons) != 2 || p.Events[3].Reasons[0] != reason) {
				t.Fatalf("reasons came back as %q", p.Events[3].Reasons)
			}
		}
		ts := strconv.FormatInt(now.Unix(), 10)
		h := http.Header{TimestampHeader: {ts}, SignatureHeader: {sign(note, ts, body)}}
		if err := Verify(note, h, body, now, time.Minute); err != nil {
			t.Fatalf("own signature does not verify: %v", err)
		}
		_, text := messageMarkdown(msg)
		for name, build := range map[string]func() ([]byte, error){
			"dingtalk": func() ([]byte, error) { return dingTalkMarkdown(title, text) },
			"wecom":    func() ([]byte, error) { return weComMarkdown(text) },
		} {
			raw, err := build()
			if err != nil {
				t.Fatalf("%s body: %v", name, err)
			}
			var robot struct {
				MsgType  string            `json:"msgtype"`
				Markdown map[string]string `json:"markdown"`
			}
			if err := json.Unmarshal(raw, &robot); err != nil || robot.MsgType != "markdown" {
				t.Fatalf("%s body is not a markdown message: %v\n%s", name, err, raw)
			}
			if got := robot.Markdown["text"] + robot.Markdown["content"]; utf8.ValidString(text) && got != text {
				t.Fatalf("%s markdown changed on the way", name)
			}
		}
	})
}

func allValid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
