package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/notify"
)

// startDelivery starts the deliverer that drains the notification outbox:
// subscriptions' messages by e-mail, signed webhook, DingTalk and WeCom.
// Its goroutine is owned here and stopped with the daemon; what it has not
// sent stays pending in the store for the next start.
func (d *daemon) startDelivery(bgCtx context.Context, reg prometheus.Registerer) error {
	metrics, err := notify.NewDeliveryMetrics(reg)
	if err != nil {
		return fmt.Errorf("registering delivery metrics: %w", err)
	}
	httpSender := notify.NewHTTPSender(notify.HTTPOptions{Now: d.now})
	senders := map[domain.Channel]notify.Sender{
		domain.ChannelWebhook:  httpSender,
		domain.ChannelDingTalk: httpSender,
		domain.ChannelWeCom:    httpSender,
		domain.ChannelEmail:    noSMTP{},
	}
	if smtp := d.cfg.Notify.SMTP; smtp.Host != "" {
		email, err := notify.NewEmailSender(notify.SMTPConfig{
			Host: smtp.Host, Port: smtp.Port, Security: smtp.Security,
			Username: smtp.Username, Password: smtp.Password.Value(), From: smtp.From,
		})
		if err != nil {
			return fmt.Errorf("configuring notify.smtp: %w", err)
		}
		senders[domain.ChannelEmail] = email
	}
	names := make(map[string]string, len(d.marks))
	for _, m := range d.marks {
		names[m.ID] = m.Name
	}
	del, err := notify.NewDeliverer(notify.DelivererOptions{
		Store:             d.db,
		Audit:             d.db,
		Senders:           senders,
		BaseURL:           d.baseURL(),
		UnsubscribeSecret: d.authKey,
		Marks:             func(id string) string { return names[id] },
		ScopeFor:          scopeFunc(d.marks),
		Now:               d.now,
		Rand:              rand.Float64,
		DisableAfter:      d.cfg.Notify.DisableAfter,
		Log:               d.log.Named("delivery"),
		Metrics:           metrics,
	})
	if err != nil {
		return fmt.Errorf("building the deliverer: %w", err)
	}
	d.deliverer = del
	d.goDrain(bgCtx, "deliverer", del.Run)
	return nil
}

// noSMTP stands in for e-mail while notify.smtp.host is empty: messages
// stay pending and are retried, so configuring SMTP later delivers them
// (until notify.disable_after turns the subscription off).
type noSMTP struct{}

func (noSMTP) Send(context.Context, domain.Subscription, notify.Message) (bool, error) {
	return true, errors.New("未配置邮件服务器 no mail server is configured: set notify.smtp.host (and MARKWATCH_NOTIFY_SMTP_USERNAME/PASSWORD)")
}

// kickDelivery is an alert notifier that wakes the deliverer when a crawl
// stored new alerts, so immediate subscriptions do not wait for its poll.
type kickDelivery struct{ d *notify.Deliverer }

func (kickDelivery) Name() string { return "delivery" }

func (k kickDelivery) Notify(context.Context, []domain.Alert) (bool, error) {
	k.d.Kick()
	return false, nil
}
