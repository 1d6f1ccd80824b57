package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const subscriptionColumns = `s.id, s.user_id, s.name, s.mark_ids, s.min_score, s.kinds, s.tactics, s.platforms,
	s.events, s.channel, s.target, s.secret, s.mode, s.digest_time, s.digest_weekday, s.disabled,
	s.disabled_reason, s.failing_since, s.created_at, s.updated_at`

// CreateSubscription stores a subscription and records subscription.create.
func (db *DB) CreateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error) {
	s.Name, s.Target = strings.TrimSpace(s.Name), strings.TrimSpace(s.Target)
	if err := validateSubscription(s); err != nil {
		return domain.Subscription{}, err
	}
	s.CreatedAt = db.stamp()
	s.UpdatedAt = s.CreatedAt
	if !s.Disabled {
		s.DisabledReason = ""
	}
	s.FailingSince = nil
	lists, err := encodeLists(s)
	if err != nil {
		return domain.Subscription{}, err
	}
	err = db.inTx(ctx, "creating subscription "+s.Name, func(tx *sql.Tx) error {
		if err := userExists(ctx, tx, s.UserID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO subscriptions
			(user_id, name, mark_ids, min_score, kinds, tactics, platforms, events, channel, target, secret, mode,
			 digest_time, digest_weekday, disabled, disabled_reason, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.UserID, s.Name, lists[0], s.MinScore, lists[1], lists[2], lists[3], lists[4], string(s.Channel), s.Target,
			s.Secret, string(s.Mode), s.DigestTime, s.DigestWeekday, s.Disabled, s.DisabledReason,
			toMillis(s.CreatedAt), toMillis(s.UpdatedAt)).Scan(&s.ID)
		if err != nil {
			return fmt.Errorf("inserting: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditSubscriptionCreate, Object: fmt.Sprintf("subscription:%d", s.ID),
			After: subscriptionDoc(s),
		})
		return err
	})
	if err != nil {
		return domain.Subscription{}, err
	}
	return s, nil
}

// UpdateSubscription replaces a subscription's settings and records
// subscription.update. An empty Secret keeps the stored one (forms never
// echo it back); the owner, creation time and failure state are the
// store's to keep. Disabling cancels its pending notifications; enabling
// again clears the reason and the failure state.
func (db *DB) UpdateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error) {
	s.Name, s.Target = strings.TrimSpace(s.Name), strings.TrimSpace(s.Target)
	if err := validateSubscription(s); err != nil {
		return domain.Subscription{}, err
	}
	lists, err := encodeLists(s)
	if err != nil {
		return domain.Subscription{}, err
	}
	err = db.inTx(ctx, fmt.Sprintf("updating subscription %d", s.ID), func(tx *sql.Tx) error {
		old, err := getSubscription(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		s.UserID, s.CreatedAt, s.UpdatedAt = old.UserID, old.CreatedAt, db.stamp()
		if s.Secret == "" {
			s.Secret = old.Secret
		}
		if s.Disabled {
			s.FailingSince = old.FailingSince
			if s.DisabledReason == "" {
				s.DisabledReason = old.DisabledReason
			}
		} else {
			s.DisabledReason, s.FailingSince = "", nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET
			name = ?, mark_ids = ?, min_score = ?, kinds = ?, tactics = ?, platforms = ?, events = ?, channel = ?,
			target = ?, secret = ?, mode = ?, digest_time = ?, digest_weekday = ?, disabled = ?, disabled_reason = ?,
			failing_since = ?, updated_at = ? WHERE id = ?`,
			s.Name, lists[0], s.MinScore, lists[1], lists[2], lists[3], lists[4], string(s.Channel), s.Target,
			s.Secret, string(s.Mode), s.DigestTime, s.DigestWeekday, s.Disabled, s.DisabledReason,
			nullMillis(s.FailingSince), toMillis(s.UpdatedAt), s.ID)
		if err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		if s.Disabled {
			if err := cancelPending(ctx, tx, s.ID); err != nil {
				return err
			}
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditSubscriptionUpdate, Object: fmt.Sprintf("subscription:%d", s.ID),
			Before: subscriptionDoc(old), After: subscriptionDoc(s),
		})
		return err
	})
	if err != nil {
		return domain.Subscription{}, err
	}
	return s, nil
}

// DeleteSubscription removes a subscription and records subscription.delete.
// Its pending notifications are cancelled first; sent ones stay as history.
func (db *DB) DeleteSubscription(ctx context.Context, id int64, actor domain.Actor) error {
	return db.inTx(ctx, fmt.Sprintf("deleting subscription %d", id), func(tx *sql.Tx) error {
		old, err := getSubscription(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := cancelPending(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = ?", id); err != nil {
			return fmt.Errorf("deleting: %w", err)
		}
		_, err = db.appendAudit(ctx, tx, domain.AuditEntry{
			Actor: actor, Action: domain.AuditSubscriptionDelete, Object: fmt.Sprintf("subscription:%d", id),
			Before: subscriptionDoc(old),
		})
		return err
	})
}

// GetSubscription returns a subscription with its secret, for the
// deliverer, which signs with it. Never hand it to a renderer as is.
func (db *DB) GetSubscription(ctx context.Context, id int64) (domain.Subscription, error) {
	s, err := getSubscription(ctx, db.sql, id)
	if err != nil {
		return domain.Subscription{}, fmt.Errorf("reading subscription %d: %w", id, err)
	}
	return s, nil
}

// ListSubscriptions returns a user's subscriptions, or everyone's for
// userID 0, newest first. Secrets are left out: lists are for showing.
func (db *DB) ListSubscriptions(ctx context.Context, userID int64) ([]domain.Subscription, error) {
	q, args := "SELECT "+subscriptionColumns+" FROM subscriptions s", []any{}
	if userID != 0 {
		q, args = q+" WHERE s.user_id = ?", append(args, userID)
	}
	rows, err := db.sql.QueryContext(ctx, q+" ORDER BY s.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	out, err := scanAll(rows, scanSubscription)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	for i := range out {
		out[i].Secret = ""
	}
	return out, nil
}

// SetSubscriptionDisabled is for the deliverer (a receiver that kept
// failing) and the unsubscribe link; user edits go through
// UpdateSubscription, which audits. Disabling cancels pending rows so a
// receiver that asked to stop hears nothing more; enabling clears the reason
// and the failure state.
func (db *DB) SetSubscriptionDisabled(ctx context.Context, id int64, disabled bool, reason string) error {
	if !disabled {
		reason = ""
	}
	return db.inTx(ctx, fmt.Sprintf("setting subscription %d disabled=%t", id, disabled), func(tx *sql.Tx) error {
		q := "UPDATE subscriptions SET disabled = ?, disabled_reason = ?, updated_at = ?"
		if !disabled {
			q += ", failing_since = NULL"
		}
		res, err := tx.ExecContext(ctx, q+" WHERE id = ?", disabled, reason, toMillis(db.stamp()), id)
		if err != nil {
			return fmt.Errorf("updating: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("updating: %w", err)
		} else if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
		}
		if disabled {
			return cancelPending(ctx, tx, id)
		}
		return nil
	})
}

// SetSubscriptionFailing records since when deliveries to a subscription
// fail; nil clears it after a success. An earlier time is kept, so a
// deliverer may pass the time of every failure and the row still says when
// the failing began (which notify.disable_after is measured from).
func (db *DB) SetSubscriptionFailing(ctx context.Context, id int64, since *time.Time) error {
	q, args := "UPDATE subscriptions SET failing_since = NULL WHERE id = ?", []any{id}
	if since != nil {
		q, args = "UPDATE subscriptions SET failing_since = coalesce(failing_since, ?) WHERE id = ?", []any{toMillis(*since), id}
	}
	res, err := db.wr.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("recording failures of subscription %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("recording failures of subscription %d: %w", id, err)
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
	}
	return nil
}

// rowQuerier is what getSubscription needs from *sql.DB and *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getSubscription(ctx context.Context, q rowQuerier, id int64) (domain.Subscription, error) {
	s, err := scanSubscription(q.QueryRowContext(ctx, "SELECT "+subscriptionColumns+" FROM subscriptions s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Subscription{}, domain.Errorf(domain.ENOTFOUND, "subscription %d does not exist", id)
	}
	if err != nil {
		return domain.Subscription{}, fmt.Errorf("reading subscription %d: %w", id, err)
	}
	return s, nil
}

func userExists(ctx context.Context, q rowQuerier, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "user %d does not exist", id)
	}
	if err != nil {
		return fmt.Errorf("reading user %d: %w", id, err)
	}
	return nil
}

// encodeLists returns mark_ids, kinds, tactics, platforms and events as
// JSON arrays, "[]" for none, so a NULL never means "everything" by accident.
func encodeLists(s domain.Subscription) ([5]string, error) {
	var out [5]string
	for i, v := range []any{nonNil(s.MarkIDs), nonNil(s.Kinds), nonNil(s.Tactics), nonNil(s.Platforms), nonNil(s.Events)} {
		b, err := json.Marshal(v)
		if err != nil {
			return out, fmt.Errorf("encoding subscription filters: %w", err)
		}
		out[i] = string(b)
	}
	return out, nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func scanSubscription(sc scanner) (domain.Subscription, error) {
	var (
		s                                      domain.Subscription
		marks, kinds, tactics, platforms, evts string
		channel, mode                          string
		failing                                sql.NullInt64
		created, updated                       int64
	)
	err := sc.Scan(&s.ID, &s.UserID, &s.Name, &marks, &s.MinScore, &kinds, &tactics, &platforms, &evts, &channel,
		&s.Target, &s.Secret, &mode, &s.DigestTime, &s.DigestWeekday, &s.Disabled, &s.DisabledReason, &failing,
		&created, &updated)
	if err != nil {
		return domain.Subscription{}, err
	}
	s.Channel, s.Mode = domain.Channel(channel), domain.DeliveryMode(mode)
	s.FailingSince, s.CreatedAt, s.UpdatedAt = fromNullMillis(failing), fromMillis(created), fromMillis(updated)
	for _, l := range []struct {
		text string
		into any
	}{{marks, &s.MarkIDs}, {kinds, &s.Kinds}, {tactics, &s.Tactics}, {platforms, &s.Platforms}, {evts, &s.Events}} {
		if err := json.Unmarshal([]byte(l.text), l.into); err != nil {
			return domain.Subscription{}, fmt.Errorf("subscription %d: decoding filter %q: %w", s.ID, l.text, err)
		}
	}
	return s, nil
}
