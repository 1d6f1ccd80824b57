-- markwatch schema, version 2: accounts, roles, audit, subscriptions,
-- durable notifications and seller claims (docs/ACCESS.md).
-- Credentials are stored only as hashes (sessions, tokens) or as the PHC
-- string of a password hash, and the store hands the latter out through one
-- method only (GetPasswordHash).

-- users: names compare case-insensitively so "Admin" and "admin" cannot be
-- two accounts that look the same in the audit log.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    role                 TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'supervisor', 'owner')),
    owner                TEXT    NOT NULL DEFAULT '',
    jurisdiction         TEXT    NOT NULL DEFAULT '',
    email                TEXT    NOT NULL DEFAULT '',
    password_hash        TEXT    NOT NULL DEFAULT '',
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at           INTEGER NOT NULL
);

-- sessions: keyed by the SHA-256 of the cookie secret; a copy of the
-- database lets nobody sign in.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    remote_addr TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- audit_log: append-only. The actor is copied, not referenced, so the log
-- still says who acted after an account is renamed or removed. mark_id lets
-- an owner read the part of the log about its own marks.
CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY,
    at                INTEGER NOT NULL,
    actor_user_id     INTEGER NOT NULL DEFAULT 0,
    actor_name        TEXT    NOT NULL DEFAULT '',
    actor_role        TEXT    NOT NULL DEFAULT '',
    actor_via         TEXT    NOT NULL DEFAULT '',
    actor_remote_addr TEXT    NOT NULL DEFAULT '',
    action            TEXT    NOT NULL,
    object            TEXT    NOT NULL DEFAULT '',
    mark_id           TEXT    NOT NULL DEFAULT '',
    before            TEXT    NOT NULL DEFAULT '',
    after             TEXT    NOT NULL DEFAULT '',
    note              TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_mark ON audit_log (mark_id, id DESC);
CREATE INDEX audit_log_object ON audit_log (object, id DESC);

-- subscriptions: filter lists are JSON arrays ("[]" selects everything).
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL DEFAULT '',
    mark_ids        TEXT    NOT NULL DEFAULT '[]',
    min_score       REAL    NOT NULL DEFAULT 0 CHECK (min_score >= 0 AND min_score <= 1),
    kinds           TEXT    NOT NULL DEFAULT '[]',
    tactics         TEXT    NOT NULL DEFAULT '[]',
    platforms       TEXT    NOT NULL DEFAULT '[]',
    events          TEXT    NOT NULL DEFAULT '[]',
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook', 'dingtalk', 'wecom')),
    target          TEXT    NOT NULL,
    secret          TEXT    NOT NULL DEFAULT '',
    mode            TEXT    NOT NULL CHECK (mode IN ('immediate', 'daily', 'weekly')),
    digest_time     TEXT    NOT NULL DEFAULT '',
    digest_weekday  INTEGER NOT NULL DEFAULT 0 CHECK (digest_weekday BETWEEN 0 AND 6),
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    disabled_reason TEXT    NOT NULL DEFAULT '',
    failing_since   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, id DESC);

-- notifications: the delivery outbox, written in the same transaction as
-- the alert or review it announces, so a crash loses no message and a retry
-- sends none twice (receivers deduplicate on idempotency_key). Rows outlive
-- their subscription as delivery history (subscription_id becomes NULL);
-- deleting a subscription cancels its pending rows first.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL CHECK (event IN ('alert', 'status')),
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
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
    message_key     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notifications_due ON notifications (due_at, id) WHERE state = 'pending';
CREATE INDEX notifications_subscription ON notifications (subscription_id, id DESC);

-- seller_claims: an owner's "this seller is authorised". At most one claim
-- per (mark, seller) waits for a decision at a time.
CREATE TABLE seller_claims (
    id         INTEGER PRIMARY KEY,
    mark_id    TEXT    NOT NULL,
    seller     TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    claimed_by TEXT    NOT NULL, -- domain.Actor as JSON
    decided_by TEXT,
    created_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE UNIQUE INDEX seller_claims_pending ON seller_claims (mark_id, seller) WHERE status = 'pending';
CREATE INDEX seller_claims_status ON seller_claims (status, mark_id);
