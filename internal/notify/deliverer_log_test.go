package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// TestDelivererLogs: each failed delivery is logged once, with snake_case
// fields, and no log line holds a robot's token, a webhook secret, the
// SMTP password or a recipient's local part.
func TestDelivererLogs(t *testing.T) {
	const password = "smtp-p4ss-不要记录"
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	rv := newEndpoint(t, status(503, "busy"))
	ms := newMailServer(t, mailServerOptions{startTLS: true, user: "markwatch", pass: "the-right-one"})
	w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelDingTalk, Target: rv.srv.URL + "/robot/send?access_token=" + testToken, Secret: testSecret})
	w.subscribe(domain.Subscription{ID: 2, UserID: supervisor.ID, Channel: domain.ChannelEmail, Target: "wang.secretname@scjg.example.cn"})
	w.raise(hebeiAlert(81, "liugehetao", "六个核桄"))
	email := newEmailSender(t, ms, func(c *SMTPConfig) {
		c.Security, c.Username, c.Password = SMTPStartTLS, "markwatch", password
		c.TLSConfig = &tls.Config{RootCAs: ms.roots, MinVersion: tls.VersionTLS12}
	})
	core, logs := observer.New(zap.DebugLevel)
	senders := httpSenders()
	senders[domain.ChannelEmail] = email
	d := w.deliverer(senders, func(o *DelivererOptions) { o.Log = zap.New(core) })
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(w.clock.Now().Add(2 * time.Minute))
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	perSub := map[any]int{}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, e := range logs.All() {
		line := e.Message + fmt.Sprint(e.ContextMap())
		for _, secret := range []string{testToken, testSecret, password, "the-right-one", "wang.secretname", "/robot/send"} {
			if strings.Contains(line, secret) {
				t.Errorf("log %q holds %q", line, secret)
			}
		}
		for _, f := range e.Context {
			if !snake.MatchString(f.Key) {
				t.Errorf("log field %q is not snake_case", f.Key)
			}
		}
		perSub[e.ContextMap()["subscription_id"]]++
	}
	// The robot failed twice (retried), the relay refused AUTH once (given up).
	if perSub[int64(1)] != 2 || perSub[int64(2)] != 1 {
		t.Errorf("log lines per subscription %v, want 2 for the robot and 1 for e-mail", perSub)
	}
}
