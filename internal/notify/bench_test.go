package notify

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// BenchmarkNewMessage renders a 50-alert digest (subject, text and HTML).
func BenchmarkNewMessage(b *testing.B) {
	var items []Item
	for i := range 50 {
		mark := []string{"liugehetao", "hengshui", "quanjude"}[i%3]
		items = append(items, alertItem(testAlert(int64(i+1), mark, "六个核桄 核桃乳 240ml*20罐 整箱 特价 包邮", 0.8)))
	}
	for b.Loop() {
		NewMessage("mw-digest-s1-1", domain.Subscription{ID: 1}, domain.User{}, items, true, testBase, testBase+"/unsubscribe?token=x")
	}
}

// BenchmarkEmailSend is one message over a fresh loopback SMTP connection:
// plain, and STARTTLS with AUTH PLAIN.
func BenchmarkEmailSend(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts mailServerOptions
	}{{"plain", mailServerOptions{}}, {"starttls_auth", mailServerOptions{startTLS: true, user: "u", pass: "p"}}} {
		b.Run(tc.name, func(b *testing.B) {
			ms := newMailServer(b, tc.opts)
			cfg := SMTPConfig{Host: "127.0.0.1", Port: ms.port, Security: SMTPNone, From: "alerts@markwatch.example.cn", HeloName: "bench", Timeout: 5 * time.Second}
			if tc.opts.startTLS {
				cfg.Security, cfg.Username, cfg.Password = SMTPStartTLS, "u", "p"
				cfg.TLSConfig = &tls.Config{RootCAs: ms.roots, MinVersion: tls.VersionTLS12}
			}
			s, err := NewEmailSender(cfg)
			if err != nil {
				b.Fatal(err)
			}
			sub := emailSub()
			msg := emailMessage(b, sub)
			for b.Loop() {
				if _, err := s.Send(context.Background(), sub, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDelivererWebhook is one immediate notification through a
// deliverer pass: store reads, message, signed POST to a loopback
// receiver, marking sent.
func BenchmarkDelivererWebhook(b *testing.B) {
	w := newWorld(b, cst(2026, 12, 1, 10, 0, 0))
	rv := newEndpoint(b, nil).srv.URL
	w.subscribe(domain.Subscription{ID: 1, UserID: supervisor.ID, Channel: domain.ChannelWebhook, Target: rv, Secret: "s"})
	d := w.deliverer(httpSenders(), func(o *DelivererOptions) { o.Batch = 100 })
	id := int64(0)
	for b.Loop() {
		b.StopTimer()
		for range 100 {
			id++
			w.raise(hebeiAlert(id, "liugehetao", "六个核桄"))
		}
		b.StartTimer()
		if n, err := d.DeliverDue(context.Background()); n != 100 || err != nil {
			b.Fatalf("DeliverDue = %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(id), "µs/notification")
}
