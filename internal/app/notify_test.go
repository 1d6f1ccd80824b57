package app

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/notify"
)

// receiver is a real HTTP endpoint that records what each delivery said:
// the idempotency key and the alerts' ids and marks. While hold is set it
// keeps requests waiting, as a slow receiver would while the daemon dies.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server

	mu     sync.Mutex
	hold   bool
	keys   map[int64][]string // alert id → idempotency keys it came with
	marks  map[string]int
	bodies []string
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t, secret: secret, keys: map[int64][]string{}, marks: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	hold := r.hold
	r.mu.Unlock()
	if hold {
		select { // the daemon gives up on us, or the test ends
		case <-req.Context().Done():
		case <-time.After(20 * time.Second):
		}
		http.Error(w, "held", http.StatusServiceUnavailable)
		return
	}
	if r.secret != "" {
		if err := notify.Verify(r.secret, req.Header, body, time.Now(), time.Minute); err != nil {
			r.t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	}
	var p struct {
		IdempotencyKey string         `json:"idempotency_key"`
		Alerts         []domain.Alert `json:"alerts"`
		Msgtype        string         `json:"msgtype"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		r.t.Errorf("delivery body: %v: %s", err, body)
	}
	key := req.Header.Get(notify.IdempotencyHeader)
	if p.IdempotencyKey != "" && p.IdempotencyKey != key {
		r.t.Errorf("body key %q, header key %q", p.IdempotencyKey, key)
	}
	r.mu.Lock()
	for _, a := range p.Alerts {
		r.keys[a.ID] = append(r.keys[a.ID], key)
		r.marks[a.MarkID]++
	}
	r.bodies = append(r.bodies, string(body))
	r.mu.Unlock()
	if p.Msgtype != "" { // a chat robot answers errcode 0
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}
}

func (r *receiver) setHold(h bool) {
	r.mu.Lock()
	r.hold = h
	r.mu.Unlock()
}

func (r *receiver) snapshot() (map[int64][]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make(map[int64][]string, len(r.keys))
	for id, k := range r.keys {
		keys[id] = append([]string(nil), k...)
	}
	return keys, append([]string(nil), r.bodies...)
}

func waitUntil(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConfigWebhookSurvivesAKilledDaemon: a configured webhook is a durable
// subscription. The daemon is stopped while the receiver holds its first
// request, with the rest still pending; a new daemon on the same data
// delivers every alert, and an alert seen twice came both times with the
// same idempotency key.
func TestConfigWebhookSurvivesAKilledDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	const secret = "s3cret-for-tests"
	rcv := newReceiver(t, secret)
	rcv.setHold(true)
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Notify.Webhooks = []config.Webhook{{URL: rcv.srv.URL + "/hook", Secret: config.Secret(secret)}}
	runs := make(chan domain.CrawlRun, 4)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	run := within(t, runs, 90*time.Second, "the first crawl run")
	if run.Alerts == 0 {
		t.Fatalf("first run raised no alerts: %+v", run)
	}
	pending, err := d.db.PendingNotifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pending != run.Alerts {
		t.Fatalf("%d notifications pending, want one per alert (%d): rows must be written with the alerts", pending, run.Alerts)
	}
	d.stop(context.Background()) // mid-delivery: the receiver is holding a request

	rcv.setHold(false)
	cfg.Crawl.RunOnStart = false
	d, err = startDaemon(context.Background(), cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	waitUntil(t, "every alert delivered after the restart", 60*time.Second, func() bool {
		keys, _ := rcv.snapshot()
		return len(keys) == run.Alerts
	})
	keys, _ := rcv.snapshot()
	for id, ks := range keys {
		for _, k := range ks {
			if k != ks[0] {
				t.Errorf("alert %d delivered under two keys: %v", id, ks)
			}
		}
		if len(ks) > 1 {
			t.Logf("alert %d delivered %d times, same key %s (at least once)", id, len(ks), ks[0])
		}
	}
	waitUntil(t, "the outbox to drain", 10*time.Second, func() bool {
		n, err := d.db.PendingNotifications(context.Background())
		return err == nil && n == 0
	})
}

// TestEveryChannelReachesOnlyItsOwner: owners A and B each subscribe by
// e-mail (a real SMTP server here), signed webhook, DingTalk and WeCom
// (local robots); each receives alerts on its own marks only.
func TestEveryChannelReachesOnlyItsOwner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	sink := newSMTPSink(t)
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Notify.SMTP = config.SMTP{Host: sink.host, Port: sink.port, Security: "none", From: "markwatch <alerts@markwatch.test>"}
	cfg.Crawl.RunOnStart = false // subscriptions first, then the crawl
	runs := make(chan domain.CrawlRun, 2)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(context.Background())
	ctx := context.Background()
	marksOf := map[string]map[string]bool{}
	receivers := map[string]map[domain.Channel]*receiver{}
	for _, o := range []struct{ user, owner string }{{"owner-a", ownerA}, {"owner-b", ownerB}} {
		testToken(t, d.db, o.user, domain.RoleOwner, o.owner)
		u, err := d.db.GetUserByName(ctx, o.user)
		if err != nil {
			t.Fatal(err)
		}
		marksOf[o.user] = map[string]bool{}
		for _, id := range marksByOwner(d.marks)[o.owner] {
			marksOf[o.user][id] = true
		}
		receivers[o.user] = map[domain.Channel]*receiver{}
		for _, ch := range []domain.Channel{domain.ChannelEmail, domain.ChannelWebhook, domain.ChannelDingTalk, domain.ChannelWeCom} {
			s := domain.Subscription{UserID: u.ID, Name: string(ch), Channel: ch, Mode: domain.DeliverImmediate}
			switch ch {
			case domain.ChannelEmail:
				s.Target = o.user + "@owner.test"
			default:
				r := newReceiver(t, "")
				if ch == domain.ChannelWebhook {
					r.secret = "hook-secret-" + o.user
					s.Secret = r.secret
				}
				receivers[o.user][ch] = r
				s.Target = r.srv.URL + "/robot/send?access_token=tok-" + o.user
			}
			if _, err := d.db.CreateSubscription(ctx, s, domain.SystemActor); err != nil {
				t.Fatal(err)
			}
		}
	}
	triggerRun(t, d, runs, demoSourceID)
	all := func() []domain.Alert {
		as, _, err := d.db.ListAlerts(ctx, domain.AlertFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return as
	}
	waitUntil(t, "the outbox to drain", 60*time.Second, func() bool {
		n, err := d.db.PendingNotifications(ctx)
		return err == nil && n == 0 && len(all()) > 0
	})
	want := map[string]int{}
	for _, a := range all() {
		for user, marks := range marksOf {
			if marks[a.MarkID] {
				want[user]++
			}
		}
	}
	if want["owner-a"] == 0 || want["owner-b"] == 0 {
		t.Fatalf("demo raised alerts for A %d and B %d; both needed", want["owner-a"], want["owner-b"])
	}
	for user, byCh := range receivers {
		webhookKeys, _ := byCh[domain.ChannelWebhook].snapshot()
		if len(webhookKeys) != want[user] {
			t.Errorf("%s's webhook got %d alerts, want %d", user, len(webhookKeys), want[user])
		}
		for id := range webhookKeys {
			a, err := d.db.GetAlert(ctx, id)
			if err != nil || !marksOf[user][a.MarkID] {
				t.Errorf("%s's webhook received alert %d on %s", user, id, a.MarkID)
			}
		}
		for _, ch := range []domain.Channel{domain.ChannelDingTalk, domain.ChannelWeCom} {
			_, bodies := byCh[ch].snapshot()
			if len(bodies) != want[user] {
				t.Errorf("%s's %s robot got %d messages, want %d", user, ch, len(bodies), want[user])
			}
			for _, b := range bodies {
				for _, other := range otherOwnerNames(d, user, marksOf) {
					if strings.Contains(b, other) {
						t.Errorf("%s's %s robot was told of %s: %.200s", user, ch, other, b)
					}
				}
			}
		}
	}
	// A supervisor's review reaches the owner of the mark, and only it.
	sup := domain.Actor{UserID: 0, Name: "王监管", Role: domain.RoleSupervisor, Via: "session"}
	var reviewed = map[string]int64{}
	for _, a := range all() {
		for user, marks := range marksOf {
			if marks[a.MarkID] && reviewed[user] == 0 {
				if _, err := d.db.ReviewAlert(ctx, a.ID, domain.Review{Status: domain.AlertConfirmed, Note: "已核实 假冒"}, sup); err != nil {
					t.Fatal(err)
				}
				reviewed[user] = a.ID
			}
		}
	}
	d.deliverer.Kick()
	statusOf := func(body string) int64 {
		var p struct {
			Events []struct {
				Event   string `json:"event"`
				AlertID int64  `json:"alert_id"`
				Note    string `json:"note"`
			} `json:"events"`
		}
		_ = json.Unmarshal([]byte(body), &p)
		for _, e := range p.Events {
			if e.Event == domain.EventStatus && e.Note == "已核实 假冒" {
				return e.AlertID
			}
		}
		return 0
	}
	for user, byCh := range receivers {
		var got []int64
		waitUntil(t, user+"'s status message", 30*time.Second, func() bool {
			got = got[:0]
			_, bodies := byCh[domain.ChannelWebhook].snapshot()
			for _, b := range bodies {
				if id := statusOf(b); id != 0 {
					got = append(got, id)
				}
			}
			return len(got) > 0
		})
		if len(got) != 1 || got[0] != reviewed[user] {
			t.Errorf("%s was told of reviews %v, want only its own alert %d", user, got, reviewed[user])
		}
	}

	mails := map[string][]sunkMail{}
	waitUntil(t, "the status messages to drain", 30*time.Second, func() bool {
		n, err := d.db.PendingNotifications(ctx)
		return err == nil && n == 0
	})
	statusMails := map[string]int{}
	for _, m := range sink.all() {
		if strings.Contains(m.Data, "Message-ID: <mw-status-") {
			for _, to := range m.To {
				statusMails[strings.TrimSuffix(to, "@owner.test")]++
			}
			continue
		}
		for _, to := range m.To {
			mails[strings.TrimSuffix(to, "@owner.test")] = append(mails[strings.TrimSuffix(to, "@owner.test")], m)
		}
	}
	subject := regexp.MustCompile(`(?m)^Subject: (.*)$`)
	dec := new(mime.WordDecoder)
	for user, n := range want {
		if statusMails[user] != 1 {
			t.Errorf("%s got %d status e-mails, want 1 (its own alert's review)", user, statusMails[user])
		}
		if len(mails[user]) != n {
			t.Errorf("%s got %d e-mails, want %d", user, len(mails[user]), n)
		}
		for _, m := range mails[user] {
			subj := ""
			if s := subject.FindStringSubmatch(m.Data); s != nil {
				subj, _ = dec.DecodeHeader(strings.TrimSpace(s[1]))
			}
			for _, other := range otherOwnerNames(d, user, marksOf) {
				if strings.Contains(subj, other) {
					t.Errorf("%s's e-mail is about %s: %s", user, other, subj)
				}
			}
			if !strings.Contains(m.Data, "List-Unsubscribe:") || !strings.Contains(m.Data, "Message-ID: <mw-alert-") {
				t.Errorf("%s's e-mail lacks List-Unsubscribe or its idempotency Message-ID:\n%.600s", user, m.Data)
			}
		}
	}
}

// otherOwnerNames are the names of marks user may not see.
func otherOwnerNames(d *daemon, user string, marksOf map[string]map[string]bool) []string {
	var out []string
	for _, m := range d.marks {
		if !marksOf[user][m.ID] && (m.ID == "liugehetao" || m.ID == "hengshui-laobaigan") {
			out = append(out, m.Name)
		}
	}
	return out
}
