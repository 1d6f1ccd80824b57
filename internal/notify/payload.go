package notify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// DeliveryPayload is the JSON body the webhook channel receives, signed
// with the X-Markwatch-* headers (see SignatureHeader). Receivers should
// ignore fields they do not know: new ones may be added, none removed or
// renamed.
type DeliveryPayload struct {
	IdempotencyKey string         `json:"idempotency_key"`
	SubscriptionID int64          `json:"subscription_id"`
	Digest         bool           `json:"digest"`
	Subject        string         `json:"subject"`
	Alerts         []PayloadAlert `json:"alerts"`
	Events         []PayloadEvent `json:"events"`
	SentAt         time.Time      `json:"sent_at"`
}

// PayloadAlert is a stored alert as sent, with the mark's display name and a
// one-line summary in Chinese that a chat receiver can show as it is.
type PayloadAlert struct {
	domain.Alert
	MarkName string `json:"mark_name"`
	Summary  string `json:"summary"`
}

// PayloadEvent is one item of a delivered message: what happened to which
// alert.
type PayloadEvent struct {
	Event      string             `json:"event"`
	AlertID    int64              `json:"alert_id"`
	MarkID     string             `json:"mark_id"`
	MarkName   string             `json:"mark_name"`
	Status     domain.AlertStatus `json:"status,omitempty"`
	Previous   domain.AlertStatus `json:"previous_status,omitempty"`
	Actor      string             `json:"actor,omitempty"`
	Note       string             `json:"note,omitempty"`
	ConsoleURL string             `json:"console_url"`
	// SourceID and Reasons are set for degraded events (alert_id is 0).
	SourceID string   `json:"source_id,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
}

// deliveryJSON builds the webhook channel's body: each alert once, and an
// event per item. now is also the signed timestamp header's value, so a
// receiver can check that they agree.
func deliveryJSON(msg Message, now time.Time) ([]byte, error) {
	p := DeliveryPayload{
		IdempotencyKey: msg.Key, SubscriptionID: msg.Subscription.ID, Digest: msg.Digest,
		Subject: msg.Subject, Alerts: []PayloadAlert{}, Events: []PayloadEvent{}, SentAt: now.UTC(),
	}
	seen := map[int64]bool{}
	for _, it := range msg.Items {
		if it.Event == domain.EventDegraded {
			p.Events = append(p.Events, PayloadEvent{
				Event: it.Event, SourceID: it.SourceID, Reasons: it.Reasons, ConsoleURL: msg.SourcesURL(),
			})
			continue
		}
		mark := cmp.Or(it.MarkName, it.Alert.MarkID)
		if !seen[it.Alert.ID] {
			seen[it.Alert.ID] = true
			p.Alerts = append(p.Alerts, PayloadAlert{Alert: it.Alert, MarkName: mark, Summary: summary(mark, it.Alert)})
		}
		p.Events = append(p.Events, PayloadEvent{
			Event: it.Event, AlertID: it.Alert.ID, MarkID: it.Alert.MarkID, MarkName: mark,
			Status: it.Status, Previous: it.Previous, Actor: it.Actor, Note: it.Note,
			ConsoleURL: msg.AlertURL(it.Alert.ID),
		})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding delivery payload %s: %w", msg.Key, err)
	}
	return body, nil
}

// summary is the line a person reads first: which mark, which listing, who
// sells it and where. Missing seller or location are left out rather than
// shown as empty slots.
func summary(mark string, a domain.Alert) string {
	var b strings.Builder
	b.WriteString("疑似侵权: ")
	b.WriteString(mark)
	b.WriteString(" — ")
	b.WriteString(a.Title)
	var who []string
	for _, s := range []string{a.Seller, a.Location} {
		if s = strings.TrimSpace(s); s != "" {
			who = append(who, s)
		}
	}
	if len(who) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(who, ", "))
		b.WriteString(")")
	}
	return b.String()
}
