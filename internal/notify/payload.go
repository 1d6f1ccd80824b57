package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// Payload is the JSON body a webhook receives. Receivers should ignore
// fields they do not know: new ones may be added, none removed or renamed.
type Payload struct {
	Alerts []PayloadAlert `json:"alerts"`
	SentAt time.Time      `json:"sent_at"`
}

// PayloadAlert is a stored alert as sent, with the mark's display name and a
// one-line summary in Chinese that a chat receiver can show as it is.
type PayloadAlert struct {
	domain.Alert
	MarkName string `json:"mark_name"`
	Summary  string `json:"summary"`
}

// MarkNamer returns a mark's display name (六个核桃) for its id, or "" when
// unknown; alerts carry only the id.
type MarkNamer func(markID string) string

// encodePayload builds the request body. sentAt is also the signed timestamp
// header's value, so a receiver can check that they agree.
func encodePayload(alerts []domain.Alert, sentAt time.Time, name MarkNamer) ([]byte, error) {
	p := Payload{Alerts: make([]PayloadAlert, len(alerts)), SentAt: sentAt.UTC()}
	for i, a := range alerts {
		mark := markName(a.MarkID, name)
		p.Alerts[i] = PayloadAlert{Alert: a, MarkName: mark, Summary: summary(mark, a)}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding webhook payload of %d alerts: %w", len(alerts), err)
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
