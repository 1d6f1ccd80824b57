package notify

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// memStore is an in-memory DeliveryStore and AuditReader with the
// contract's semantics (docs/ACCESS.md): rows keyed by idempotency key,
// due rows oldest first, disabling cancels pending rows.
type memStore struct {
	mu     sync.Mutex
	nextID int64
	rows   []*domain.Notification
	subs   map[int64]domain.Subscription
	users  map[int64]domain.User
	alerts map[int64]domain.Alert
	audit  []domain.AuditEntry
	// failRead, when set, makes DueNotifications fail (a locked database).
	failRead error
	// afterCall, when set, runs after every method with its name.
	afterCall func(method string)
}

func newMemStore() *memStore {
	return &memStore{subs: map[int64]domain.Subscription{}, users: map[int64]domain.User{}, alerts: map[int64]domain.Alert{}}
}

func (s *memStore) called(m string) {
	if s.afterCall != nil {
		s.afterCall(m)
	}
}

// insert adds rows as the store's ON CONFLICT (idempotency_key) DO NOTHING.
func (s *memStore) insert(ns ...domain.Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range ns {
		if slices.ContainsFunc(s.rows, func(r *domain.Notification) bool { return r.IdempotencyKey == n.IdempotencyKey }) {
			continue
		}
		s.nextID++
		n.ID = s.nextID
		s.rows = append(s.rows, &n)
	}
}

// subscribers is what the store hands the Router: enabled subscriptions of
// enabled users.
func (s *memStore) subscribers() []domain.Subscriber {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Subscriber
	for _, sub := range s.subs {
		if u := s.users[sub.UserID]; !sub.Disabled && !u.Disabled {
			out = append(out, domain.Subscriber{Subscription: sub, User: u})
		}
	}
	slices.SortFunc(out, func(a, b domain.Subscriber) int { return cmp.Compare(a.Subscription.ID, b.Subscription.ID) })
	return out
}

func (s *memStore) snapshot() []domain.Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Notification, len(s.rows))
	for i, r := range s.rows {
		out[i] = *r
	}
	return out
}

func (s *memStore) sub(id int64) domain.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subs[id]
}

func (s *memStore) DueNotifications(_ context.Context, now time.Time, limit int) ([]domain.Notification, error) {
	defer s.called("DueNotifications")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failRead != nil {
		return nil, s.failRead
	}
	var out []domain.Notification
	for _, r := range s.rows {
		if r.State == domain.NotifyPending && !r.DueAt.After(now) && !r.NextAttemptAt.After(now) {
			out = append(out, *r)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Notification) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(limit, len(out))], nil
}

func (s *memStore) update(ids []int64, f func(*domain.Notification)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if slices.Contains(ids, r.ID) {
			f(r)
		}
	}
}

func (s *memStore) MarkNotificationsSent(_ context.Context, ids []int64, key string, at time.Time) error {
	defer s.called("MarkNotificationsSent")
	s.update(ids, func(r *domain.Notification) { r.State, r.MessageKey, r.SentAt = domain.NotifySent, key, &at })
	return nil
}

func (s *memStore) RetryNotifications(_ context.Context, ids []int64, next time.Time, lastError string) error {
	defer s.called("RetryNotifications")
	s.update(ids, func(r *domain.Notification) { r.Attempts++; r.NextAttemptAt, r.LastError = next, lastError })
	return nil
}

func (s *memStore) FailNotifications(_ context.Context, ids []int64, lastError string) error {
	defer s.called("FailNotifications")
	s.update(ids, func(r *domain.Notification) { r.State, r.LastError = domain.NotifyFailed, lastError })
	return nil
}

func (s *memStore) GetSubscription(_ context.Context, id int64) (domain.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[id]
	if !ok {
		return sub, domain.Errorf(domain.ENOTFOUND, "subscription %d not found", id)
	}
	return sub, nil
}

func (s *memStore) GetUser(_ context.Context, id int64) (domain.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return u, domain.Errorf(domain.ENOTFOUND, "user %d not found", id)
	}
	return u, nil
}

func (s *memStore) GetAlert(_ context.Context, id int64) (domain.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alerts[id]
	if !ok {
		return a, domain.Errorf(domain.ENOTFOUND, "alert %d not found", id)
	}
	return a, nil
}

func (s *memStore) SetSubscriptionDisabled(_ context.Context, id int64, disabled bool, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[id]
	sub.Disabled, sub.DisabledReason = disabled, reason
	s.subs[id] = sub
	if disabled {
		for _, r := range s.rows {
			if r.SubscriptionID == id && r.State == domain.NotifyPending {
				r.State = domain.NotifyCancelled
			}
		}
	}
	return nil
}

func (s *memStore) SetSubscriptionFailing(_ context.Context, id int64, since *time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[id]
	sub.FailingSince = since
	s.subs[id] = sub
	return nil
}

func (s *memStore) ListAudit(_ context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.AuditEntry
	for _, e := range slices.Backward(s.audit) {
		if (f.Object == "" || e.Object == f.Object) && (f.Action == "" || strings.HasPrefix(e.Action, f.Action)) {
			out = append(out, e)
		}
	}
	return out, len(out), nil
}
