-- markwatch schema, version 3: evidence, listing versions and enforcement
-- cases (docs/EVIDENCE.md). Evidence rows are append-only: triggers refuse
-- to change or remove a capture, and a tree head may only get its TSA stamp,
-- once. Times the evidence log signs or hashes (captured_at_ns,
-- created_at_ns) are Unix nanoseconds, so the record hash and the head text
-- recompute exactly from the row; every other time is milliseconds.

-- artefacts: content-addressed files in the evidence store (package
-- evidence, Blobs). The bytes live on disk; the row says they were kept.
CREATE TABLE artefacts (
    sha256     TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

-- captures: one evidence record each, a leaf of the Merkle log at
-- log_index (dense from 0). fetch and artefacts are the JSON of
-- domain.Fetch (without the body, which is an artefact) and of the ordered
-- []domain.ArtefactRef, exactly as hashed into record_hash.
CREATE TABLE captures (
    id                INTEGER PRIMARY KEY,
    alert_id          INTEGER NOT NULL REFERENCES alerts (id),
    version           INTEGER NOT NULL CHECK (version >= 1),
    source_id         TEXT    NOT NULL,
    mark_id           TEXT    NOT NULL,
    listing_url       TEXT    NOT NULL DEFAULT '',
    fetch             TEXT    NOT NULL DEFAULT '{}',
    artefacts         TEXT    NOT NULL DEFAULT '[]',
    markwatch_version TEXT    NOT NULL DEFAULT '',
    captured_at_ns    INTEGER NOT NULL,
    record_hash       TEXT    NOT NULL CHECK (length(record_hash) = 64),
    log_index         INTEGER NOT NULL UNIQUE CHECK (log_index >= 0)
);
CREATE INDEX captures_alert ON captures (alert_id, log_index);

-- capture_artefacts: which captures hold an artefact, so the API can serve
-- an artefact only to a principal who may see one of its captures.
CREATE TABLE capture_artefacts (
    capture_id INTEGER NOT NULL REFERENCES captures (id),
    sha256     TEXT    NOT NULL REFERENCES artefacts (sha256),
    role       TEXT    NOT NULL,
    PRIMARY KEY (capture_id, sha256, role)
);
CREATE INDEX capture_artefacts_sha ON capture_artefacts (sha256);

CREATE TRIGGER captures_no_update BEFORE UPDATE ON captures
BEGIN SELECT RAISE(ABORT, 'captures are append-only'); END;
CREATE TRIGGER captures_no_delete BEFORE DELETE ON captures
BEGIN SELECT RAISE(ABORT, 'captures are append-only'); END;
CREATE TRIGGER capture_artefacts_no_update BEFORE UPDATE ON capture_artefacts
BEGIN SELECT RAISE(ABORT, 'captures are append-only'); END;
CREATE TRIGGER capture_artefacts_no_delete BEFORE DELETE ON capture_artefacts
BEGIN SELECT RAISE(ABORT, 'captures are append-only'); END;
CREATE TRIGGER artefacts_no_update BEFORE UPDATE ON artefacts
BEGIN SELECT RAISE(ABORT, 'artefacts are content-addressed and never change'); END;

-- tree_heads: signed statements of the log's size and root. Only the TSA
-- stamp may be added later, once; nothing else ever changes.
CREATE TABLE tree_heads (
    id            INTEGER PRIMARY KEY,
    size          INTEGER NOT NULL CHECK (size >= 0),
    root_hash     TEXT    NOT NULL,
    created_at_ns INTEGER NOT NULL,
    signature     TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    tsa_token     BLOB,
    stamped_at    INTEGER
);
CREATE INDEX tree_heads_pending ON tree_heads (id) WHERE stamped_at IS NULL;

CREATE TRIGGER tree_heads_stamp_once BEFORE UPDATE ON tree_heads
WHEN OLD.stamped_at IS NOT NULL OR OLD.tsa_token IS NOT NULL
  OR NEW.stamped_at IS NULL OR NEW.tsa_token IS NULL OR length(NEW.tsa_token) = 0
  OR NEW.id IS NOT OLD.id OR NEW.size IS NOT OLD.size OR NEW.root_hash IS NOT OLD.root_hash
  OR NEW.created_at_ns IS NOT OLD.created_at_ns OR NEW.signature IS NOT OLD.signature OR NEW.key_id IS NOT OLD.key_id
BEGIN SELECT RAISE(ABORT, 'tree heads are append-only: only an unstamped head may be stamped, once'); END;
CREATE TRIGGER tree_heads_no_delete BEFORE DELETE ON tree_heads
BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;

-- listing_versions: the states of a listing under alert, numbered per
-- alert from 1; changes names the fields that differ from the previous
-- version (JSON array). Append-only like the captures that show them.
CREATE TABLE listing_versions (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts (id),
    version    INTEGER NOT NULL CHECK (version >= 1),
    seen_at    INTEGER NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    price      REAL    NOT NULL DEFAULT 0,
    seller     TEXT    NOT NULL DEFAULT '',
    image_url  TEXT    NOT NULL DEFAULT '',
    available  INTEGER NOT NULL CHECK (available IN (0, 1)),
    removed    INTEGER NOT NULL CHECK (removed IN (0, 1)),
    changes    TEXT    NOT NULL DEFAULT '[]',
    capture_id INTEGER REFERENCES captures (id),
    UNIQUE (alert_id, version)
);
CREATE TRIGGER listing_versions_no_update BEFORE UPDATE ON listing_versions
BEGIN SELECT RAISE(ABORT, 'listing versions are append-only'); END;
CREATE TRIGGER listing_versions_no_delete BEFORE DELETE ON listing_versions
BEGIN SELECT RAISE(ABORT, 'listing versions are append-only'); END;

-- Alerts raised before this version start their history with the state
-- last seen, so the next change is a version 2 that names what changed.
INSERT INTO listing_versions (alert_id, version, seen_at, title, price, seller, image_url, available, removed, changes)
SELECT a.id, 1, coalesce(l.last_seen, a.last_seen), coalesce(l.title, a.title), coalesce(l.price, 0),
       coalesce(l.seller, a.seller), coalesce(l.image_url, ''), 1, 0, '[]'
FROM alerts a LEFT JOIN hits h ON h.id = a.hit_id LEFT JOIN listings l ON l.id = h.listing_id;

-- version_stale: a recheck recorded the listing as gone (a version not
-- available), so its next sighting must be compared with the versions even
-- if the row has not changed; the re-sighting fast path skips stale rows.
ALTER TABLE listings ADD COLUMN version_stale INTEGER NOT NULL DEFAULT 0 CHECK (version_stale IN (0, 1));

-- capture_jobs: parts of a capture that need the network or a browser,
-- written in the alert's transaction. At most one pending recheck per alert.
CREATE TABLE capture_jobs (
    id          INTEGER PRIMARY KEY,
    alert_id    INTEGER NOT NULL REFERENCES alerts (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('image', 'screenshot', 'recheck')),
    url         TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX capture_jobs_due ON capture_jobs (next_at, id) WHERE state = 'pending';
CREATE UNIQUE INDEX capture_jobs_one_recheck ON capture_jobs (alert_id) WHERE state = 'pending' AND kind = 'recheck';

-- cases (案件): number MW-<year>-<seq>, the year of creation in
-- Asia/Shanghai and a sequence per year. created_by is domain.Actor as JSON.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    mark_id      TEXT    NOT NULL,
    jurisdiction TEXT    NOT NULL DEFAULT '',
    assignee     TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'investigating', 'notice_sent', 'removed', 'closed')),
    notes        TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX cases_mark ON cases (mark_id, id DESC);

-- case_alerts: the alerts of a case, in the order given. That an alert is
-- in at most one case that is not closed is checked by the store.
CREATE TABLE case_alerts (
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (case_id, alert_id)
);
CREATE INDEX case_alerts_alert ON case_alerts (alert_id);

-- notices: takedown notices generated for a platform, and their fate.
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    platform     TEXT    NOT NULL,
    generated_at INTEGER NOT NULL,
    sent_at      INTEGER,
    answered_at  INTEGER,
    answer       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notices_case ON notices (case_id, id);
