package notify

import (
	"context"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// defaultDedupSize remembers about a day of alerts at a busy site; ids are
// 8 bytes, so the set stays well under a megabyte.
const defaultDedupSize = 50_000

// Dedup keeps one receiver from being sent the same alert twice: the store
// raises an alert once, but a batch retried after a partial outage, or an
// alert raised again by a re-run, would otherwise be repeated.
//
// What was sent is remembered in memory only, for the last size alert ids:
// a restart, or more than size alerts since, can mean a repeat. Repeating
// is the safe side: a receiver sees an alert twice rather than never.
// Each receiver has its own Dedup, so being sent to one says nothing about
// another. Alerts without an id (not stored) are always sent.
type Dedup struct {
	next Notifier

	mu   sync.Mutex
	sent map[int64]struct{}
	// ring holds the remembered ids oldest first from head, so the oldest
	// is forgotten when the set is full.
	ring []int64
	head int
	size int
}

// NewDedup wraps next, remembering up to size alert ids (default 50,000).
func NewDedup(next Notifier, size int) *Dedup {
	if size <= 0 {
		size = defaultDedupSize
	}
	return &Dedup{next: next, sent: make(map[int64]struct{}), size: size}
}

// Name implements Notifier.
func (d *Dedup) Name() string { return d.next.Name() }

// Notify passes on the alerts not yet delivered. Concurrent calls with the
// same new alert may both send it; the Queue's single worker per receiver
// keeps that from happening.
func (d *Dedup) Notify(ctx context.Context, alerts []domain.Alert) (bool, error) {
	fresh := d.unsent(alerts)
	if len(fresh) == 0 {
		return false, nil
	}
	retry, err := d.next.Notify(ctx, fresh)
	if err != nil {
		return retry, err
	}
	d.remember(fresh)
	return false, nil
}

// unsent returns alerts not yet sent, each id once.
func (d *Dedup) unsent(alerts []domain.Alert) []domain.Alert {
	d.mu.Lock()
	defer d.mu.Unlock()
	fresh := make([]domain.Alert, 0, len(alerts))
	inBatch := make(map[int64]struct{}, len(alerts))
	for _, a := range alerts {
		if a.ID != 0 {
			if _, ok := d.sent[a.ID]; ok {
				continue
			}
			if _, ok := inBatch[a.ID]; ok {
				continue
			}
			inBatch[a.ID] = struct{}{}
		}
		fresh = append(fresh, a)
	}
	return fresh
}

func (d *Dedup) remember(alerts []domain.Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range alerts {
		if a.ID == 0 {
			continue
		}
		if _, ok := d.sent[a.ID]; ok {
			continue
		}
		if len(d.ring) < d.size {
			d.ring = append(d.ring, a.ID)
		} else {
			delete(d.sent, d.ring[d.head])
			d.ring[d.head] = a.ID
			d.head = (d.head + 1) % d.size
		}
		d.sent[a.ID] = struct{}{}
	}
}
