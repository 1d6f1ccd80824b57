package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestMessageMarkdown(t *testing.T) {
	items := []Item{
		{Event: domain.EventAlert, Alert: domain.Alert{ID: 1, MarkID: "liugehetao", Title: "六个核桃 [高仿]\n- 核桃乳", Score: 0.9}, MarkName: "六个核桃"},
		{Event: domain.EventStatus, Alert: domain.Alert{ID: 2, MarkID: "liugehetao", Title: "六个核桃 礼盒"}, MarkName: "六个核桃",
			Status: domain.AlertConfirmed, Previous: domain.AlertOpen, Actor: "王监管", Note: "已移交\n市场监管局"},
		{Event: domain.EventAlert, Alert: domain.Alert{ID: 3, MarkID: "unknown-mark", Title: "某某 饮料"}},
	}
	m := NewMessage("k", domain.Subscription{}, domain.User{}, items, true, testBase, "")
	title, text := messageMarkdown(m)
	if title != strings.TrimPrefix(m.Subject, subjectPrefix) || !strings.Contains(title, "疑似侵权") {
		t.Errorf("title = %q; want the subject without its prefix, with the DingTalk keyword", title)
	}
	want := "### " + title + "\n" +
		"\n**六个核桃**\n\n" +
		"- [新告警 · 六个核桃 ［高仿］ - 核桃乳](" + testBase + "/alerts/1)\n" +
		"- [王监管 确认了告警（待处理 → 已确认）· 六个核桃 礼盒](" + testBase + "/alerts/2)\n" +
		"  备注：已移交 市场监管局\n" +
		"\n**unknown-mark**\n\n" +
		"- [新告警 · 某某 饮料](" + testBase + "/alerts/3)"
	if text != want {
		t.Errorf("text =\n%s\nwant\n%s", text, want)
	}
}

// A digest too long for one chat message lists what fits and counts the rest.
func TestMessageMarkdownCountsTheRest(t *testing.T) {
	items := make([]Item, 200)
	for i := range items {
		items[i] = alertItem(testAlert(int64(i+1), "liugehetao", "六个核桃 高仿 核桃乳 整箱 批发 "+strconv.Itoa(i), 0.8))
	}
	_, text := messageMarkdown(NewMessage("k", domain.Subscription{}, domain.User{}, items, true, testBase, ""))
	if len(text) > chatBudget {
		t.Errorf("message is %d bytes, budget %d", len(text), chatBudget)
	}
	listed := strings.Count(text, "\n- ")
	if listed == 0 || !strings.HasSuffix(text, "…另有 "+strconv.Itoa(200-listed)+" 条，请在控制台查看") {
		t.Errorf("%d listed; text ends %q", listed, text[max(0, len(text)-80):])
	}
}

func TestChatReply(t *testing.T) {
	tests := []struct {
		body      string
		wantRetry bool
		wantCode  int // 0: delivered
	}{
		{`{"errcode":0,"errmsg":"ok"}`, false, 0},
		{`{"errcode":310000,"errmsg":"sign not match"}`, false, 310000},
		{`{"errcode":300001,"errmsg":"token is not exist"}`, false, 300001},
		{`{"errcode":130101,"errmsg":"send too fast"}`, true, 130101},
		{`{"errcode":45009,"errmsg":"api freq out of limit"}`, true, 45009},
		{`{"errcode":-1,"errmsg":"system busy"}`, true, -1},
		{`ok`, false, 0},
		{`{}`, false, 0},
	}
	for _, tt := range tests {
		retry, err := chatReply([]byte(tt.body))
		var cerr *ChatError
		switch {
		case tt.wantCode == 0 && err != nil:
			t.Errorf("chatReply(%s) = %v, want delivered", tt.body, err)
		case tt.wantCode != 0 && (!errors.As(err, &cerr) || cerr.Code != tt.wantCode):
			t.Errorf("chatReply(%s) = %v, want errcode %d", tt.body, err, tt.wantCode)
		}
		if retry != tt.wantRetry {
			t.Errorf("chatReply(%s) retry = %v, want %v", tt.body, retry, tt.wantRetry)
		}
	}
}

// A DingTalk robot gets a markdown message and the 加签 query parameters,
// checked here the way DingTalk documents them rather than with our code.
func TestDingTalkRequest(t *testing.T) {
	const secret = "SECdingtalk0123456789"
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	reply := `{"errcode":0,"errmsg":"ok"}`
	rv := newEndpoint(t, func(_ int, _ *http.Request, w http.ResponseWriter) { _, _ = io.WriteString(w, reply) })
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelDingTalk, Target: rv.srv.URL + "/robot/send?access_token=" + testToken, Secret: secret}
	msg := NewMessage("mw-alert-1-s5", sub, domain.User{}, testItems()[:1], false, testBase, "")
	sender := NewHTTPSender(HTTPOptions{Now: func() time.Time { return now }})
	if _, err := sender.Send(context.Background(), sub, msg); err != nil {
		t.Fatal(err)
	}
	p := rv.posts()[0]
	query, err := url.ParseQuery(p.Query)
	if err != nil {
		t.Fatal(err)
	}
	ts := query.Get("timestamp")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	if ts != strconv.FormatInt(now.UnixMilli(), 10) || query.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("timestamp %q sign %q do not verify", ts, query.Get("sign"))
	}
	if query.Get("access_token") != testToken {
		t.Errorf("access_token lost: %v", query)
	}
	var body struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Title, Text string }
	}
	if err := json.Unmarshal(p.Body, &body); err != nil {
		t.Fatal(err)
	}
	if title := body.Markdown.Title; body.MsgType != "markdown" || !strings.Contains(title, "疑似侵权") ||
		!strings.Contains(body.Markdown.Text, "### "+title) || !strings.Contains(body.Markdown.Text, "六个核桄 核桃乳") {
		t.Errorf("body = %+v", body)
	}
	if p.Header.Get(SignatureHeader) != "" || p.Header.Get(TimestampHeader) != "" {
		t.Error("a robot needs no markwatch signature headers")
	}

	reply = `{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}`
	retry, err := sender.Send(context.Background(), sub, msg)
	var cerr *ChatError
	if retry || !errors.As(err, &cerr) || cerr.Code != 310000 {
		t.Errorf("refused by the robot: Send = %v, %v; want a permanent ChatError", retry, err)
	}
}

func TestWeComRequest(t *testing.T) {
	rv := newEndpoint(t, status(200, `{"errcode":45009,"errmsg":"api freq out of limit"}`))
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelWeCom, Target: rv.srv.URL + "/cgi-bin/webhook/send?key=" + testToken}
	msg := NewMessage("mw-alert-1-s5", sub, domain.User{}, testItems()[:1], false, testBase, "")
	retry, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, msg)
	if !retry || err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("rate limited: Send = %v, %v; want retryable, without the key", retry, err)
	}
	var body struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Content string }
	}
	if err := json.Unmarshal(rv.posts()[0].Body, &body); err != nil || body.MsgType != "markdown" || !strings.HasPrefix(body.Markdown.Content, "### ") {
		t.Errorf("body = %+v (%v)", body, err)
	}
}
