package notify

import (
	"context"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Sender delivers one message over one channel to the subscription's
// target. retry reports whether a failure is worth trying again later (a
// timeout, SMTP 4xx, HTTP 429/5xx) rather than given up (SMTP 5xx, HTTP
// 4xx). A Sender must not retry itself: the Deliverer schedules retries in
// the store, where they survive a restart.
type Sender interface {
	Send(ctx context.Context, sub domain.Subscription, msg Message) (retry bool, err error)
}

// Item is one event a message tells of.
type Item struct {
	Event string       // domain.EventAlert, domain.EventStatus or domain.EventDegraded
	Alert domain.Alert // zero for degraded events
	// For degraded events: the source and the health check's reasons.
	SourceID string
	Reasons  []string
	MarkName string // display name; the mark id when the registry has none
	// For status events: the status the review set, the one before, who
	// reviewed and their note (from the audit entry).
	Status   domain.AlertStatus
	Previous domain.AlertStatus
	Actor    string
	Note     string
	At       time.Time
}

// Message is what one delivery carries: one event for immediate
// subscriptions, every event of a digest period for digests. Subject, Text
// and HTML are rendered once by NewMessage, so every channel says the same.
type Message struct {
	// Key is the idempotency key: the notification's own for immediate
	// delivery, the digest's for digests. Receivers deduplicate on it.
	Key          string
	Subscription domain.Subscription
	User         domain.User
	Items        []Item
	Subject      string
	Text         string
	HTML         string
	Digest       bool
	// UnsubscribeURL turns the subscription off in one click (the
	// console's public /unsubscribe route with a signed token).
	UnsubscribeURL string
	// BaseURL is the console's address, for links to alerts.
	BaseURL string
}

// AlertURL is the console page of an alert.
func (m Message) AlertURL(id int64) string { return alertURL(m.BaseURL, id) }

// SourcesURL is the console page of sources, where a degraded source is
// looked into.
func (m Message) SourcesURL() string { return strings.TrimRight(m.BaseURL, "/") + "/sources" }
