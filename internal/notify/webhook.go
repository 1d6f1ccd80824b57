package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// defaultTimeout bounds one POST when WebhookOptions.Timeout is zero: long
// enough for a chat service across the country, short enough that Retry gets
// its turns.
const defaultTimeout = 10 * time.Second

// WebhookOptions configures one Webhook.
type WebhookOptions struct {
	// Name identifies the receiver in logs and metrics. It must not contain
	// the URL's path or query: chat webhooks keep their token there.
	Name string
	URL  string
	// Secret keys the signature; empty sends the request unsigned.
	Secret string
	// Format is what the receiver understands; empty tells it from the
	// URL's host (DingTalk and WeCom robots), else FormatMarkwatch.
	Format  Format
	Timeout time.Duration
	// Client defaults to one that never follows redirects (see NewWebhook).
	Client *http.Client
	Now    func() time.Time // default time.Now
	Marks  MarkNamer
}

// Webhook POSTs alerts as JSON to one URL: markwatch's signed Payload
// (see SignatureHeader) or a chat robot's message (see Format).
type Webhook struct {
	opts WebhookOptions
	url  *url.URL
	// origin is scheme://host, the only part of the URL ever shown.
	origin string
	format Format
}

// NewWebhook checks the URL and format and fills defaults.
func NewWebhook(opts WebhookOptions) (*Webhook, error) {
	origin, err := urlOrigin(opts.URL)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(opts.URL) // urlOrigin parsed it already
	format, err := resolveFormat(opts.Format, u)
	if err != nil {
		return nil, fmt.Errorf("creating webhook %s: %w", origin, err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Name == "" {
		opts.Name = "webhook " + origin
	}
	if opts.Client == nil {
		// A redirect would turn the POST into a GET, or carry the signed
		// body to another host; a moved webhook is a configuration error.
		opts.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return &Webhook{opts: opts, url: u, origin: origin, format: format}, nil
}

// urlOrigin validates a webhook URL and returns scheme://host. Errors never
// repeat the URL: its query may hold an access token.
func urlOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("parsing webhook URL: not a URL (the URL is not shown: it may hold a token)")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("parsing webhook URL: want http:// or https:// and a host, got scheme %q host %q", u.Scheme, u.Host)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Name implements Notifier.
func (w *Webhook) Name() string { return w.opts.Name }

// Notify makes one POST of all alerts. 2xx is delivered; 429, 5xx and
// network errors are worth retrying; any other status is permanent.
func (w *Webhook) Notify(ctx context.Context, alerts []domain.Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	now := w.opts.Now()
	ctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	defer cancel()
	req, err := w.request(ctx, alerts, now)
	if err != nil {
		return false, err
	}
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return true, fmt.Errorf("posting alerts to %s: %w", w.origin, stripURL(err))
	}
	retry, err := readReply(resp, w.format, now)
	if err != nil {
		return retry, fmt.Errorf("posting alerts to %s: %w", w.origin, err)
	}
	return false, nil
}

// readReply judges a receiver's answer and closes its body: 2xx is
// delivered (unless a chat robot's errcode says otherwise); 429 and 5xx are
// worth retrying; any other status is permanent. The durable Deliverer's
// HTTP senders share it, so both paths classify failures alike.
func readReply(resp *http.Response, format Format, now time.Time) (retry bool, err error) {
	defer resp.Body.Close()
	// A short excerpt says why a receiver refused, and holds a chat robot's
	// errcode; the rest is read so the connection can be reused.
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if format == FormatMarkwatch {
			return false, nil
		}
		return chatReply(excerpt)
	}
	serr := &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(excerpt)), retryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, serr
}

// request builds the POST in the receiver's format. Each try is built
// afresh, so a retry carries a current timestamp and signature.
func (w *Webhook) request(ctx context.Context, alerts []domain.Alert, now time.Time) (*http.Request, error) {
	var (
		body []byte
		err  error
	)
	u := *w.url
	switch w.format {
	case FormatDingTalk:
		body, err = dingTalkBody(alerts, w.opts.Marks)
		if w.opts.Secret != "" {
			ts, sig := dingTalkSign(w.opts.Secret, now)
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", sig)
			u.RawQuery = q.Encode()
		}
	case FormatWeCom:
		body, err = weComBody(alerts, w.opts.Marks)
	default:
		body, err = encodePayload(alerts, now, w.opts.Marks)
	}
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("posting alerts to %s: building request: %w", w.origin, stripURL(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "markwatch")
	if w.format == FormatMarkwatch {
		ts := strconv.FormatInt(now.Unix(), 10)
		req.Header.Set(TimestampHeader, ts)
		if w.opts.Secret != "" {
			req.Header.Set(SignatureHeader, sign(w.opts.Secret, ts, body))
		}
	}
	return req, nil
}

// stripURL drops the URL net/http puts in its errors (*url.Error), which
// would carry the query's token into logs, and keeps the cause.
func stripURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	return err
}

// StatusError is a response outside 2xx.
type StatusError struct {
	Code       int
	Body       string // at most 512 bytes of the response
	retryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("receiver answered %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("receiver answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Body)
}

// RetryAfter is how long the receiver asked us to wait (zero when it did
// not say); Retry waits at least this long.
func (e *StatusError) RetryAfter() time.Duration { return e.retryAfter }

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
