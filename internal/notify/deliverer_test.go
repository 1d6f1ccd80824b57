package notify

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/subscribe"
)

// clock is an injected Now that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// cst is a wall-clock time in Asia/Shanghai.
func cst(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.FixedZone("CST", 8*3600))
}

// The registry and users of the deliverer tests: two owners and a supervisor.
func registry() []domain.Mark {
	return []domain.Mark{
		{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "养元"},
		{ID: "hengshui", Name: "衡水老白干", Kind: domain.KindTrademark, Owner: "老白干"},
	}
}

func scopeOf(u domain.User) domain.Scope {
	switch u.Role {
	case domain.RoleOwner:
		s := domain.Scope{Restricted: true}
		for _, m := range registry() {
			if m.Owner == u.Owner {
				s.MarkIDs = append(s.MarkIDs, m.ID)
			}
		}
		return s
	case domain.RoleSupervisor:
		return domain.Scope{Jurisdiction: u.Jurisdiction}
	}
	return domain.Unrestricted
}

var (
	ownerA     = domain.User{ID: 1, Name: "yangyuan", Role: domain.RoleOwner, Owner: "养元"}
	ownerB     = domain.User{ID: 2, Name: "laobaigan", Role: domain.RoleOwner, Owner: "老白干"}
	supervisor = domain.User{ID: 3, Name: "王监管", Role: domain.RoleSupervisor, Jurisdiction: "河北"}
)

// world is a store with a router in front, as the daemon wires them.
type world struct {
	t      testing.TB
	store  *memStore
	router *subscribe.Router
	clock  *clock
	reg    *prometheus.Registry
}

func newWorld(t testing.TB, start time.Time) *world {
	st := newMemStore()
	for _, u := range []domain.User{ownerA, ownerB, supervisor} {
		st.users[u.ID] = u
	}
	return &world{t: t, store: st, router: subscribe.NewRouter(registry(), scopeOf, nil), clock: &clock{t: start}, reg: prometheus.NewRegistry()}
}

func (w *world) subscribe(s domain.Subscription) {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	w.store.subs[s.ID] = s
}

// raise saves an alert and its notification rows, as SaveListing does in
// one transaction.
func (w *world) raise(a domain.Alert) {
	w.store.mu.Lock()
	w.store.alerts[a.ID] = a
	w.store.mu.Unlock()
	w.store.insert(w.router.Route(domain.AlertEvent{Kind: domain.EventAlert, Alert: a, Platform: "taobao", At: w.clock.Now()}, w.store.subscribers())...)
}

func (w *world) deliverer(senders map[domain.Channel]Sender, mod func(*DelivererOptions)) *Deliverer {
	w.t.Helper()
	m, err := NewDeliveryMetrics(prometheus.NewRegistry())
	if err != nil {
		w.t.Fatal(err)
	}
	opts := DelivererOptions{
		Store: w.store, Audit: w.store, Senders: senders, BaseURL: testBase, UnsubscribeSecret: unsubSecret,
		Marks: markNames, ScopeFor: scopeOf, Now: w.clock.Now, Rand: func() float64 { return 0 }, Metrics: m,
	}
	if mod != nil {
		mod(&opts)
	}
	d, err := NewDeliverer(opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func httpSenders() map[domain.Channel]Sender {
	s := NewHTTPSender(HTTPOptions{})
	return map[domain.Channel]Sender{domain.ChannelWebhook: s, domain.ChannelDingTalk: s, domain.ChannelWeCom: s}
}

func hebeiAlert(id int64, mark, title string) domain.Alert {
	a := testAlert(id, mark, title, 0.8)
	a.FirstSeen = time.Now()
	return a
}

// postedEvents reads a webhook delivery back.
func postedEvents(t *testing.T, p receivedPost) (key string, alerts []int64) {
	t.Helper()
	var body DeliveryPayload
	if err := json.Unmarshal(p.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.IdempotencyKey != p.Header.Get(IdempotencyHeader) {
		t.Fatalf("body key %q, header %q", body.IdempotencyKey, p.Header.Get(IdempotencyHeader))
	}
	for _, e := range body.Events {
		alerts = append(alerts, e.AlertID)
	}
	return body.IdempotencyKey, alerts
}

// TestDelivererCrashRestart: deliverers killed mid-pass (after the receiver
// saw the request, before the row was marked sent) lose nothing, and every
// duplicate the receiver sees carries the key of the first sending.
func TestDelivererCrashRestart(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 8, 0, 0))
	var (
		mu   sync.Mutex
		kill func(key string) // set per deliverer; cancels its context
	)
	rv := newEndpoint(t, func(_ int, r *http.Request, wr http.ResponseWriter) {
		mu.Lock()
		k := kill
		mu.Unlock()
		if k != nil {
			k(r.Header.Get(IdempotencyHeader))
		}
		wr.WriteHeader(http.StatusNoContent)
	})
	w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/hook", Secret: "whsec", Mode: domain.DeliverImmediate})
	w.subscribe(domain.Subscription{ID: 2, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/digest", Secret: "whsec", Mode: domain.DeliverDaily, DigestTime: "09:00"})

	// A first pass with a receiver that accepts.
	w.raise(hebeiAlert(1, "liugehetao", "六个核桄 核桃乳"))
	if n, err := w.deliverer(httpSenders(), nil).DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("first pass = %d, %v; want the immediate row sent", n, err)
	}
	for i := int64(2); i <= 4; i++ {
		w.clock.Set(w.clock.Now().Add(time.Minute))
		w.raise(hebeiAlert(i, "liugehetao", "六个核桃 高仿 礼盒"))
	}
	w.clock.Set(cst(2026, 12, 1, 9, 0, 30)) // the digest of alerts 1–4 is due

	// Deliverer A dies while alert 3's request is in flight, B while the
	// digest's is, C finishes.
	for _, victim := range []string{"mw-alert-3-s1", "mw-digest-s2-"} {
		ctx, cancel := context.WithCancel(context.Background())
		mu.Lock()
		kill = func(key string) {
			if strings.HasPrefix(key, victim) {
				cancel()
			}
		}
		mu.Unlock()
		if _, err := w.deliverer(httpSenders(), nil).DeliverDue(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("killed deliverer returned %v, want context.Canceled", err)
		}
		cancel()
	}
	mu.Lock()
	kill = nil
	mu.Unlock()
	if _, err := w.deliverer(httpSenders(), nil).DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, r := range w.store.snapshot() {
		if r.State != domain.NotifySent {
			t.Errorf("row %s is %s after the restart", r.IdempotencyKey, r.State)
		}
	}
	keyOf := map[string]string{} // "<immediate|digest>/<alert id>" → the key it came under
	seen := map[string]int{}
	for _, p := range rv.posts() {
		if err := Verify("whsec", p.Header, p.Body, time.Now(), time.Minute); err != nil {
			t.Errorf("signature: %v", err)
		}
		key, alerts := postedEvents(t, p)
		seen[key]++
		family := "immediate"
		if strings.HasPrefix(key, "mw-digest-") {
			family = "digest"
		}
		for _, id := range alerts {
			slot := family + "/" + strconv.FormatInt(id, 10)
			if prev, ok := keyOf[slot]; ok && prev != key {
				t.Errorf("alert %d came under %s and again under %s", id, prev, key)
			}
			keyOf[slot] = key
		}
	}
	want := map[string]int{"mw-alert-1-s1": 1, "mw-alert-2-s1": 1, "mw-alert-3-s1": 2, "mw-alert-4-s1": 1,
		"mw-digest-s2-" + strconv.FormatInt(cst(2026, 12, 1, 9, 0, 0).Unix(), 10): 2}
	if !maps.Equal(seen, want) {
		t.Errorf("receiver saw keys %v, want %v (duplicates only of the two killed sendings)", seen, want)
	}
	if len(keyOf) != 8 {
		t.Errorf("receiver saw %d (kind, alert) pairs, want 4 immediate + 4 in the digest", len(keyOf))
	}
}

// recorder is a Sender that keeps every message and answers from a script.
type recorder struct {
	mu      sync.Mutex
	msgs    []Message
	answers []error // per call; the last repeats; nil delivers
	retry   bool
}

func (r *recorder) Send(_ context.Context, _ domain.Subscription, m Message) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	if len(r.answers) == 0 {
		return false, nil
	}
	err := r.answers[min(len(r.msgs), len(r.answers))-1]
	return err != nil && r.retry, err
}

func (r *recorder) messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

func TestDelivererDigestByMark(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 14, 0, 0))
	ms := newMailServer(t, mailServerOptions{})
	w.subscribe(domain.Subscription{ID: 4, UserID: supervisor.ID, Name: "河北 每日汇总", Channel: domain.ChannelEmail,
		Target: "wang@scjg.hebei.example.cn", Mode: domain.DeliverDaily, DigestTime: "09:00"})
	w.raise(hebeiAlert(11, "liugehetao", "六个核桄 核桃乳"))
	w.raise(hebeiAlert(12, "hengshui", "衡水老白汗 67度"))
	w.raise(hebeiAlert(13, "liugehetao", "6个核桃 礼盒"))
	d := w.deliverer(map[domain.Channel]Sender{domain.ChannelEmail: newEmailSender(t, ms, nil)}, nil)

	w.clock.Set(cst(2026, 12, 2, 8, 59, 59))
	if n, err := d.DeliverDue(context.Background()); n != 0 || err != nil {
		t.Fatalf("before 09:00: DeliverDue = %d, %v; want nothing", n, err)
	}
	w.clock.Set(cst(2026, 12, 2, 9, 0, 5))
	if n, err := d.DeliverDue(context.Background()); n != 3 || err != nil {
		t.Fatalf("at 09:00: DeliverDue = %d, %v; want 3 rows in one message", n, err)
	}
	got := ms.received()
	if len(got) != 1 {
		t.Fatalf("%d e-mails, want one digest", len(got))
	}
	p := parseMail(t, got[0].Data)
	key := "mw-digest-s4-" + strconv.FormatInt(cst(2026, 12, 2, 9, 0, 0).Unix(), 10)
	if want := "【markwatch】六个核桃 等 2 个商标有 3 条新的疑似侵权告警"; p.subject != want {
		t.Errorf("subject %q, want %q", p.subject, want)
	}
	if id := p.header.Get("Message-Id"); id != "<"+key+"@markwatch>" {
		t.Errorf("Message-ID %q, want <%s@markwatch>", id, key)
	}
	i6, iH := strings.Index(p.text, "【六个核桃】2 条"), strings.Index(p.text, "【衡水老白干】1 条")
	if i6 < 0 || iH < i6 {
		t.Errorf("text not grouped by mark, most first:\n%s", p.text)
	}
	for _, r := range w.store.snapshot() {
		if r.State != domain.NotifySent || r.MessageKey != key {
			t.Errorf("row %s: %s under %q, want sent under %s", r.IdempotencyKey, r.State, r.MessageKey, key)
		}
	}
}

// TestDelivererOwnerScope: owner A's subscription naming owner B's mark
// gets none of B's alerts, through the Router and the Deliverer; a row that
// got past the router anyway is stopped at sending time.
func TestDelivererOwnerScope(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	rvA, rvB := newEndpoint(t, nil), newEndpoint(t, nil)
	w.subscribe(domain.Subscription{ID: 1, UserID: ownerA.ID, Channel: domain.ChannelWebhook, Target: rvA.srv.URL, MarkIDs: []string{"hengshui", "liugehetao"}})
	w.subscribe(domain.Subscription{ID: 2, UserID: ownerB.ID, Channel: domain.ChannelWebhook, Target: rvB.srv.URL})
	w.raise(hebeiAlert(21, "hengshui", "衡水老白汗 67度 500ml"))
	w.raise(hebeiAlert(22, "liugehetao", "六个核桄 核桃乳"))
	// A row the router would never write: A told of B's alert.
	w.store.insert(domain.Notification{SubscriptionID: 1, UserID: ownerA.ID, Event: domain.EventAlert, AlertID: 21, MarkID: "hengshui",
		IdempotencyKey: "forged", DueAt: w.clock.Now(), NextAttemptAt: w.clock.Now(), State: domain.NotifyPending})
	if _, err := w.deliverer(httpSenders(), nil).DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	alertsOf := func(rv *endpoint) (ids []int64) {
		for _, p := range rv.posts() {
			_, a := postedEvents(t, p)
			ids = append(ids, a...)
		}
		return ids
	}
	if got := alertsOf(rvA); !slices.Equal(got, []int64{22}) {
		t.Errorf("owner A received alerts %v, want [22]", got)
	}
	if got := alertsOf(rvB); !slices.Equal(got, []int64{21}) {
		t.Errorf("owner B received alerts %v, want [21]", got)
	}
	for _, r := range w.store.snapshot() {
		if r.IdempotencyKey == "forged" && (r.State != domain.NotifyFailed || !strings.Contains(r.LastError, "无权")) {
			t.Errorf("forged row: %s %q, want failed for scope", r.State, r.LastError)
		}
	}
}

// TestDelivererBackoffAndDisable: a receiver that keeps answering 503 is
// retried at growing intervals (30s doubling to 1h) and, once it has failed
// for longer than DisableAfter, its subscription is disabled with a reason.
func TestDelivererBackoffAndDisable(t *testing.T) {
	start := cst(2026, 12, 1, 10, 0, 0)
	w := newWorld(t, start)
	rv := newEndpoint(t, status(503, "维护中"))
	w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: rv.srv.URL + "/h?token=" + testToken})
	w.raise(hebeiAlert(31, "liugehetao", "六个核桄"))
	w.raise(hebeiAlert(32, "liugehetao", "六个核桄 礼盒"))
	m, _ := NewDeliveryMetrics(w.reg)
	d := w.deliverer(httpSenders(), func(o *DelivererOptions) { o.Metrics = m })

	var waits []time.Duration
	for pass := 0; pass < 200 && !w.store.sub(1).Disabled; pass++ {
		if _, err := d.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if fs := w.store.sub(1).FailingSince; fs == nil || !fs.Equal(start) {
			t.Fatalf("pass %d: failing since %v, want %s", pass, fs, start)
		}
		rows := w.store.snapshot()
		if rows[0].State != domain.NotifyPending {
			break
		}
		waits = append(waits, rows[0].NextAttemptAt.Sub(w.clock.Now()))
		w.clock.Set(rows[0].NextAttemptAt)
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	if len(waits) < len(want) || !slices.Equal(waits[:len(want)], want) {
		t.Fatalf("waits %v, want to start %v", waits, want)
	}
	sub := w.store.sub(1)
	if !sub.Disabled || !strings.Contains(sub.DisabledReason, "接收端持续失败") || !strings.Contains(sub.DisabledReason, "503") ||
		strings.Contains(sub.DisabledReason, testToken) {
		t.Fatalf("subscription = disabled %v %q", sub.Disabled, sub.DisabledReason)
	}
	if elapsed := w.clock.Now().Sub(start); elapsed <= 72*time.Hour || elapsed > 73*time.Hour {
		t.Errorf("disabled after %s, want just past 72h", elapsed)
	}
	// The message that failed last is failed; disabling cancelled the
	// other, as the store does for a disabled subscription's pending rows.
	rows := w.store.snapshot()
	if rows[0].State != domain.NotifyFailed || !strings.Contains(rows[0].LastError, "503") || rows[1].State != domain.NotifyCancelled {
		t.Errorf("rows %s %q / %s, want failed with the error / cancelled", rows[0].State, rows[0].LastError, rows[1].State)
	}
	if got := counterValue(t, w.reg, "markwatch_notify_delivery_failed_total", "webhook"); got != 1 {
		t.Errorf("failed counter %v, want 1", got)
	}
	if got := counterValue(t, w.reg, "markwatch_notify_delivery_retried_total", "webhook"); got != float64(2*len(waits)) {
		t.Errorf("retried counter %v, want %d", got, 2*len(waits))
	}
	if n := len(rv.posts()); n != len(waits)+1 {
		// The second message of each pass waits with the first, unsent.
		t.Errorf("receiver saw %d requests, want one per pass (%d)", n, len(waits)+1)
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, channel string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "channel" && l.GetValue() == channel {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{channel=%q}", name, channel)
	return 0
}

func TestDelivererRecoversAndGivesUp(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	flaky := &recorder{answers: []error{errors.New("connection reset"), nil}, retry: true}
	refusing := &recorder{answers: []error{errors.New("550 no such user")}}
	w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: "https://hooks.example.cn/a"})
	w.subscribe(domain.Subscription{ID: 2, UserID: supervisor.ID, Channel: domain.ChannelEmail, Target: "nobody@example.cn"})
	w.raise(hebeiAlert(41, "liugehetao", "六个核桄"))
	d := w.deliverer(map[domain.Channel]Sender{domain.ChannelWebhook: flaky, domain.ChannelEmail: refusing}, nil)
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.store.sub(1).FailingSince == nil || w.store.sub(2).FailingSince != nil {
		t.Fatalf("after the first pass: failing since %v / %v; want only the flaky receiver failing",
			w.store.sub(1).FailingSince, w.store.sub(2).FailingSince)
	}
	w.clock.Set(w.clock.Now().Add(31 * time.Second))
	if n, err := d.DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("second pass = %d, %v", n, err)
	}
	if w.store.sub(1).FailingSince != nil {
		t.Error("a delivery did not clear the failing state")
	}
	for _, r := range w.store.snapshot() {
		switch r.SubscriptionID {
		case 1:
			if r.State != domain.NotifySent || r.Attempts != 1 {
				t.Errorf("flaky row: %s after %d attempts, want sent after 1", r.State, r.Attempts)
			}
		case 2:
			if r.State != domain.NotifyFailed || !strings.Contains(r.LastError, "550") || len(refusing.messages()) != 1 {
				t.Errorf("refused row: %s %q after %d sends, want failed at once", r.State, r.LastError, len(refusing.messages()))
			}
		}
	}
}

func TestDelivererSkips(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	rec := &recorder{}
	disabled := domain.User{ID: 9, Name: "离职", Role: domain.RoleSupervisor, Disabled: true}
	w.store.users[disabled.ID] = disabled
	w.subscribe(domain.Subscription{ID: 1, UserID: disabled.ID, Channel: domain.ChannelWebhook, Target: "https://h.example.cn"})
	w.subscribe(domain.Subscription{ID: 2, UserID: supervisor.ID, Channel: domain.ChannelWeCom, Target: "https://qyapi.weixin.qq.com/x"})
	w.subscribe(domain.Subscription{ID: 3, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: "https://h.example.cn"})
	now := w.clock.Now()
	row := func(sub, alert int64, key string) domain.Notification {
		return domain.Notification{SubscriptionID: sub, Event: domain.EventAlert, AlertID: alert, IdempotencyKey: key, DueAt: now, NextAttemptAt: now, State: domain.NotifyPending}
	}
	w.store.alerts[51] = hebeiAlert(51, "liugehetao", "六个核桄")
	w.store.insert(row(1, 51, "user-off"), row(2, 51, "no-sender"), row(3, 404, "alert-gone"), row(99, 51, "sub-gone"), row(3, 51, "ok"))
	n, err := w.deliverer(map[domain.Channel]Sender{domain.ChannelWebhook: rec}, nil).DeliverDue(context.Background())
	if n != 1 || err != nil {
		t.Fatalf("DeliverDue = %d, %v; want only the ok row", n, err)
	}
	want := map[string]string{"user-off": "停用", "no-sender": "wecom", "alert-gone": "告警已不存在", "sub-gone": "已删除"}
	for _, r := range w.store.snapshot() {
		if r.IdempotencyKey == "ok" {
			continue
		}
		if r.State != domain.NotifyFailed || !strings.Contains(r.LastError, want[r.IdempotencyKey]) {
			t.Errorf("%s: %s %q, want failed mentioning %q", r.IdempotencyKey, r.State, r.LastError, want[r.IdempotencyKey])
		}
	}
}

func TestDelivererStatusMessage(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	rec := &recorder{}
	w.subscribe(domain.Subscription{ID: 1, UserID: ownerA.ID, Channel: domain.ChannelWebhook, Target: "https://h.example.cn", Events: []string{domain.EventStatus}})
	a := hebeiAlert(61, "liugehetao", "六个核桄 核桃乳")
	w.raise(a) // the owner asked for status events only: no row
	a.Status = domain.AlertConfirmed
	w.store.alerts[61] = a
	actor := domain.Actor{UserID: supervisor.ID, Name: supervisor.Name, Role: domain.RoleSupervisor}
	w.store.audit = append(w.store.audit, domain.AuditEntry{ID: 700, At: w.clock.Now(), Actor: actor, Action: domain.AuditAlertReview,
		Object: "alert:61", MarkID: "liugehetao", Before: json.RawMessage(`{"status":"open"}`), After: json.RawMessage(`{"status":"confirmed"}`), Note: "已移交衡水市市场监管局"})
	w.store.insert(w.router.Route(domain.AlertEvent{Kind: domain.EventStatus, Alert: a, AuditID: 700, Actor: &actor,
		Review: &domain.Review{Status: domain.AlertConfirmed, Note: "已移交衡水市市场监管局"}, At: w.clock.Now()}, w.store.subscribers())...)
	if n, err := w.deliverer(map[domain.Channel]Sender{domain.ChannelWebhook: rec}, nil).DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("DeliverDue = %d, %v", n, err)
	}
	m := rec.messages()[0]
	if m.Key != "mw-status-700-s1" || m.Subject != "【markwatch】王监管 确认了疑似侵权告警 #61（六个核桃）" ||
		!strings.Contains(m.Text, "备注：已移交衡水市市场监管局") || !strings.Contains(m.Text, "待处理 → 已确认") {
		t.Errorf("message %s %q:\n%s", m.Key, m.Subject, m.Text)
	}
}

func TestNewDelivererChecks(t *testing.T) {
	st := newMemStore()
	for name, o := range map[string]DelivererOptions{
		"no store":       {BaseURL: testBase, UnsubscribeSecret: unsubSecret},
		"relative base":  {Store: st, BaseURL: "/console", UnsubscribeSecret: unsubSecret},
		"short secret":   {Store: st, BaseURL: testBase, UnsubscribeSecret: []byte("short")},
		"ftp base":       {Store: st, BaseURL: "ftp://x.example.cn", UnsubscribeSecret: unsubSecret},
		"missing secret": {Store: st, BaseURL: testBase},
	} {
		if _, err := NewDeliverer(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
