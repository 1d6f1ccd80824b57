package notify

import (
	"context"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// DeliveryStore is the part of the store the Deliverer needs: the
// notification outbox and what a message is built from. *store.DB
// satisfies it. Not-found errors carry domain.ENOTFOUND.
type DeliveryStore interface {
	// DueNotifications returns pending rows with due_at and
	// next_attempt_at at or before now, oldest first, at most limit.
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]domain.Notification, error)
	MarkNotificationsSent(ctx context.Context, ids []int64, messageKey string, at time.Time) error
	// RetryNotifications counts an attempt and sets the next one.
	RetryNotifications(ctx context.Context, ids []int64, next time.Time, lastError string) error
	FailNotifications(ctx context.Context, ids []int64, lastError string) error
	GetSubscription(ctx context.Context, id int64) (domain.Subscription, error)
	GetUser(ctx context.Context, id int64) (domain.User, error)
	GetAlert(ctx context.Context, id int64) (domain.Alert, error)
	// SetSubscriptionDisabled with disabled=true also cancels the
	// subscription's pending rows.
	SetSubscriptionDisabled(ctx context.Context, id int64, disabled bool, reason string) error
	// SetSubscriptionFailing records when the receiver started failing;
	// nil clears it.
	SetSubscriptionFailing(ctx context.Context, id int64, since *time.Time) error
}

// AuditReader reads the audit log, for who reviewed an alert and their
// note; *store.DB satisfies it. Optional: without it a status message says
// the alert's current status and no reviewer.
type AuditReader interface {
	ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error)
}
