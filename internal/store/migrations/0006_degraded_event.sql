-- markwatch schema, version 6: degraded-source notifications. The event
-- CHECK of notifications cannot change without rebuilding the table, and a
-- degraded event has no alert, so alert_id becomes nullable; source_id and
-- reasons (a JSON array) say which source and why. Rows keep their ids, so
-- delivery history and idempotency keys survive. Nothing references
-- notifications, so dropping the old table cascades nowhere.
CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL CHECK (event IN ('alert', 'status', 'degraded')),
    alert_id        INTEGER REFERENCES alerts (id),
    audit_id        INTEGER REFERENCES audit_log (id),
    mark_id         TEXT    NOT NULL DEFAULT '',
    idempotency_key TEXT    NOT NULL UNIQUE,
    due_at          INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    message_key     TEXT    NOT NULL DEFAULT '',
    source_id       TEXT    NOT NULL DEFAULT '',
    reasons         TEXT    NOT NULL DEFAULT '',
    CHECK ((event = 'degraded') = (alert_id IS NULL))
);
INSERT INTO notifications_new
    (id, subscription_id, user_id, event, alert_id, audit_id, mark_id, idempotency_key, due_at, state, attempts,
     next_attempt_at, last_error, created_at, sent_at, message_key)
SELECT id, subscription_id, user_id, event, alert_id, audit_id, mark_id, idempotency_key, due_at, state, attempts,
     next_attempt_at, last_error, created_at, sent_at, message_key
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (due_at, id) WHERE state = 'pending';
CREATE INDEX notifications_subscription ON notifications (subscription_id, id DESC);
