package notify

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const (
	testSecret = "SEC0123456789abcdef"
	testToken  = "tok3n-in-the-query"
)

// closeRecorder is a response body that remembers being closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestReadReply(t *testing.T) {
	const refusal = `{"errcode":40035,"errmsg":"缺少参数"}`
	tests := []struct {
		name       string
		channel    domain.Channel
		status     int
		retryAfter string
		body       string
		wantRetry  bool
		wantStatus bool // a StatusError
		wantChat   int  // a ChatError with this code
	}{
		{"200", domain.ChannelWebhook, http.StatusOK, "", "", false, false, 0},
		{"204", domain.ChannelWebhook, http.StatusNoContent, "", "", false, false, 0},
		// markwatch's receivers answer what they like: only robots' errcodes count.
		{"200 errcode to a webhook", domain.ChannelWebhook, http.StatusOK, "", refusal, false, false, 0},
		{"200 errcode to a robot", domain.ChannelDingTalk, http.StatusOK, "", refusal, false, false, 40035},
		{"200 robot busy", domain.ChannelWeCom, http.StatusOK, "", `{"errcode":-1,"errmsg":"system busy"}`, true, false, -1},
		{"400", domain.ChannelWebhook, http.StatusBadRequest, "", refusal, false, true, 0},
		{"401", domain.ChannelWebhook, http.StatusUnauthorized, "", refusal, false, true, 0},
		{"404", domain.ChannelDingTalk, http.StatusNotFound, "", refusal, false, true, 0},
		{"302", domain.ChannelWebhook, http.StatusFound, "", refusal, false, true, 0}, // not followed: see HTTPOptions.Client
		{"429", domain.ChannelWebhook, http.StatusTooManyRequests, "7", refusal, true, true, 0},
		{"500", domain.ChannelWebhook, http.StatusInternalServerError, "", refusal, true, true, 0},
		{"502", domain.ChannelWeCom, http.StatusBadGateway, "", refusal, true, true, 0},
		{"503", domain.ChannelWebhook, http.StatusServiceUnavailable, "7", refusal, true, true, 0},
	}
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &closeRecorder{Reader: strings.NewReader(tt.body)}
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: body}
			if tt.retryAfter != "" {
				resp.Header.Set("Retry-After", tt.retryAfter)
			}
			retry, err := readReply(resp, tt.channel, now)
			if !body.closed {
				t.Error("body not closed")
			}
			if retry != tt.wantRetry {
				t.Errorf("retry = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			var serr *StatusError
			var cerr *ChatError
			switch {
			case tt.wantStatus:
				if !errors.As(err, &serr) || serr.Code != tt.status || !strings.Contains(err.Error(), "缺少参数") {
					t.Fatalf("err = %v, want a StatusError %d with the receiver's reason", err, tt.status)
				}
				if tt.retryAfter != "" && serr.RetryAfter() != 7*time.Second {
					t.Errorf("RetryAfter = %v, want 7s", serr.RetryAfter())
				}
			case tt.wantChat != 0:
				if !errors.As(err, &cerr) || cerr.Code != tt.wantChat {
					t.Fatalf("err = %v, want a ChatError %d", err, tt.wantChat)
				}
			case err != nil:
				t.Fatalf("err = %v, want delivered", err)
			}
		})
	}
}

// A refusal's body is kept only as a short excerpt.
func TestReadReplyExcerpt(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{},
		Body: io.NopCloser(strings.NewReader("  " + strings.Repeat("x", 10_000)))}
	_, err := readReply(resp, domain.ChannelWebhook, time.Now())
	var serr *StatusError
	if !errors.As(err, &serr) || len(serr.Body) != 510 || strings.HasPrefix(serr.Body, " ") {
		t.Fatalf("err = %v; want the first 512 bytes, trimmed", err)
	}
	if got := (&StatusError{Code: 503}).Error(); got != "receiver answered 503 Service Unavailable" {
		t.Errorf("without a body: %q", got)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{"-3", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.v, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// net/http's errors carry the whole URL; what is logged and stored keeps
// the operation and the cause only.
func TestStripURL(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:9: connection refused")
	err := stripURL(&url.Error{Op: "Post", URL: "https://oapi.dingtalk.com/robot/send?access_token=" + testToken, Err: cause})
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "/robot") {
		t.Errorf("stripURL kept the URL: %v", err)
	}
	if !errors.Is(err, cause) || err.Error() != "Post: "+cause.Error() {
		t.Errorf("stripURL = %v, want the operation and cause", err)
	}
	if other := errors.New("other"); stripURL(other) != other {
		t.Error("an error without a URL should pass unchanged")
	}
}
