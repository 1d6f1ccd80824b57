package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// DelivererOptions configure a Deliverer. Zero values mean the defaults.
type DelivererOptions struct {
	Store DeliveryStore
	// Audit, when set, gives status messages their reviewer and note.
	Audit   AuditReader
	Senders map[domain.Channel]Sender
	// BaseURL is the console's external address (https://markwatch.example.cn),
	// for links to alerts and the unsubscribe link.
	BaseURL string
	// UnsubscribeSecret keys unsubscribe tokens; at least 16 bytes, and the
	// same the console's /unsubscribe route verifies with.
	UnsubscribeSecret []byte
	// Marks gives a mark's display name; nil or "" shows the id.
	Marks func(id string) string
	// ScopeFor, when set, is applied again at sending time, so an alert a
	// user can no longer see (an owner's mark moved to another owner since
	// the row was written) is not sent after all.
	ScopeFor func(domain.User) domain.Scope
	Now      func() time.Time // default time.Now
	// Rand draws backoff jitter from [0,1); default math/rand/v2.
	Rand     func() float64
	Interval time.Duration // between looks at the outbox when idle; default 5s
	Batch    int           // rows per look; default 100
	// Backoff spaces a failing message's retries; default 30s doubling
	// (less up to half as jitter) to at most 1h.
	Backoff Backoff
	// DisableAfter is how long a receiver may keep failing before its
	// subscription is disabled; default 72h.
	DisableAfter time.Duration
	Log          *zap.Logger
	Metrics      *DeliveryMetrics
}

// Deliverer drains the notification outbox: it groups due rows into
// messages, sends them, and records the outcome in the store, so a message
// owed survives restarts and outages. A message is marked sent only after
// its receiver accepted it; a crash in between sends it again under the
// same idempotency key, which receivers deduplicate on.
type Deliverer struct {
	opts DelivererOptions
	kick chan struct{}
	// pass serialises passes: Run and a test's or shutdown's DeliverDue
	// must not send the same rows twice.
	pass sync.Mutex
}

// NewDeliverer checks the options and fills defaults.
func NewDeliverer(opts DelivererOptions) (*Deliverer, error) {
	if opts.Store == nil {
		return nil, errors.New("creating deliverer: no store")
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("creating deliverer: base URL %q: want the console's absolute http(s) address, for links in messages", opts.BaseURL)
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if len(opts.UnsubscribeSecret) < 16 {
		return nil, errors.New("creating deliverer: the unsubscribe secret must be at least 16 bytes")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Backoff.Initial <= 0 {
		opts.Backoff.Initial = 30 * time.Second
	}
	if opts.Backoff.Max <= 0 {
		opts.Backoff.Max = time.Hour
	}
	opts.Backoff = opts.Backoff.withDefaults()
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 72 * time.Hour
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.Metrics == nil {
		opts.Metrics = newDeliveryMetrics()
	}
	return &Deliverer{opts: opts, kick: make(chan struct{}, 1)}, nil
}

// Kick wakes Run early, after the store wrote rows due now. It never blocks.
func (d *Deliverer) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then returns nil. It runs in the caller's
// goroutine and starts none, so nothing outlives it. A failing store is
// logged and retried at the next interval: the rows wait in the outbox.
func (d *Deliverer) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.kick:
		}
		_, fetched, err := d.deliver(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.opts.Log.Warn("notification delivery pass failed; retrying at the next interval",
				zap.Error(err), zap.Duration("retry_in", d.opts.Interval))
		}
		wait := d.opts.Interval
		if err == nil && fetched == d.opts.Batch {
			wait = 0 // more rows are waiting
		}
		t.Reset(wait)
	}
}

// DeliverDue makes one pass over the due rows and returns how many
// notifications were delivered.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	sent, _, err := d.deliver(ctx)
	return sent, err
}

// subState is what one pass knows of a subscription.
type subState struct {
	sub  domain.Subscription
	user domain.User
	// skip, when set, is why the subscription's rows are given up.
	skip string
	// disabled is set when this pass disabled the subscription: the store
	// cancelled its other pending rows, so they are left alone.
	disabled bool
	// failed holds the first retryable failure of this pass, so the
	// subscription's other messages wait with it instead of each
	// knocking on a receiver that just refused.
	failed error
	next   time.Time
}

func (d *Deliverer) deliver(ctx context.Context) (sent, fetched int, err error) {
	d.pass.Lock()
	defer d.pass.Unlock()
	rows, err := d.opts.Store.DueNotifications(ctx, d.opts.Now(), d.opts.Batch)
	if err != nil {
		return 0, 0, fmt.Errorf("reading due notifications: %w", err)
	}
	subs := map[int64]*subState{}
	for _, r := range rows {
		if _, ok := subs[r.SubscriptionID]; ok {
			continue
		}
		st, err := d.loadSub(ctx, r.SubscriptionID)
		if err != nil {
			return sent, len(rows), err
		}
		subs[r.SubscriptionID] = st
	}
	batches := groupRows(rows, len(rows) == d.opts.Batch, func(id int64) bool {
		m := subs[id].sub.Mode
		return subs[id].skip == "" && (m == domain.DeliverDaily || m == domain.DeliverWeekly)
	})
	for _, b := range batches {
		if err := ctx.Err(); err != nil {
			return sent, len(rows), err
		}
		n, err := d.deliverBatch(ctx, subs[b.subID], b)
		sent += n
		if err != nil {
			return sent, len(rows), err
		}
	}
	return sent, len(rows), nil
}

// loadSub reads a subscription and its user, and says why its rows are to
// be given up when the subscription is gone or off.
func (d *Deliverer) loadSub(ctx context.Context, id int64) (*subState, error) {
	sub, err := d.opts.Store.GetSubscription(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return &subState{sub: domain.Subscription{ID: id}, skip: "订阅已删除。The subscription was deleted."}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading subscription %d: %w", id, err)
	}
	if sub.Disabled {
		return &subState{sub: sub, skip: "订阅已停用。The subscription is disabled."}, nil
	}
	user, err := d.opts.Store.GetUser(ctx, sub.UserID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return &subState{sub: sub, skip: "订阅的用户已删除。The subscription's user was deleted."}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading user %d of subscription %d: %w", sub.UserID, id, err)
	}
	if user.Disabled {
		return &subState{sub: sub, user: user, skip: "订阅的用户已停用。The subscription's user is disabled."}, nil
	}
	return &subState{sub: sub, user: user}, nil
}

// deliverBatch sends one message and records the outcome. It returns an
// error only for what stops the pass: the store failing, or ctx ending
// (the rows then stay pending and go out again, under the same key).
func (d *Deliverer) deliverBatch(ctx context.Context, st *subState, b batch) (int, error) {
	ch := string(st.sub.Channel)
	if st.disabled {
		return 0, nil
	}
	if st.skip != "" {
		return 0, d.fail(ctx, st, b.ids(), st.skip, nil)
	}
	items, gone, err := d.items(ctx, st.user, b.rows)
	if err != nil {
		return 0, err
	}
	for reason, ids := range gone {
		if err := d.fail(ctx, st, ids, reason, nil); err != nil {
			return 0, err
		}
	}
	if len(items) == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, len(items))
	for _, r := range b.rows {
		if !inGone(gone, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	sender := d.opts.Senders[st.sub.Channel]
	if sender == nil {
		return 0, d.fail(ctx, st, ids, fmt.Sprintf("未配置 %s 渠道的发送。No sender is configured for channel %s.", ch, ch), nil)
	}
	if st.failed != nil {
		// The receiver refused earlier in this pass: wait with the rest.
		if err := d.opts.Store.RetryNotifications(ctx, ids, st.next, lastError(st.failed)); err != nil {
			return 0, fmt.Errorf("rescheduling notifications %v: %w", ids, err)
		}
		d.opts.Metrics.retried.WithLabelValues(ch).Add(float64(len(ids)))
		return 0, nil
	}
	msg := NewMessage(b.key, st.sub, st.user, items, b.digest, d.opts.BaseURL,
		d.opts.BaseURL+"/unsubscribe?token="+url.QueryEscape(UnsubscribeToken(d.opts.UnsubscribeSecret, st.sub.ID)))
	retry, sendErr := sender.Send(ctx, st.sub, msg)
	if ctx.Err() != nil {
		// Shutting down mid-send: whether the receiver got it is unknown,
		// so the rows stay pending and the next run sends the same key.
		return 0, ctx.Err()
	}
	now := d.opts.Now()
	if sendErr == nil {
		if err := d.opts.Store.MarkNotificationsSent(ctx, ids, msg.Key, now); err != nil {
			return 0, fmt.Errorf("marking notifications %v sent as %s: %w", ids, msg.Key, err)
		}
		d.opts.Metrics.sent.WithLabelValues(ch).Add(float64(len(ids)))
		if st.sub.FailingSince != nil {
			if err := d.opts.Store.SetSubscriptionFailing(ctx, st.sub.ID, nil); err != nil {
				return len(ids), fmt.Errorf("clearing failing state of subscription %d: %w", st.sub.ID, err)
			}
			st.sub.FailingSince = nil
			d.opts.Log.Info("subscription receiver recovered", zap.Int64("subscription_id", st.sub.ID), zap.String("channel", ch))
		}
		return len(ids), nil
	}
	if !retry {
		return 0, d.fail(ctx, st, ids, lastError(sendErr), &failure{key: msg.Key, attempts: b.attempts() + 1, err: sendErr})
	}
	return 0, d.retry(ctx, st, b, ids, msg.Key, sendErr, now)
}

// retry reschedules a message whose receiver failed in a way worth trying
// again, or disables the subscription once it has failed for DisableAfter.
func (d *Deliverer) retry(ctx context.Context, st *subState, b batch, ids []int64, key string, sendErr error, now time.Time) error {
	ch := string(st.sub.Channel)
	since := now
	if st.sub.FailingSince != nil {
		since = *st.sub.FailingSince
	} else {
		if err := d.opts.Store.SetSubscriptionFailing(ctx, st.sub.ID, &since); err != nil {
			return fmt.Errorf("recording subscription %d as failing: %w", st.sub.ID, err)
		}
		st.sub.FailingSince = &since
	}
	if failingFor := now.Sub(since); failingFor > d.opts.DisableAfter {
		reason := fmt.Sprintf("接收端持续失败 %s（自 %s 起），已自动停用：%s。The receiver kept failing for %s (since %s) and the subscription was disabled: %s",
			roundHours(failingFor), sinceText(since), lastError(sendErr), roundHours(failingFor), since.UTC().Format(time.RFC3339), lastError(sendErr))
		if err := d.fail(ctx, st, ids, lastError(sendErr), &failure{key: key, attempts: b.attempts() + 1, err: sendErr}); err != nil {
			return err
		}
		if err := d.opts.Store.SetSubscriptionDisabled(ctx, st.sub.ID, true, reason); err != nil {
			return fmt.Errorf("disabling subscription %d: %w", st.sub.ID, err)
		}
		st.disabled = true
		d.opts.Log.Warn("subscription disabled: its receiver kept failing",
			zap.Int64("subscription_id", st.sub.ID), zap.Int64("user_id", st.sub.UserID), zap.String("channel", ch),
			zap.String("target", redactTarget(st.sub)), zap.Time("failing_since", since), zap.Duration("failing_for", failingFor))
		return nil
	}
	wait := d.opts.Backoff.Delay(b.attempts()+1, d.opts.Rand())
	var hinted interface{ RetryAfter() time.Duration }
	if errors.As(sendErr, &hinted) {
		wait = max(wait, hinted.RetryAfter())
	}
	next := now.Add(wait)
	if err := d.opts.Store.RetryNotifications(ctx, ids, next, lastError(sendErr)); err != nil {
		return fmt.Errorf("rescheduling notifications %v: %w", ids, err)
	}
	st.failed, st.next = sendErr, next
	d.opts.Metrics.retried.WithLabelValues(ch).Add(float64(len(ids)))
	d.opts.Log.Warn("notification not delivered; will retry",
		zap.Int64("subscription_id", st.sub.ID), zap.String("channel", ch), zap.String("target", redactTarget(st.sub)),
		zap.String("message_key", key), zap.Int("notifications", len(ids)), zap.Int("attempts", b.attempts()+1),
		zap.Duration("retry_in", wait), zap.Time("failing_since", since), zap.Error(sendErr))
	return nil
}

// failure describes a send that failed for good, for the log.
type failure struct {
	key      string
	attempts int
	err      error
}

// fail gives rows up with reason, counts and (for send failures) logs it.
func (d *Deliverer) fail(ctx context.Context, st *subState, ids []int64, reason string, f *failure) error {
	if len(ids) == 0 {
		return nil
	}
	if err := d.opts.Store.FailNotifications(ctx, ids, reason); err != nil {
		return fmt.Errorf("giving up notifications %v: %w", ids, err)
	}
	ch := string(st.sub.Channel)
	d.opts.Metrics.failed.WithLabelValues(ch).Add(float64(len(ids)))
	fields := []zap.Field{zap.Int64("subscription_id", st.sub.ID), zap.String("channel", ch), zap.Int("notifications", len(ids))}
	if f == nil {
		d.opts.Log.Info("notifications not sent", append(fields, zap.String("reason", reason))...)
		return nil
	}
	d.opts.Log.Warn("notification not delivered; giving up", append(fields,
		zap.String("target", redactTarget(st.sub)), zap.String("message_key", f.key),
		zap.Int("attempts", f.attempts), zap.Error(f.err))...)
	return nil
}

// items loads what the rows tell of. Rows whose alert is gone, or that the
// user may no longer see, come back in gone, by reason.
func (d *Deliverer) items(ctx context.Context, user domain.User, rows []domain.Notification) ([]Item, map[string][]int64, error) {
	var items []Item
	gone := map[string][]int64{}
	for _, r := range rows {
		if r.Event == domain.EventDegraded {
			// About a source, not an alert: nothing to load, and the router
			// already kept it to admins and operators.
			items = append(items, Item{Event: r.Event, SourceID: r.SourceID, Reasons: r.Reasons, At: r.CreatedAt})
			continue
		}
		a, err := d.opts.Store.GetAlert(ctx, r.AlertID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			const why = "告警已不存在。The alert no longer exists."
			gone[why] = append(gone[why], r.ID)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading alert %d of notification %d: %w", r.AlertID, r.ID, err)
		}
		if d.opts.ScopeFor != nil && !d.opts.ScopeFor(user).Allows(a.MarkID, a.Location) {
			const why = "用户已无权查看该告警。The user may no longer see this alert."
			gone[why] = append(gone[why], r.ID)
			continue
		}
		it := Item{Event: r.Event, Alert: a, MarkName: a.MarkID, At: r.CreatedAt}
		if d.opts.Marks != nil {
			if n := d.opts.Marks(a.MarkID); n != "" {
				it.MarkName = n
			}
		}
		if r.Event == domain.EventStatus {
			if err := d.review(ctx, r, &it); err != nil {
				return nil, nil, err
			}
		}
		items = append(items, it)
	}
	return items, gone, nil
}

// review fills a status item from its audit entry: the status set, the one
// before, the reviewer and the note. Without an audit reader, or when the
// entry is not among the alert's recent reviews, the alert's current
// status stands in.
func (d *Deliverer) review(ctx context.Context, r domain.Notification, it *Item) error {
	it.Status = it.Alert.Status
	if d.opts.Audit == nil || r.AuditID == 0 {
		return nil
	}
	entries, _, err := d.opts.Audit.ListAudit(ctx, domain.AuditFilter{
		Action: domain.AuditAlertReview, Object: "alert:" + strconv.FormatInt(r.AlertID, 10), Limit: 100,
	})
	if err != nil {
		return fmt.Errorf("reading reviews of alert %d: %w", r.AlertID, err)
	}
	for _, e := range entries {
		if e.ID != r.AuditID {
			continue
		}
		var before, after struct {
			Status domain.AlertStatus `json:"status"`
		}
		_ = json.Unmarshal(e.Before, &before) // a missing or odd document leaves the status empty
		_ = json.Unmarshal(e.After, &after)
		if after.Status != "" {
			it.Status = after.Status
		}
		it.Previous, it.Actor, it.Note, it.At = before.Status, e.Actor.Name, e.Note, e.At
		return nil
	}
	return nil
}

func inGone(gone map[string][]int64, id int64) bool {
	for _, ids := range gone {
		for _, g := range ids {
			if g == id {
				return true
			}
		}
	}
	return false
}

// lastError is what the store keeps and the console shows of a failure.
// Senders already keep tokens out of their errors.
func lastError(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "…"
	}
	return s
}

// redactTarget shows where a subscription sends without what a log reader
// should not have: a URL's path and query (robot tokens), an address's
// local part.
func redactTarget(s domain.Subscription) string {
	if s.Channel == domain.ChannelEmail {
		if i := strings.LastIndexByte(s.Target, '@'); i >= 0 {
			return "…" + strings.TrimRight(s.Target[i:], ">")
		}
		return "…"
	}
	if u, err := url.Parse(s.Target); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return "…"
}

// roundHours formats how long a receiver has been failing.
func roundHours(d time.Duration) string {
	if d >= time.Hour {
		return strconv.FormatFloat(d.Hours(), 'f', 0, 64) + "h"
	}
	return d.Round(time.Minute).String()
}
