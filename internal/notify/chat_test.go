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
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestResolveFormat(t *testing.T) {
	tests := []struct {
		format Format
		url    string
		want   Format
		err    bool
	}{
		{"", "https://oapi.dingtalk.com/robot/send?access_token=x", FormatDingTalk, false},
		{"", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", FormatWeCom, false},
		{"", "https://hooks.example.test/markwatch", FormatMarkwatch, false},
		{FormatMarkwatch, "https://oapi.dingtalk.com/robot/send", FormatMarkwatch, false}, // said so
		{FormatWeCom, "http://127.0.0.1:9000/proxy", FormatWeCom, false},
		{"slack", "https://hooks.example.test/", "", true},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		got, err := resolveFormat(tt.format, u)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("resolveFormat(%q, %s) = %q, %v; want %q, error %v", tt.format, u.Host, got, err, tt.want, tt.err)
		}
	}
}

func TestChatMarkdown(t *testing.T) {
	names := func(string) string { return "六个核桃" }
	title, text := chatMarkdown([]domain.Alert{
		{MarkID: "liugehetao", Title: "六个核桃 [高仿] 核桃乳", Seller: "小店", Location: "河北 衡水", URL: "http://m.test/item?id=1&x=(a)"},
		{MarkID: "liugehetao", Title: "六个核桃 礼盒"},
	}, names)
	if title != "疑似侵权 2 条" {
		t.Errorf("title = %q", title)
	}
	want := "### 疑似侵权 2 条\n\n" +
		"- [疑似侵权: 六个核桃 — 六个核桃 ［高仿］ 核桃乳 (小店, 河北 衡水)](http://m.test/item?id=1&x=%28a%29)\n" +
		"- 疑似侵权: 六个核桃 — 六个核桃 礼盒"
	if text != want {
		t.Errorf("text =\n%s\nwant\n%s", text, want)
	}
}

// A batch too long for one chat message lists what fits and counts the rest.
func TestChatMarkdownStaysWithinBudget(t *testing.T) {
	alerts := make([]domain.Alert, 200)
	for i := range alerts {
		alerts[i] = domain.Alert{MarkID: "liugehetao", Title: "六个核桃 高仿 核桃乳 整箱 批发 " + strconv.Itoa(i), Seller: "某某食品专营店", Location: "河北 衡水", URL: "https://item.example.test/detail?id=" + strconv.Itoa(i)}
	}
	_, text := chatMarkdown(alerts, nil)
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
	type seen struct {
		query url.Values
		body  map[string]map[string]string
		hdr   http.Header
	}
	got := make(chan seen, 1)
	reply := `{"errcode":0,"errmsg":"ok"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]map[string]string
		_ = json.Unmarshal(raw, &body)
		got <- seen{query: r.URL.Query(), body: body, hdr: r.Header}
		_, _ = io.WriteString(w, reply)
	}))
	defer srv.Close()
	w, err := NewWebhook(WebhookOptions{URL: srv.URL + "/robot/send?access_token=" + testToken, Secret: secret, Format: FormatDingTalk, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Notify(context.Background(), alertsWithIDs(1)); err != nil {
		t.Fatal(err)
	}
	s := <-got
	ts := s.query.Get("timestamp")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	if ts != strconv.FormatInt(now.UnixMilli(), 10) || s.query.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Errorf("timestamp %q sign %q do not verify", ts, s.query.Get("sign"))
	}
	if s.query.Get("access_token") != testToken {
		t.Errorf("access_token lost: %v", s.query)
	}
	if s.body["markdown"]["title"] != "疑似侵权 1 条" || !strings.Contains(s.body["markdown"]["text"], "疑似侵权: liugehetao — 六个核桃 高仿 核桃乳") {
		t.Errorf("body = %v", s.body)
	}
	if s.hdr.Get(SignatureHeader) != "" {
		t.Error("a robot needs no markwatch signature header")
	}

	reply = `{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}`
	retry, err := w.Notify(context.Background(), alertsWithIDs(2))
	<-got
	var cerr *ChatError
	if retry || !errors.As(err, &cerr) || cerr.Code != 310000 {
		t.Errorf("refused by the robot: Notify = %v, %v; want a permanent ChatError", retry, err)
	}
}

func TestWeComRequest(t *testing.T) {
	got := make(chan map[string]map[string]string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- body
		_, _ = io.WriteString(w, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
	}))
	defer srv.Close()
	w, err := NewWebhook(WebhookOptions{URL: srv.URL + "/cgi-bin/webhook/send?key=" + testToken, Format: FormatWeCom})
	if err != nil {
		t.Fatal(err)
	}
	retry, err := w.Notify(context.Background(), alertsWithIDs(1))
	if !retry || err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("rate limited: Notify = %v, %v; want retryable, without the key", retry, err)
	}
	if body := <-got; !strings.HasPrefix(body["markdown"]["content"], "### 疑似侵权 1 条") {
		t.Errorf("body = %v", body)
	}
}
