package notify

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// IdempotencyHeader carries a message's key on every HTTP delivery, so a
// receiver that sees a retry of something it already handled can drop it.
const IdempotencyHeader = "Idempotency-Key"

// defaultTimeout bounds one POST when HTTPOptions.Timeout is zero: long
// enough for a chat service across the country, short enough that one slow
// receiver does not hold up a delivery pass.
const defaultTimeout = 10 * time.Second

// HTTPOptions configures an HTTPSender. Zero values mean defaults.
type HTTPOptions struct {
	Timeout time.Duration // one POST; default 10s
	// Client defaults to one that never follows redirects: a redirect
	// would turn the POST into a GET, or carry the signed body to another
	// host; a moved receiver is a configuration error.
	Client *http.Client
	Now    func() time.Time // default time.Now
}

// HTTPSender delivers messages to a subscription's URL: markwatch's signed
// JSON for the webhook channel, a robot's markdown for DingTalk and WeCom.
// One sender serves every subscription of those channels; the URL and
// secret come from the subscription.
type HTTPSender struct {
	opts HTTPOptions
}

// NewHTTPSender fills defaults.
func NewHTTPSender(opts HTTPOptions) *HTTPSender {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Client == nil {
		opts.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return &HTTPSender{opts: opts}
}

// Send implements Sender. Errors name only the target's scheme://host:
// robot URLs keep their token in the path or query.
func (s *HTTPSender) Send(ctx context.Context, sub domain.Subscription, msg Message) (bool, error) {
	u, err := url.Parse(sub.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false, fmt.Errorf("sending %s to subscription %d: target is not an http(s) URL (not shown: it may hold a token)", sub.Channel, sub.ID)
	}
	origin := u.Scheme + "://" + u.Host
	now := s.opts.Now()
	var body []byte
	switch sub.Channel {
	case domain.ChannelWebhook:
		body, err = deliveryJSON(msg, now)
	case domain.ChannelDingTalk:
		body, err = dingTalkMarkdown(messageMarkdown(msg))
		if sub.Secret != "" {
			ts, sig := dingTalkSign(sub.Secret, now)
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", sig)
			u.RawQuery = q.Encode()
		}
	case domain.ChannelWeCom:
		_, text := messageMarkdown(msg)
		body, err = weComMarkdown(text)
	default:
		return false, fmt.Errorf("sending to subscription %d: channel %q is not an HTTP channel", sub.ID, sub.Channel)
	}
	if err != nil {
		return false, fmt.Errorf("sending %s to %s: %w", sub.Channel, origin, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("sending %s to %s: building request: %w", sub.Channel, origin, stripURL(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "markwatch")
	req.Header.Set(IdempotencyHeader, msg.Key)
	if sub.Channel == domain.ChannelWebhook {
		ts := strconv.FormatInt(now.Unix(), 10)
		req.Header.Set(TimestampHeader, ts)
		if sub.Secret != "" {
			req.Header.Set(SignatureHeader, sign(sub.Secret, ts, body))
		}
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return true, fmt.Errorf("sending %s to %s: %w", sub.Channel, origin, stripURL(err))
	}
	if retry, err := readReply(resp, sub.Channel, now); err != nil {
		return retry, fmt.Errorf("sending %s to %s: %w", sub.Channel, origin, err)
	}
	return false, nil
}
