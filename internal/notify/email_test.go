package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/markwatch/markwatch/internal/domain"
)

func emailSub() domain.Subscription {
	return domain.Subscription{ID: 7, UserID: 1, Name: "六个核桃 即时", Channel: domain.ChannelEmail, Target: "法务部 <legal@yangyuan.example.cn>"}
}

func emailMessage(t testing.TB, sub domain.Subscription) Message {
	t.Helper()
	items := []Item{
		alertItem(testAlert(1, "liugehetao", "六个核桄 核桃乳 240ml*20罐", 0.83)),
		alertItem(testAlert(2, "hengshui", "衡水老白汗 67度", 0.72)),
	}
	unsub := testBase + "/unsubscribe?token=" + url.QueryEscape(UnsubscribeToken(unsubSecret, sub.ID))
	return NewMessage("mw-digest-s7-1796086800", sub, domain.User{ID: 1, Name: "yangyuan"}, items, true, testBase, unsub)
}

func newEmailSender(t *testing.T, ms *mailServer, mod func(*SMTPConfig)) *EmailSender {
	t.Helper()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: ms.port, Security: SMTPNone, From: "markwatch <alerts@markwatch.example.cn>", HeloName: "markwatch.test", Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewEmailSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parsedMail is a received message read back the way a mail client would.
type parsedMail struct {
	header      mail.Header
	subject     string
	text, html  string
	contentType string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading message: %v\n%s", err, data)
	}
	p := parsedMail{header: m.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("decoding subject %q: %v", m.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	p.contentType = mt
	if mt != "multipart/alternative" {
		t.Fatalf("Content-Type %s, want multipart/alternative", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // undoes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part)
		switch ct, cp, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); {
		case ct == "text/plain" && strings.EqualFold(cp["charset"], "utf-8"):
			p.text = strings.ReplaceAll(string(body), "\r\n", "\n") // SMTP lines end in CRLF
		case ct == "text/html" && strings.EqualFold(cp["charset"], "utf-8"):
			p.html = string(body)
		default:
			t.Errorf("unexpected part %s", part.Header.Get("Content-Type"))
		}
	}
	return p
}

func TestEmailMessage(t *testing.T) {
	ms := newMailServer(t, mailServerOptions{})
	sub := emailSub()
	msg := emailMessage(t, sub)
	retry, err := newEmailSender(t, ms, nil).Send(context.Background(), sub, msg)
	if err != nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	got := ms.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "alerts@markwatch.example.cn" || len(got[0].To) != 1 || got[0].To[0] != "legal@yangyuan.example.cn" {
		t.Errorf("envelope from %q to %q", got[0].From, got[0].To)
	}
	p := parseMail(t, got[0].Data)
	if p.subject != msg.Subject || !strings.Contains(p.subject, "六个核桃 等 2 个商标有 2 条新的疑似侵权告警") {
		t.Errorf("subject decodes to %q, want %q", p.subject, msg.Subject)
	}
	if p.text != msg.Text || !strings.Contains(p.text, "衡水老白汗 67度") {
		t.Errorf("text part:\n%s\nwant:\n%s", p.text, msg.Text)
	}
	if !strings.Contains(p.html, "<a href=\""+testBase+"/alerts/1\">") {
		t.Errorf("html part lacks the console link:\n%s", p.html)
	}
	if id := p.header.Get("Message-Id"); id != "<"+msg.Key+"@markwatch>" {
		t.Errorf("Message-ID %q, want <%s@markwatch>", id, msg.Key)
	}
	lu := p.header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+testBase+"/unsubscribe?token=") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	u, err := url.Parse(strings.Trim(lu, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := ParseUnsubscribeToken(unsubSecret, u.Query().Get("token")); err != nil || id != sub.ID {
		t.Errorf("List-Unsubscribe token gives %d, %v; want subscription %d", id, err, sub.ID)
	}
	if v := p.header.Get("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", v)
	}
}

func TestEmailStartTLSAuthPlain(t *testing.T) {
	ms := newMailServer(t, mailServerOptions{startTLS: true, user: "markwatch", pass: "p@ss-不要记录"})
	sub := emailSub()
	tlsCfg := func(c *SMTPConfig) {
		c.Security, c.Username, c.Password = SMTPStartTLS, "markwatch", "p@ss-不要记录"
		c.TLSConfig = &tls.Config{RootCAs: ms.roots, MinVersion: tls.VersionTLS12}
	}
	if retry, err := newEmailSender(t, ms, tlsCfg).Send(context.Background(), sub, emailMessage(t, sub)); err != nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	if got := ms.received(); len(got) != 1 || got[0].Auth != "markwatch" {
		t.Fatalf("received %+v, want one message from the authenticated user", got)
	}

	// A wrong password is a 535: permanent, and the password is not in the error.
	retry, err := newEmailSender(t, ms, func(c *SMTPConfig) { tlsCfg(c); c.Password = "wrong-secret" }).Send(context.Background(), sub, emailMessage(t, sub))
	if err == nil || retry || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("wrong password: Send = %v, %v; want a permanent error without the password", retry, err)
	}
	// An untrusted certificate is refused before AUTH: the password never travels.
	retry, err = newEmailSender(t, ms, func(c *SMTPConfig) { tlsCfg(c); c.TLSConfig = nil }).Send(context.Background(), sub, emailMessage(t, sub))
	if err == nil || !retry {
		t.Errorf("untrusted cert: Send = %v, %v; want a retryable error", retry, err)
	}
	if n := len(ms.received()); n != 1 {
		t.Errorf("server holds %d messages, want 1", n)
	}
}

func TestEmailStartTLSRequired(t *testing.T) {
	ms := newMailServer(t, mailServerOptions{}) // offers no STARTTLS
	sub := emailSub()
	retry, err := newEmailSender(t, ms, func(c *SMTPConfig) {
		c.Security, c.Username, c.Password = SMTPStartTLS, "markwatch", "secret"
	}).Send(context.Background(), sub, emailMessage(t, sub))
	if err == nil || !retry || len(ms.received()) != 0 {
		t.Errorf("Send = %v, %v; want no plain-text fallback", retry, err)
	}
}

func TestEmailReplies(t *testing.T) {
	tests := []struct {
		name      string
		replies   []error
		wantRetry []bool // per Send; false with wantErr false is delivered
		wantErr   []bool
	}{
		{"451 then accepted", []error{smtpReply(451, smtp.EnhancedCode{4, 7, 1}, "greylisted, try again later"), nil}, []bool{true, false}, []bool{true, false}},
		{"550 is permanent", []error{smtpReply(550, smtp.EnhancedCode{5, 1, 1}, "mailbox unavailable")}, []bool{false}, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := newMailServer(t, mailServerOptions{replies: tt.replies})
			s := newEmailSender(t, ms, nil)
			sub := emailSub()
			for i := range tt.wantRetry {
				retry, err := s.Send(context.Background(), sub, emailMessage(t, sub))
				if retry != tt.wantRetry[i] || (err != nil) != tt.wantErr[i] {
					t.Fatalf("Send #%d = %v, %v; want retry %v, error %v", i+1, retry, err, tt.wantRetry[i], tt.wantErr[i])
				}
			}
		})
	}
}

func TestEmailUnreachable(t *testing.T) {
	ms := newMailServer(t, mailServerOptions{})
	s := newEmailSender(t, ms, func(c *SMTPConfig) { c.Port = 1 }) // nothing listens on port 1
	if retry, err := s.Send(context.Background(), emailSub(), emailMessage(t, emailSub())); err == nil || !retry {
		t.Errorf("Send = %v, %v; want a retryable error", retry, err)
	}
}

func TestNewEmailSenderChecks(t *testing.T) {
	for _, cfg := range []SMTPConfig{
		{From: "a@b.cn"},
		{Host: "smtp.example.cn", From: "not an address"},
		{Host: "smtp.example.cn", From: "a@b.cn", Security: "ssl"},
	} {
		if _, err := NewEmailSender(cfg); err == nil {
			t.Errorf("NewEmailSender(%+v) accepted", cfg)
		}
	}
	s, err := NewEmailSender(SMTPConfig{Host: "smtp.example.cn", From: "a@b.cn", Security: SMTPTLS})
	if err != nil || s.cfg.Port != 465 {
		t.Errorf("tls default port = %d, %v; want 465", s.cfg.Port, err)
	}
}

// TestDelivererEmailGreylisted: a relay answering 451 leaves the row
// pending with the reply as its last error; the retry 30s later is
// accepted, once, under the row's own key.
func TestDelivererEmailGreylisted(t *testing.T) {
	w := newWorld(t, cst(2026, 12, 1, 10, 0, 0))
	ms := newMailServer(t, mailServerOptions{replies: []error{smtpReply(451, smtp.EnhancedCode{4, 7, 1}, "greylisted"), nil}})
	w.subscribe(domain.Subscription{ID: 3, UserID: supervisor.ID, Name: "即时", Channel: domain.ChannelEmail, Target: "wang@scjg.example.cn"})
	w.raise(hebeiAlert(71, "liugehetao", "六个核桄 核桃乳"))
	d := w.deliverer(map[domain.Channel]Sender{domain.ChannelEmail: newEmailSender(t, ms, nil)}, nil)
	if n, err := d.DeliverDue(context.Background()); n != 0 || err != nil {
		t.Fatalf("first pass = %d, %v; want the row kept for later", n, err)
	}
	r := w.store.snapshot()[0]
	if r.State != domain.NotifyPending || r.Attempts != 1 || !strings.Contains(r.LastError, "451") || !r.NextAttemptAt.Equal(w.clock.Now().Add(30*time.Second)) {
		t.Fatalf("after 451: %+v", r)
	}
	w.clock.Set(r.NextAttemptAt)
	if n, err := d.DeliverDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("retry = %d, %v", n, err)
	}
	got := ms.received()
	if len(got) != 1 {
		t.Fatalf("%d messages accepted, want 1", len(got))
	}
	p := parseMail(t, got[0].Data)
	if id := p.header.Get("Message-Id"); id != "<mw-alert-71-s3@markwatch>" || p.subject != "【markwatch】六个核桃 新的疑似侵权告警：六个核桄 核桃乳" {
		t.Errorf("Message-ID %q subject %q", id, p.subject)
	}
	if w.store.sub(3).FailingSince != nil {
		t.Error("the accepted retry did not clear the failing state")
	}
}
