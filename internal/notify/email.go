package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/markwatch/markwatch/internal/domain"
)

// SMTP security modes.
const (
	SMTPStartTLS = "starttls" // port 587: plain connect, then STARTTLS (required)
	SMTPTLS      = "tls"      // port 465: TLS from the first byte
	SMTPNone     = "none"     // port 25 inside a trusted network only
)

// SMTPConfig is the mail relay markwatch sends through. Password comes from
// the daemon's secret file, never from the config file, and is never
// logged or put in an error.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls, 25 for none.
	Port int
	// Security is starttls (default), tls or none. With starttls the
	// relay must offer STARTTLS: markwatch does not fall back to plain
	// text, which would hand the password to anyone on the path.
	Security string
	// Username empty sends without AUTH; otherwise the strongest mechanism
	// the relay offers is used (PLAIN or LOGIN only over TLS).
	Username string
	Password string
	// From is the sender, "markwatch <alerts@example.cn>" or a bare address.
	From     string
	HeloName string        // default the host's name
	Timeout  time.Duration // connect and each command; default 30s
	// TLSConfig, when set, replaces the default (system roots, ServerName
	// Host): for a relay with a private CA.
	TLSConfig *tls.Config
}

// EmailSender delivers messages by SMTP, one connection per message: a
// notification daemon sends a few messages a minute, and a fresh
// connection never trips over a relay's idle timeout.
type EmailSender struct {
	cfg  SMTPConfig
	from *mail.Address
}

// NewEmailSender checks the configuration and fills defaults.
func NewEmailSender(cfg SMTPConfig) (*EmailSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("configuring SMTP: host is empty")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("configuring SMTP: from %q: %w", cfg.From, err)
	}
	if cfg.Security == "" {
		cfg.Security = SMTPStartTLS
	}
	defaultPort := map[string]int{SMTPStartTLS: 587, SMTPTLS: 465, SMTPNone: 25}[cfg.Security]
	if defaultPort == 0 {
		return nil, fmt.Errorf("configuring SMTP: security %q: want %s, %s or %s", cfg.Security, SMTPStartTLS, SMTPTLS, SMTPNone)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &EmailSender{cfg: cfg, from: from}, nil
}

// client makes a go-mail client for one delivery. It does no I/O.
func (s *EmailSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.Security {
	case SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SMTPTLS:
		opts = append(opts, gomail.WithSSL())
	case SMTPNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.TLSConfig != nil {
		tc := s.cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.cfg.Host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if s.cfg.HeloName != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HeloName))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring SMTP client for %s: %w", s.cfg.Host, err)
	}
	return c, nil
}

// mailMessage builds the MIME message: UTF-8 subject, a plain-text and an
// HTML alternative, the idempotency key as Message-ID (a mail system
// drops a second copy with the same id), and one-click unsubscribe
// headers (RFC 2369, RFC 8058) that mail clients show as a button.
func (s *EmailSender) mailMessage(sub domain.Subscription, msg Message) (*gomail.Msg, error) {
	to := sub.Target
	if strings.TrimSpace(to) == "" {
		to = msg.User.Email
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return nil, fmt.Errorf("subscription %d: recipient is not an e-mail address: %w", sub.ID, err)
	}
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	m.FromMailAddress(s.from)
	m.ToMailAddress(rcpt)
	m.Subject(msg.Subject)
	m.SetMessageIDWithValue(msg.Key + "@markwatch")
	m.SetDate()
	m.SetUserAgent("markwatch")
	// Precedence: bulk and X-Auto-Response-Suppress keep vacation
	// auto-replies away from the relay's sender address.
	m.SetBulk()
	if msg.UnsubscribeURL != "" {
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+msg.UnsubscribeURL+">")
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return m, nil
}

// Send implements Sender. SMTP 4xx (greylisting, a full mailbox, a busy
// relay) and network failures are retried; 5xx (no such user, refused,
// bad credentials) are not.
func (s *EmailSender) Send(ctx context.Context, sub domain.Subscription, msg Message) (bool, error) {
	m, err := s.mailMessage(sub, msg)
	if err != nil {
		return false, fmt.Errorf("sending e-mail: %w", err)
	}
	c, err := s.client()
	if err != nil {
		return false, fmt.Errorf("sending e-mail: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return smtpRetryable(err), fmt.Errorf("sending e-mail via %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return false, nil
}

// smtpRetryable reads the SMTP reply code out of a go-mail error: a 5xx
// reply is permanent, a 4xx one temporary, and anything without a code (a
// refused connection, a timeout, a TLS handshake) is worth another try.
func smtpRetryable(err error) bool {
	var serr *gomail.SendError
	if errors.As(err, &serr) {
		if code := serr.ErrorCode(); code >= 400 && code < 600 {
			return code < 500
		}
		if serr.IsTemp() {
			return true
		}
	}
	var perr *textproto.Error
	if errors.As(err, &perr) && perr.Code >= 400 && perr.Code < 600 {
		return perr.Code < 500
	}
	return true
}
