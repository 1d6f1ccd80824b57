package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const notificationColumns = `id, coalesce(subscription_id, 0), user_id, event, coalesce(alert_id, 0), coalesce(audit_id, 0), mark_id,
	idempotency_key, due_at, state, attempts, next_attempt_at, last_error, created_at, sent_at, message_key, source_id, reasons`

// route turns events into notification rows inside the caller's
// transaction: the alert or review and the promise to tell its subscribers
// commit together, so a crash between them can neither lose a message nor
// announce something that was rolled back. Subscribers are read once, and
// only when there is something to tell and someone to decide who hears it.
func (db *DB) route(ctx context.Context, tx querier, events []domain.AlertEvent) error {
	if db.router == nil || len(events) == 0 {
		return nil
	}
	subs, err := loadSubscribers(ctx, tx)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return nil
	}
	now := db.stamp()
	for _, ev := range events {
		ns, err := callRouter(db.router, ev, subs)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if err := insertNotification(ctx, tx, n, now); err != nil {
				if ev.Kind == domain.EventDegraded {
					return fmt.Errorf("queueing degraded notification for source %s: %w", ev.SourceID, err)
				}
				return fmt.Errorf("queueing %s notification for alert %d: %w", ev.Kind, ev.Alert.ID, err)
			}
		}
	}
	return nil
}

// callRouter turns a panicking router into an error. The router runs while
// the one write connection is inside a transaction; a panic escaping here
// would leave that transaction open and every later write waiting on it.
func callRouter(router func(domain.AlertEvent, []domain.Subscriber) []domain.Notification,
	ev domain.AlertEvent, subs []domain.Subscriber) (ns []domain.Notification, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = domain.Errorf(domain.EINTERNAL, "routing %s event of alert %d (source %q): router panicked: %v", ev.Kind, ev.Alert.ID, ev.SourceID, r)
		}
	}()
	return router(ev, subs), nil
}

// loadSubscribers reads enabled subscriptions of enabled users. Secrets are
// left out: the router decides who hears what, it signs nothing.
func loadSubscribers(ctx context.Context, tx querier) ([]domain.Subscriber, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+subscriptionColumns+", "+prefixed("u.", userColumns)+`
		FROM subscriptions s JOIN users u ON u.id = s.user_id
		WHERE s.disabled = 0 AND u.disabled = 0 ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("reading subscribers: %w", err)
	}
	defer rows.Close()
	var out []domain.Subscriber
	for rows.Next() {
		var sub domain.Subscriber
		us := &userScan{}
		s, err := scanSubscription(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, us.dest()...)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("reading subscribers: %w", err)
		}
		s.Secret = ""
		sub.Subscription, sub.User = s, us.user()
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading subscribers: %w", err)
	}
	return out, nil
}

// insertNotification stores one row the router returned. The same event
// routed twice (a retried review, a replayed batch) hits the unique
// idempotency key and is dropped, so receivers hear of it once.
func insertNotification(ctx context.Context, tx querier, n domain.Notification, now time.Time) error {
	if n.IdempotencyKey == "" {
		return domain.Errorf(domain.EINVALID, "notification for subscription %d has no idempotency key", n.SubscriptionID)
	}
	if n.DueAt.IsZero() {
		n.DueAt = now
	}
	if n.NextAttemptAt.IsZero() {
		n.NextAttemptAt = n.DueAt
	}
	if n.State == "" {
		n.State = domain.NotifyPending
	}
	var audit sql.NullInt64
	if n.AuditID != 0 {
		audit = sql.NullInt64{Int64: n.AuditID, Valid: true}
	}
	var alert sql.NullInt64
	if n.AlertID != 0 {
		alert = sql.NullInt64{Int64: n.AlertID, Valid: true}
	}
	reasons := ""
	if len(n.Reasons) > 0 {
		b, err := json.Marshal(n.Reasons)
		if err != nil {
			return fmt.Errorf("encoding reasons of notification %s: %w", n.IdempotencyKey, err)
		}
		reasons = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications
		(subscription_id, user_id, event, alert_id, audit_id, mark_id, idempotency_key, due_at, state, attempts,
		 next_attempt_at, last_error, created_at, message_key, source_id, reasons)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?, '', ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING`,
		n.SubscriptionID, n.UserID, n.Event, alert, audit, n.MarkID, n.IdempotencyKey, toMillis(n.DueAt),
		string(n.State), toMillis(n.NextAttemptAt), toMillis(now), n.SourceID, reasons)
	if err != nil {
		return fmt.Errorf("inserting notification %s: %w", n.IdempotencyKey, err)
	}
	return nil
}

// cancelPending cancels a subscription's undelivered rows (deleted,
// disabled or unsubscribed).
func cancelPending(ctx context.Context, tx execer, subscriptionID int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE notifications SET state = 'cancelled' WHERE subscription_id = ? AND state = 'pending'",
		subscriptionID)
	if err != nil {
		return fmt.Errorf("cancelling pending notifications of subscription %d: %w", subscriptionID, err)
	}
	return nil
}

// DueNotifications returns up to limit pending rows that are due and not
// waiting for a retry, oldest due first.
func (db *DB) DueNotifications(ctx context.Context, now time.Time, limit int) ([]domain.Notification, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("reading due notifications: %w", err)
	}
	return db.queryNotifications(ctx, "reading due notifications",
		"SELECT "+notificationColumns+` FROM notifications
		WHERE state = 'pending' AND due_at <= ? AND next_attempt_at <= ? ORDER BY due_at, id LIMIT ?`,
		toMillis(now), toMillis(now), limit)
}

// ListNotifications returns a subscription's delivery history, newest first.
func (db *DB) ListNotifications(ctx context.Context, subscriptionID int64, limit int) ([]domain.Notification, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("listing notifications: %w", err)
	}
	return db.queryNotifications(ctx, fmt.Sprintf("listing notifications of subscription %d", subscriptionID),
		"SELECT "+notificationColumns+" FROM notifications WHERE subscription_id = ? ORDER BY id DESC LIMIT ?",
		subscriptionID, limit)
}

// PendingNotifications counts undelivered rows (a metric).
func (db *DB) PendingNotifications(ctx context.Context) (int, error) {
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM notifications WHERE state = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("counting pending notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationsSent records that rows went out in the message with the
// given key (their own key, or a digest's). Rows already sent keep their
// first record, so a duplicate acknowledgement cannot rewrite history.
func (db *DB) MarkNotificationsSent(ctx context.Context, ids []int64, messageKey string, at time.Time) error {
	return db.updateNotifications(ctx, fmt.Sprintf("marking %d notifications sent", len(ids)), ids,
		"UPDATE notifications SET state = 'sent', sent_at = ?, message_key = ?, last_error = '' WHERE state != 'sent' AND id IN",
		toMillis(at), messageKey)
}

// RetryNotifications counts a failed attempt and schedules the next one;
// the rows stay pending.
func (db *DB) RetryNotifications(ctx context.Context, ids []int64, next time.Time, lastError string) error {
	return db.updateNotifications(ctx, fmt.Sprintf("scheduling retry of %d notifications", len(ids)), ids,
		"UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE state = 'pending' AND id IN",
		toMillis(next), lastError)
}

// FailNotifications gives up on pending rows, keeping the error to show.
func (db *DB) FailNotifications(ctx context.Context, ids []int64, lastError string) error {
	return db.updateNotifications(ctx, fmt.Sprintf("failing %d notifications", len(ids)), ids,
		"UPDATE notifications SET state = 'failed', last_error = ? WHERE state = 'pending' AND id IN",
		lastError)
}

// updateNotifications runs prefix "(ids…)" over ids in one transaction, so
// a message's rows change state together.
func (db *DB) updateNotifications(ctx context.Context, what string, ids []int64, prefix string, args ...any) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, what, func(tx *sql.Tx) error {
		for _, chunk := range chunks(ids) {
			a := append(append([]any{}, args...), int64sToAny(chunk)...)
			if _, err := tx.ExecContext(ctx, prefix+" ("+placeholders(len(chunk))+")", a...); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) queryNotifications(ctx context.Context, what, q string, args ...any) ([]domain.Notification, error) {
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []domain.Notification{}
	for rows.Next() {
		var (
			n                  domain.Notification
			state              string
			due, next, created int64
			sent               sql.NullInt64
			reasons            string
		)
		if err := rows.Scan(&n.ID, &n.SubscriptionID, &n.UserID, &n.Event, &n.AlertID, &n.AuditID, &n.MarkID,
			&n.IdempotencyKey, &due, &state, &n.Attempts, &next, &n.LastError, &created, &sent, &n.MessageKey, &n.SourceID, &reasons); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if reasons != "" {
			if err := json.Unmarshal([]byte(reasons), &n.Reasons); err != nil {
				return nil, fmt.Errorf("%s: notification %d reasons: %w", what, n.ID, err)
			}
		}
		n.State = domain.NotificationState(state)
		n.DueAt, n.NextAttemptAt, n.CreatedAt, n.SentAt = fromMillis(due), fromMillis(next), fromMillis(created), fromNullMillis(sent)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
