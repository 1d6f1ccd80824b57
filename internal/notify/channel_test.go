package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// endpoint is a real HTTP receiver that records what it is sent and
// answers with reply (default 200 {}).
type endpoint struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []receivedPost
	reply func(n int, r *http.Request, w http.ResponseWriter) // n counts from 1
}

type receivedPost struct {
	Header http.Header
	Query  string
	Body   []byte
}

func newEndpoint(t testing.TB, reply func(n int, r *http.Request, w http.ResponseWriter)) *endpoint {
	t.Helper()
	rv := &endpoint{reply: reply}
	rv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		rv.got = append(rv.got, receivedPost{Header: r.Header.Clone(), Query: r.URL.RawQuery, Body: body})
		n := len(rv.got)
		rv.mu.Unlock()
		if rv.reply != nil {
			rv.reply(n, r, w)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(rv.srv.Close)
	return rv
}

func (rv *endpoint) posts() []receivedPost {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]receivedPost(nil), rv.got...)
}

func status(code int, body string) func(int, *http.Request, http.ResponseWriter) {
	return func(_ int, _ *http.Request, w http.ResponseWriter) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func testItems() []Item {
	return []Item{
		alertItem(testAlert(1, "liugehetao", "六个核桄 核桃乳 240ml*20罐", 0.83)),
		{Event: domain.EventStatus, Alert: testAlert(2, "liugehetao", "6个核桃 礼盒", 0.9), MarkName: "六个核桃",
			Status: domain.AlertConfirmed, Previous: domain.AlertOpen, Actor: "王监管", Note: "已移交"},
	}
}

func TestHTTPSenderWebhook(t *testing.T) {
	rv := newEndpoint(t, nil)
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/hook?token=" + testToken, Secret: testSecret}
	msg := NewMessage("mw-digest-s5-1796086800", sub, domain.User{}, testItems(), true, testBase, "")
	now := time.Now()
	retry, err := NewHTTPSender(HTTPOptions{Now: func() time.Time { return now }}).Send(context.Background(), sub, msg)
	if err != nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	p := rv.posts()[0]
	if err := Verify(testSecret, p.Header, p.Body, now, time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
	if k := p.Header.Get(IdempotencyHeader); k != msg.Key {
		t.Errorf("Idempotency-Key %q, want %q", k, msg.Key)
	}
	var body DeliveryPayload
	if err := json.Unmarshal(p.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.IdempotencyKey != msg.Key || !body.Digest || body.SubscriptionID != 5 || len(body.Alerts) != 2 || len(body.Events) != 2 {
		t.Fatalf("payload = %+v", body)
	}
	if e := body.Events[1]; e.Actor != "王监管" || e.Status != domain.AlertConfirmed || e.ConsoleURL != testBase+"/alerts/2" || e.MarkName != "六个核桃" {
		t.Errorf("status event = %+v", e)
	}
}

func TestHTTPSenderRobots(t *testing.T) {
	rv := newEndpoint(t, func(n int, r *http.Request, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	for _, ch := range []domain.Channel{domain.ChannelDingTalk, domain.ChannelWeCom} {
		sub := domain.Subscription{ID: 5, Channel: ch, Target: rv.srv.URL + "/robot/send?access_token=" + testToken, Secret: testSecret}
		msg := NewMessage("mw-alert-1-s5", sub, domain.User{}, testItems()[:1], false, testBase, "")
		if retry, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, msg); err != nil || retry {
			t.Fatalf("%s: Send = %v, %v", ch, retry, err)
		}
	}
	posts := rv.posts()
	var ding struct {
		Markdown struct{ Title, Text string }
	}
	var wecom struct {
		Markdown struct{ Content string }
	}
	if err := json.Unmarshal(posts[0].Body, &ding); err != nil || !strings.Contains(ding.Markdown.Title, "疑似侵权") ||
		!strings.Contains(ding.Markdown.Text, "]("+testBase+"/alerts/1)") {
		t.Errorf("DingTalk body %s (%v)", posts[0].Body, err)
	}
	if !strings.Contains(posts[0].Query, "sign=") || !strings.Contains(posts[0].Query, "timestamp=") {
		t.Errorf("DingTalk query %q lacks 加签", posts[0].Query)
	}
	if err := json.Unmarshal(posts[1].Body, &wecom); err != nil || !strings.Contains(wecom.Markdown.Content, "六个核桄") {
		t.Errorf("WeCom body %s (%v)", posts[1].Body, err)
	}
	for _, p := range posts {
		if p.Header.Get(IdempotencyHeader) != "mw-alert-1-s5" {
			t.Errorf("Idempotency-Key %q", p.Header.Get(IdempotencyHeader))
		}
	}
}

func TestHTTPSenderFailures(t *testing.T) {
	tests := []struct {
		name      string
		channel   domain.Channel
		reply     func(int, *http.Request, http.ResponseWriter)
		wantRetry bool
	}{
		{"503", domain.ChannelWebhook, status(503, "维护中"), true},
		{"429", domain.ChannelWebhook, status(429, ""), true},
		{"400", domain.ChannelWebhook, status(400, "bad"), false},
		{"302 not followed", domain.ChannelWebhook, func(_ int, _ *http.Request, w http.ResponseWriter) {
			w.Header().Set("Location", "https://elsewhere.example/")
			w.WriteHeader(302)
		}, false},
		{"DingTalk too fast", domain.ChannelDingTalk, status(200, `{"errcode":130101,"errmsg":"send too fast"}`), true},
		{"DingTalk keyword", domain.ChannelDingTalk, status(200, `{"errcode":310000,"errmsg":"keywords not in content"}`), false},
		{"WeCom busy", domain.ChannelWeCom, status(200, `{"errcode":-1,"errmsg":"system busy"}`), true},
		{"WeCom bad key", domain.ChannelWeCom, status(200, `{"errcode":93000,"errmsg":"invalid webhook url"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := newEndpoint(t, tt.reply)
			sub := domain.Subscription{ID: 5, Channel: tt.channel, Target: rv.srv.URL + "/send?key=" + testToken}
			retry, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, NewMessage("k", sub, domain.User{}, testItems(), false, testBase, ""))
			if err == nil || retry != tt.wantRetry {
				t.Fatalf("Send = %v, %v; want retry %v and an error", retry, err, tt.wantRetry)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "/send") {
				t.Errorf("error %q shows the URL's path or token", err)
			}
		})
	}
	// A dead endpoint: retry, and the token stays out of the error.
	rv := newEndpoint(t, nil)
	rv.srv.Close()
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/send?key=" + testToken}
	retry, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, NewMessage("k", sub, domain.User{}, testItems(), false, testBase, ""))
	if err == nil || !retry || strings.Contains(err.Error(), testToken) {
		t.Errorf("dead endpoint: Send = %v, %v", retry, err)
	}
}

// Without a secret the webhook channel still carries the timestamp header,
// unsigned.
func TestHTTPSenderUnsignedWithoutSecret(t *testing.T) {
	rv := newEndpoint(t, nil)
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelWebhook, Target: rv.srv.URL}
	if _, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, NewMessage("k", sub, domain.User{}, testItems(), false, testBase, "")); err != nil {
		t.Fatal(err)
	}
	if h := rv.posts()[0].Header; h.Get(SignatureHeader) != "" || h.Get(TimestampHeader) == "" {
		t.Errorf("headers = %v; want a timestamp and no signature", h)
	}
}

// A receiver that does not answer within the timeout is worth retrying; the
// error names only scheme://host.
func TestHTTPSenderTimeoutIsRetryable(t *testing.T) {
	release := make(chan struct{})
	rv := newEndpoint(t, func(_ int, r *http.Request, _ http.ResponseWriter) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	sub := domain.Subscription{ID: 5, Channel: domain.ChannelDingTalk, Target: rv.srv.URL + "/robot/send?access_token=" + testToken}
	retry, err := NewHTTPSender(HTTPOptions{Timeout: 20 * time.Millisecond}).Send(context.Background(), sub, NewMessage("k", sub, domain.User{}, testItems(), false, testBase, ""))
	if !retry || err == nil {
		t.Fatalf("Send = %v, %v; want a retryable error", retry, err)
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "/robot") {
		t.Errorf("error shows the URL's path or token: %v", err)
	}
	if !strings.Contains(err.Error(), rv.srv.URL) {
		t.Errorf("error does not say which receiver: %v", err)
	}
}

// A target that is no http(s) URL, or a channel that is not HTTP, fails for
// good, and the error does not repeat the target.
func TestHTTPSenderRejectsBadTargetWithoutShowingIt(t *testing.T) {
	for _, sub := range []domain.Subscription{
		{ID: 1, Channel: domain.ChannelWebhook, Target: ""},
		{ID: 2, Channel: domain.ChannelDingTalk, Target: "oapi.dingtalk.com/robot/send?access_token=" + testToken},
		{ID: 3, Channel: domain.ChannelWeCom, Target: "ftp://h/x?key=" + testToken},
		{ID: 4, Channel: domain.ChannelWebhook, Target: "http://[::1/?access_token=" + testToken},
		{ID: 5, Channel: domain.ChannelEmail, Target: "https://h.example.cn/?access_token=" + testToken},
	} {
		retry, err := NewHTTPSender(HTTPOptions{}).Send(context.Background(), sub, NewMessage("k", sub, domain.User{}, testItems(), false, testBase, ""))
		if err == nil || retry {
			t.Errorf("subscription %d: Send = %v, %v; want a permanent error", sub.ID, retry, err)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("subscription %d: error shows the token: %v", sub.ID, err)
		}
	}
}
