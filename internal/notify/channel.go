package notify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// IdempotencyHeader carries a message's key on every HTTP delivery, so a
// receiver that sees a retry of something it already handled can drop it.
const IdempotencyHeader = "Idempotency-Key"

// HTTPOptions configures an HTTPSender. Zero values mean defaults.
type HTTPOptions struct {
	Timeout time.Duration // one POST; default 10s
	// Client defaults to one that never follows redirects, as Webhook's.
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

// DeliveryPayload is the JSON body the webhook channel receives. Alerts
// has the shape of Payload's, so a receiver written for the configured
// webhooks reads it too; Events adds what happened to each alert.
type DeliveryPayload struct {
	IdempotencyKey string         `json:"idempotency_key"`
	SubscriptionID int64          `json:"subscription_id"`
	Digest         bool           `json:"digest"`
	Subject        string         `json:"subject"`
	Alerts         []PayloadAlert `json:"alerts"`
	Events         []PayloadEvent `json:"events"`
	SentAt         time.Time      `json:"sent_at"`
}

// PayloadEvent is one item of a delivered message.
type PayloadEvent struct {
	Event      string             `json:"event"`
	AlertID    int64              `json:"alert_id"`
	MarkID     string             `json:"mark_id"`
	MarkName   string             `json:"mark_name"`
	Status     domain.AlertStatus `json:"status,omitempty"`
	Previous   domain.AlertStatus `json:"previous_status,omitempty"`
	Actor      string             `json:"actor,omitempty"`
	Note       string             `json:"note,omitempty"`
	ConsoleURL string             `json:"console_url"`
}

// Send implements Sender.
func (s *HTTPSender) Send(ctx context.Context, sub domain.Subscription, msg Message) (bool, error) {
	u, err := url.Parse(sub.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false, fmt.Errorf("sending %s to subscription %d: target is not an http(s) URL (not shown: it may hold a token)", sub.Channel, sub.ID)
	}
	origin := u.Scheme + "://" + u.Host
	now := s.opts.Now()
	var (
		body   []byte
		format Format
	)
	switch sub.Channel {
	case domain.ChannelWebhook:
		format = FormatMarkwatch
		body, err = deliveryJSON(msg, now)
	case domain.ChannelDingTalk:
		format = FormatDingTalk
		body, err = dingTalkMarkdown(messageMarkdown(msg))
		if sub.Secret != "" {
			ts, sig := dingTalkSign(sub.Secret, now)
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", sig)
			u.RawQuery = q.Encode()
		}
	case domain.ChannelWeCom:
		format = FormatWeCom
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
	if format == FormatMarkwatch {
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
	if retry, err := readReply(resp, format, now); err != nil {
		return retry, fmt.Errorf("sending %s to %s: %w", sub.Channel, origin, err)
	}
	return false, nil
}

func deliveryJSON(msg Message, now time.Time) ([]byte, error) {
	p := DeliveryPayload{
		IdempotencyKey: msg.Key, SubscriptionID: msg.Subscription.ID, Digest: msg.Digest,
		Subject: msg.Subject, Alerts: []PayloadAlert{}, Events: []PayloadEvent{}, SentAt: now.UTC(),
	}
	seen := map[int64]bool{}
	for _, it := range msg.Items {
		mark := cmp.Or(it.MarkName, it.Alert.MarkID)
		if !seen[it.Alert.ID] {
			seen[it.Alert.ID] = true
			p.Alerts = append(p.Alerts, PayloadAlert{Alert: it.Alert, MarkName: mark, Summary: summary(mark, it.Alert)})
		}
		p.Events = append(p.Events, PayloadEvent{
			Event: it.Event, AlertID: it.Alert.ID, MarkID: it.Alert.MarkID, MarkName: mark,
			Status: it.Status, Previous: it.Previous, Actor: it.Actor, Note: it.Note,
			ConsoleURL: msg.AlertURL(it.Alert.ID),
		})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding delivery payload %s: %w", msg.Key, err)
	}
	return body, nil
}

// messageMarkdown is a message as a chat robot shows it: the subject as
// heading (it says 疑似侵权, the DingTalk keyword), then per mark one line
// per item linking into the console, within the robots' size budget.
func messageMarkdown(msg Message) (title, text string) {
	title = strings.TrimPrefix(msg.Subject, subjectPrefix)
	var b strings.Builder
	b.WriteString("### " + oneLine(title) + "\n")
	groups := GroupByMark(msg.Items)
	left := len(msg.Items)
	for _, g := range groups {
		head := "\n**" + oneLine(g.MarkName) + "**\n\n"
		for i, it := range g.Items {
			line := "- " + markdownLink(oneLine(headline(it)), msg.AlertURL(it.Alert.ID)) + "\n"
			if n := strings.TrimSpace(it.Note); n != "" {
				line += "  备注：" + oneLine(n) + "\n"
			}
			if i == 0 {
				line = head + line
			}
			rest := fmt.Sprintf("\n…另有 %d 条，请在控制台查看", left)
			if b.Len()+len(line)+len(rest) > chatBudget {
				b.WriteString(rest)
				return title, strings.TrimRight(b.String(), "\n")
			}
			b.WriteString(line)
			left--
		}
	}
	return title, strings.TrimRight(b.String(), "\n")
}
