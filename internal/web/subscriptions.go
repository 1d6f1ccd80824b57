package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of a subscription form; the store and ValidateSubscription judge
// the values, these only keep absurd input out.
const (
	maxSubscriptionForm = 32 << 10
	maxNameRunes        = 100
	maxTargetLen        = 1000
	maxSecretLen        = 256
	maxPlatforms        = 20
	historyLimit        = 50
)

// knownTactics are the matcher's tactics a subscription may filter on.
var knownTactics = []string{"exact", "sound", "shape", "split", "merge", "insertion", "deletion",
	"reorder", "swap", "script", "latin", "symbols", "counterfeit", "gi-origin", "gi-qualifier"}

// choice is one checkbox.
type choice struct {
	Value, Label string
	Checked      bool
}

type subscriptionRow struct {
	ID                  int64
	Name, Channel, Mode string
	Target              string
	Disabled, Failed    bool
	Reason              string
}

type subscriptionsView struct {
	page
	Rows []subscriptionRow
}

type notificationRow struct {
	Created, Event, State, Due, Sent, Error string
	AlertID                                 int64
	Attempts                                int
}

// subscriptionForm is the create/edit form. It has no Secret field on
// purpose: a secret, once set, never goes back to a browser.
type subscriptionForm struct {
	page
	ID         int64 // 0 for a new subscription
	Error      string
	Name       string
	Marks      []choice
	MinScore   string
	Kinds      []choice
	Tactics    []choice
	Platforms  string
	Events     []choice
	Channels   []option
	Target     string
	HasSecret  bool
	Modes      []option
	DigestTime string
	Weekdays   []option
	Enabled    bool
	Failed     bool
	Reason     string
	History    []notificationRow
	HasHistory bool
}

// subscriptions serves GET /subscriptions: the user's own subscriptions
// with their state; one turned off by failures says so first.
func (c *console) subscriptions(w http.ResponseWriter, r *http.Request) {
	p, _ := access.FromContext(r.Context())
	subs, err := c.deps.Subscriptions.ListSubscriptions(r.Context(), p.User.ID)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing subscriptions of user %d: %w", p.User.ID, err))
		return
	}
	v := subscriptionsView{page: c.frame(r, "订阅 Subscriptions")}
	for _, s := range subs {
		if s.UserID != p.User.ID {
			continue // the store answers for one user; never show another's
		}
		v.Rows = append(v.Rows, subscriptionRow{
			ID: s.ID, Name: s.Name, Channel: channelLabel(s.Channel), Mode: modeLabel(s.Mode),
			Target: shortTarget(s), Disabled: s.Disabled, Failed: disabledByFailures(s), Reason: s.DisabledReason,
		})
	}
	c.render(w, r, http.StatusOK, "subscriptions.html", v)
}

// newSubscription serves GET /subscriptions/new.
func (c *console) newSubscription(w http.ResponseWriter, r *http.Request) {
	s := domain.Subscription{Channel: domain.ChannelEmail, Mode: domain.DeliverImmediate,
		Events: []string{domain.EventAlert, domain.EventStatus}}
	c.render(w, r, http.StatusOK, "subscription.html", c.subscriptionForm(r, s, false))
}

// createSubscription serves POST /subscriptions.
func (c *console) createSubscription(w http.ResponseWriter, r *http.Request) {
	p, _ := access.FromContext(r.Context())
	s, ok := c.readSubscription(w, r, domain.Subscription{UserID: p.User.ID}, false)
	if !ok {
		return
	}
	created, err := c.deps.Subscriptions.CreateSubscription(r.Context(), s, p.Actor())
	if err != nil {
		c.refuseSubscription(w, r, s, false, fmt.Errorf("creating a subscription for %q: %w", p.User.Name, err))
		return
	}
	c.log.Info("subscription created", zap.Int64("subscription_id", created.ID), zap.String("user", p.User.Name))
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}

// editSubscription serves GET /subscriptions/{id}: the form and the
// delivery history.
func (c *console) editSubscription(w http.ResponseWriter, r *http.Request) {
	s, err := c.ownSubscription(r)
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting a subscription to edit: %w", err))
		return
	}
	c.render(w, r, http.StatusOK, "subscription.html", c.subscriptionForm(r, s, s.Secret != ""))
}

// updateSubscription serves POST /subscriptions/{id}. An empty secret
// keeps the old one.
func (c *console) updateSubscription(w http.ResponseWriter, r *http.Request) {
	old, err := c.ownSubscription(r)
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting a subscription to update: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	s, ok := c.readSubscription(w, r, old, old.Secret != "")
	if !ok {
		return
	}
	if _, err := c.deps.Subscriptions.UpdateSubscription(r.Context(), s, p.Actor()); err != nil {
		c.refuseSubscription(w, r, s, old.Secret != "", fmt.Errorf("updating subscription %d: %w", s.ID, err))
		return
	}
	c.log.Info("subscription updated", zap.Int64("subscription_id", s.ID), zap.String("user", p.User.Name))
	http.Redirect(w, r, "/subscriptions/"+strconv.FormatInt(s.ID, 10), http.StatusSeeOther)
}

// deleteSubscription serves POST /subscriptions/{id}/delete.
func (c *console) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	s, err := c.ownSubscription(r)
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting a subscription to delete: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	if err := c.deps.Subscriptions.DeleteSubscription(r.Context(), s.ID, p.Actor()); err != nil {
		c.fail(w, r, fmt.Errorf("deleting subscription %d: %w", s.ID, err))
		return
	}
	c.log.Info("subscription deleted", zap.Int64("subscription_id", s.ID), zap.String("user", p.User.Name))
	http.Redirect(w, r, "/subscriptions", http.StatusSeeOther)
}

// ownSubscription reads the subscription of the path's id if it belongs to
// the principal. Another user's answers exactly as a missing one, admins
// included: subscriptions carry receivers' addresses and robot tokens.
func (c *console) ownSubscription(r *http.Request) (domain.Subscription, error) {
	missing := domain.Errorf(domain.ENOTFOUND, "没有这个订阅 No such subscription")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Subscription{}, missing
	}
	p, _ := access.FromContext(r.Context())
	s, err := c.deps.Subscriptions.GetSubscription(r.Context(), id)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		return domain.Subscription{}, missing
	case err != nil:
		return domain.Subscription{}, err
	case s.UserID != p.User.ID || p.User.ID == 0:
		return domain.Subscription{}, missing
	}
	return s, nil
}

// readSubscription parses the posted form over base (ID, owner and state)
// and validates it; on a refusal it has answered and returns false.
func (c *console) readSubscription(w http.ResponseWriter, r *http.Request, base domain.Subscription, hasSecret bool) (domain.Subscription, bool) {
	if err := readForm(w, r, maxSubscriptionForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the subscription form: %w", err))
		return domain.Subscription{}, false
	}
	p, _ := access.FromContext(r.Context())
	scope := access.ScopeFrom(r.Context())
	s, err := c.parseSubscription(r.PostForm, base, scope)
	if err == nil {
		err = c.deps.ValidateSubscription(s, p.User, scope)
	}
	if err != nil {
		c.refuseSubscription(w, r, s, hasSecret, fmt.Errorf("validating a subscription of %q: %w", p.User.Name, err))
		return domain.Subscription{}, false
	}
	return s, true
}

// refuseSubscription shows the form again with what was typed (never the
// secret) and why it was refused; store failures get the error page.
func (c *console) refuseSubscription(w http.ResponseWriter, r *http.Request, s domain.Subscription, hasSecret bool, err error) {
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.ECONFLICT:
	default:
		c.fail(w, r, err)
		return
	}
	v := c.subscriptionForm(r, s, hasSecret)
	v.Error = domain.ErrorMessage(err)
	c.render(w, r, http.StatusBadRequest, "subscription.html", v)
}

// parseSubscription reads the form's fields into base. It fills in what
// it could read even when it refuses, so the form can be shown again.
func (c *console) parseSubscription(f url.Values, base domain.Subscription, scope domain.Scope) (domain.Subscription, error) {
	s := base
	s.Secret = ""
	s.Name = strings.TrimSpace(f.Get("name"))
	s.Target = strings.TrimSpace(f.Get("target"))
	s.Channel = domain.Channel(f.Get("channel"))
	s.Mode = domain.DeliveryMode(f.Get("mode"))
	s.DigestTime = strings.TrimSpace(f.Get("digest_time"))
	s.MarkIDs, s.Kinds, s.Tactics, s.Events, s.Platforms = nil, nil, nil, nil, nil
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	if s.Name == "" || utf8.RuneCountInString(s.Name) > maxNameRunes {
		bad("名称必填，最多%d字 a name of 1 to %d characters is required", maxNameRunes, maxNameRunes)
	}
	allowed := map[string]bool{}
	for _, m := range c.scopeMarks(scope) {
		allowed[m.ID] = true
	}
	for _, id := range f["marks"] {
		// Without a registry the ids cannot be listed, only checked.
		if allowed[id] || (len(c.deps.Marks) == 0 && validMarkID(id) && scope.AllowsMark(id)) {
			s.MarkIDs = append(s.MarkIDs, id)
			continue
		}
		bad("标识 %q 不在您的范围内 mark %q is not one you may subscribe to", id, id)
	}
	s.MinScore = 0
	if raw := strings.TrimSpace(f.Get("min_score")); raw != "" {
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil || n < 0 || n > 1 {
			bad("最低评分 %q 应在 0 到 1 之间 min score must be a number from 0 to 1", raw)
		} else {
			s.MinScore = n
		}
	}
	for _, k := range f["kinds"] {
		if domain.MarkKind(k).Valid() {
			s.Kinds = append(s.Kinds, domain.MarkKind(k))
		} else {
			bad("类别 %q 无效 unknown kind", k)
		}
	}
	for _, t := range f["tactics"] {
		if slices.Contains(knownTactics, t) {
			s.Tactics = append(s.Tactics, t)
		} else {
			bad("手法 %q 无效 unknown tactic", t)
		}
	}
	for _, pl := range strings.FieldsFunc(f.Get("platforms"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		if !validMarkID(pl) || len(s.Platforms) >= maxPlatforms {
			bad("平台 %q 无效（如 taobao、jd，最多%d个） platforms are ids like taobao, at most %d", pl, maxPlatforms, maxPlatforms)
			continue
		}
		s.Platforms = append(s.Platforms, pl)
	}
	for _, e := range f["events"] {
		if e == domain.EventAlert || e == domain.EventStatus {
			s.Events = append(s.Events, e)
		} else {
			bad("事件 %q 无效 unknown event", e)
		}
	}
	if !slices.Contains(domain.Channels, s.Channel) {
		bad("渠道 %q 无效 channel must be email, webhook, dingtalk or wecom", s.Channel)
	}
	if s.Target == "" || len(s.Target) > maxTargetLen {
		bad("接收地址必填 a target (e-mail address or URL) is required")
	}
	if secret := f.Get("secret"); len(secret) > maxSecretLen {
		bad("密钥过长 the secret is longer than %d bytes", maxSecretLen)
	} else {
		s.Secret = secret
	}
	switch s.Mode {
	case domain.DeliverImmediate:
		s.DigestTime, s.DigestWeekday = "", 0
	case domain.DeliverDaily, domain.DeliverWeekly:
		if _, err := time.Parse("15:04", s.DigestTime); err != nil {
			bad("摘要时间 %q 应为 HH:MM digest time must be HH:MM", s.DigestTime)
		}
		s.DigestWeekday = 0
		if s.Mode == domain.DeliverWeekly {
			n, err := strconv.Atoi(f.Get("weekday"))
			if err != nil || n < 0 || n > 6 {
				bad("星期 %q 无效 weekday must be 0 (Sunday) to 6", f.Get("weekday"))
			} else {
				s.DigestWeekday = n
			}
		}
	default:
		bad("发送方式 %q 无效 mode must be immediate, daily or weekly", s.Mode)
	}
	// A user's own switch; markwatch's reason for turning it off stays
	// until the user turns it on again.
	switch {
	case f.Get("enabled") == "on":
		s.Disabled, s.DisabledReason = false, ""
	case !base.Disabled:
		s.Disabled, s.DisabledReason = true, reasonByUser
	}
	if len(errs) > 0 {
		return s, domain.Errorf(domain.EINVALID, "%s", strings.Join(errs, "；"))
	}
	return s, nil
}

// subscriptionForm prepares the form for s; the history is read for
// saved subscriptions when a reader is wired.
func (c *console) subscriptionForm(r *http.Request, s domain.Subscription, hasSecret bool) subscriptionForm {
	title := "新建订阅 New subscription"
	if s.ID != 0 {
		title = "订阅「" + s.Name + "」Subscription"
	}
	v := subscriptionForm{
		page: c.frame(r, title), ID: s.ID, Name: s.Name, Target: s.Target, HasSecret: hasSecret,
		Platforms: strings.Join(s.Platforms, ", "), DigestTime: s.DigestTime,
		Enabled: !s.Disabled, Failed: disabledByFailures(s), Reason: s.DisabledReason,
	}
	if s.MinScore > 0 {
		v.MinScore = strconv.FormatFloat(s.MinScore, 'f', -1, 64)
	}
	for _, m := range c.scopeMarks(access.ScopeFrom(r.Context())) {
		v.Marks = append(v.Marks, choice{Value: m.ID, Label: m.Name + "（" + kindLabel(m.Kind) + "）", Checked: slices.Contains(s.MarkIDs, m.ID)})
	}
	for _, k := range []domain.MarkKind{domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI} {
		v.Kinds = append(v.Kinds, choice{Value: string(k), Label: kindLabel(k), Checked: slices.Contains(s.Kinds, k)})
	}
	for _, t := range knownTactics {
		v.Tactics = append(v.Tactics, choice{Value: t, Label: tacticLabel(t), Checked: slices.Contains(s.Tactics, t)})
	}
	for _, e := range []string{domain.EventAlert, domain.EventStatus} {
		v.Events = append(v.Events, choice{Value: e, Label: eventLabel(e), Checked: slices.Contains(s.Events, e)})
	}
	for _, ch := range domain.Channels {
		v.Channels = append(v.Channels, option{Value: string(ch), Label: channelLabel(ch), Selected: ch == s.Channel})
	}
	for _, m := range []domain.DeliveryMode{domain.DeliverImmediate, domain.DeliverDaily, domain.DeliverWeekly} {
		v.Modes = append(v.Modes, option{Value: string(m), Label: modeLabel(m), Selected: m == s.Mode})
	}
	for d := range 7 {
		v.Weekdays = append(v.Weekdays, option{Value: strconv.Itoa(d), Label: weekdayLabel(d), Selected: d == s.DigestWeekday})
	}
	if s.ID != 0 && c.deps.Notifications != nil {
		v.HasHistory = true
		v.History = c.history(r, s.ID)
	}
	return v
}

// history reads a subscription's newest deliveries. The form works without
// them, so a failure is logged and the table left empty.
func (c *console) history(r *http.Request, id int64) []notificationRow {
	ns, err := c.deps.Notifications.ListNotifications(r.Context(), id, historyLimit)
	if err != nil {
		c.log.Warn("subscription page without its delivery history",
			requestFields(r, fmt.Errorf("listing notifications of subscription %d: %w", id, err))...)
		return nil
	}
	rows := make([]notificationRow, 0, len(ns))
	for _, n := range ns {
		if n.SubscriptionID != id {
			continue
		}
		rows = append(rows, notificationRow{
			Created: c.when(n.CreatedAt), Event: eventLabel(n.Event), State: notificationLabel(n.State),
			Due: c.when(n.DueAt), Sent: c.whenPtr(n.SentAt), Error: n.LastError, AlertID: n.AlertID, Attempts: n.Attempts,
		})
	}
	return rows
}

// shortTarget cuts robot and webhook URLs to their host in lists: their
// query carries an access token, which belongs on the edit form only.
func shortTarget(s domain.Subscription) string {
	if s.Channel == domain.ChannelEmail {
		return s.Target
	}
	u, err := url.Parse(s.Target)
	if err != nil || u.Host == "" {
		return "—"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
