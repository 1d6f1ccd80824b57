package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "SEC0123456789abcdef"
	testToken  = "tok3n-in-the-query"
)

func newTestWebhook(t *testing.T, url string, opts WebhookOptions) *Webhook {
	t.Helper()
	opts.URL = url + "/robot/send?access_token=" + testToken
	if opts.Secret == "" {
		opts.Secret = testSecret
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w, err := NewWebhook(opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebhookStatuses(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		wantRetry  bool
		wantErr    bool
	}{
		{http.StatusOK, "", false, false},
		{http.StatusNoContent, "", false, false},
		{http.StatusBadRequest, "", false, true},
		{http.StatusUnauthorized, "", false, true},
		{http.StatusNotFound, "", false, true},
		{http.StatusFound, "", false, true}, // not followed: see NewWebhook
		{http.StatusTooManyRequests, "7", true, true},
		{http.StatusInternalServerError, "", true, true},
		{http.StatusBadGateway, "", true, true},
		{http.StatusServiceUnavailable, "", true, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status == http.StatusFound {
					w.Header().Set("Location", "http://elsewhere.test/")
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, `{"errcode":40035,"errmsg":"缺少参数"}`)
			}))
			defer srv.Close()
			retry, err := newTestWebhook(t, srv.URL, WebhookOptions{}).Notify(context.Background(), alertsWithIDs(1))
			if retry != tt.wantRetry || (err != nil) != tt.wantErr {
				t.Fatalf("Notify = %v, %v; want retry %v, error %v", retry, err, tt.wantRetry, tt.wantErr)
			}
			if err == nil {
				return
			}
			var serr *StatusError
			if !errors.As(err, &serr) || serr.Code != tt.status || !strings.Contains(err.Error(), "缺少参数") {
				t.Errorf("err = %v, want a StatusError %d with the receiver's reason", err, tt.status)
			}
			if tt.retryAfter != "" && serr.RetryAfter() != 7*time.Second {
				t.Errorf("RetryAfter = %v, want 7s", serr.RetryAfter())
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "/robot") {
				t.Errorf("error shows the URL's path or token: %v", err)
			}
		})
	}
}

// The receiver sees a signed JSON body it can verify with Verify.
func TestWebhookRequestVerifies(t *testing.T) {
	sent := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	type seen struct {
		method, contentType, token string
		verifyErr                  error
		payload                    Payload
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := seen{method: r.Method, contentType: r.Header.Get("Content-Type"), token: r.URL.Query().Get("access_token"),
			verifyErr: Verify(testSecret, r.Header, body, sent.Add(30*time.Second), 5*time.Minute)}
		if err := json.Unmarshal(body, &s.payload); err != nil {
			s.verifyErr = err
		}
		got <- s
	}))
	defer srv.Close()
	w := newTestWebhook(t, srv.URL, WebhookOptions{Now: func() time.Time { return sent },
		Marks: func(string) string { return "六个核桃" }})
	if _, err := w.Notify(context.Background(), alertsWithIDs(11, 12)); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.verifyErr != nil {
		t.Fatalf("receiver could not verify: %v", s.verifyErr)
	}
	if s.method != http.MethodPost || !strings.HasPrefix(s.contentType, "application/json") || s.token != testToken {
		t.Errorf("request = %s %s token %q", s.method, s.contentType, s.token)
	}
	if len(s.payload.Alerts) != 2 || s.payload.Alerts[1].ID != 12 || !strings.HasPrefix(s.payload.Alerts[0].Summary, "疑似侵权: 六个核桃 — ") || !s.payload.SentAt.Equal(sent) {
		t.Errorf("payload = %+v", s.payload)
	}
}

func TestWebhookUnsignedWithoutSecret(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header }))
	defer srv.Close()
	w, err := NewWebhook(WebhookOptions{URL: srv.URL, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Notify(context.Background(), alertsWithIDs(1)); err != nil {
		t.Fatal(err)
	}
	if h := <-got; h.Get(SignatureHeader) != "" || h.Get(TimestampHeader) == "" {
		t.Errorf("headers = %v; want a timestamp and no signature", h)
	}
}

// A receiver that does not answer within the timeout, or is not there at
// all, is worth retrying; the error names only scheme://host.
func TestWebhookNetworkFailuresAreRetryable(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	for name, w := range map[string]*Webhook{
		"timeout": newTestWebhook(t, slow.URL, WebhookOptions{Timeout: 20 * time.Millisecond}),
		"refused": newTestWebhook(t, gone.URL, WebhookOptions{}),
	} {
		t.Run(name, func(t *testing.T) {
			retry, err := w.Notify(context.Background(), alertsWithIDs(1))
			if !retry || err == nil {
				t.Fatalf("Notify = %v, %v; want a retryable error", retry, err)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "/robot") {
				t.Errorf("error shows the URL's path or token: %v", err)
			}
			if !strings.Contains(err.Error(), w.origin) {
				t.Errorf("error does not say which receiver: %v", err)
			}
		})
	}
}

func TestNewWebhookRejectsBadURLWithoutShowingIt(t *testing.T) {
	for _, raw := range []string{"", "oapi.dingtalk.com/robot/send?access_token=" + testToken, "ftp://h/x?access_token=" + testToken, "http://[::1/?access_token=" + testToken} {
		_, err := NewWebhook(WebhookOptions{URL: raw})
		if err == nil {
			t.Errorf("NewWebhook(%q) accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows the token: %v", err)
		}
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
