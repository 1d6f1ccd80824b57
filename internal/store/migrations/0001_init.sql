-- markwatch schema, version 1.
-- Times are INTEGER milliseconds since the Unix epoch (UTC): they sort and
-- compare cheaply and map to a PostgreSQL bigint when that store arrives.

-- sources: one row per configured marketplace source; the scheduler keeps its
-- state here so a restart resumes the plan instead of crawling everything at once.
CREATE TABLE sources (
    id                 TEXT    PRIMARY KEY,
    schedule           TEXT    NOT NULL DEFAULT '',
    paused             INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    next_run_at        INTEGER,
    last_run_at        INTEGER,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL
);

-- listings: one row per offer per source. url_key is the URL, or a hash of the
-- title when a marketplace card has no link, so uniqueness never depends on NULLs.
CREATE TABLE listings (
    id         INTEGER PRIMARY KEY,
    source_id  TEXT    NOT NULL REFERENCES sources (id),
    url_key    TEXT    NOT NULL,
    url        TEXT    NOT NULL DEFAULT '',
    platform   TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL,
    price      REAL    NOT NULL DEFAULT 0,
    seller     TEXT    NOT NULL DEFAULT '',
    location   TEXT    NOT NULL DEFAULT '',
    image_url  TEXT    NOT NULL DEFAULT '',
    query      TEXT    NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    UNIQUE (source_id, url_key)
);

-- hits: a listing that resembles a mark, with the matcher's current verdict.
CREATE TABLE hits (
    id         INTEGER PRIMARY KEY,
    listing_id INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    mark_id    TEXT    NOT NULL,
    score      REAL    NOT NULL,
    alert      INTEGER NOT NULL CHECK (alert IN (0, 1)),
    reasons    TEXT    NOT NULL DEFAULT '[]',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    UNIQUE (listing_id, mark_id)
);
CREATE INDEX hits_mark ON hits (mark_id);

-- alerts: one per (mark, listing URL) across sources. They keep their own copy
-- of the evidence so a supervisor's case survives the listing changing or going.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    mark_id    TEXT    NOT NULL,
    url_key    TEXT    NOT NULL,
    hit_id     INTEGER REFERENCES hits (id) ON DELETE SET NULL,
    source_id  TEXT    NOT NULL,
    url        TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL,
    seller     TEXT    NOT NULL DEFAULT '',
    location   TEXT    NOT NULL DEFAULT '',
    score      REAL    NOT NULL,
    reasons    TEXT    NOT NULL DEFAULT '[]',
    status     TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    UNIQUE (mark_id, url_key)
);
CREATE INDEX alerts_newest ON alerts (first_seen DESC, id DESC);
CREATE INDEX alerts_status ON alerts (status, first_seen DESC);

CREATE TABLE crawl_runs (
    id          INTEGER PRIMARY KEY,
    source_id   TEXT    NOT NULL REFERENCES sources (id),
    status      TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    pages       INTEGER NOT NULL DEFAULT 0,
    listings    INTEGER NOT NULL DEFAULT 0,
    hits        INTEGER NOT NULL DEFAULT 0,
    alerts      INTEGER NOT NULL DEFAULT 0,
    errors      TEXT    NOT NULL DEFAULT '{}',
    end_reason  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX crawl_runs_source ON crawl_runs (source_id, id DESC);
CREATE INDEX crawl_runs_running ON crawl_runs (status) WHERE status = 'running';

-- index_outbox: pending changes for Meilisearch, written in the same
-- transaction as the hit. At most one pending row per hit: the drainer reads
-- the hit's current state, so a newer change replaces the older row (with a
-- new id, so acknowledging the older one cannot drop the newer change;
-- AUTOINCREMENT because plain rowids may reuse the id of the row just replaced).
-- No foreign key on hit_id: a delete must outlive its hit.
CREATE TABLE index_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    op         TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    hit_id     INTEGER NOT NULL UNIQUE,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX index_outbox_order ON index_outbox (attempts, id);
