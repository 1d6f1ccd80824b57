-- markwatch schema, version 4: listing identity. Listings and alerts key
-- on the offer's identity (url_key holds "platform:itemid" or the canonical
-- URL, see crawl.Source.Identity) instead of the raw URL. Identities come
-- from the source definitions' Go regexps, which SQL cannot run, so the
-- merge of rows already stored is done in Go (store.MergeIdentities, run by
-- Open when Options.Identity is set) and recorded in identity_passes.

-- alert_merges: an alert merged into another because both were the same
-- offer for the same mark. The merged row stays (its captures and listing
-- versions are append-only and reference it) but leaves the alert lists;
-- the kept alert reaches its history through this table. url_key and
-- status are the merged alert's before the merge.
CREATE TABLE alert_merges (
    merged_id INTEGER PRIMARY KEY REFERENCES alerts (id),
    kept_id   INTEGER NOT NULL REFERENCES alerts (id),
    mark_id   TEXT    NOT NULL,
    identity  TEXT    NOT NULL,
    url_key   TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    audit_id  INTEGER REFERENCES audit_log (id),
    merged_at INTEGER NOT NULL,
    CHECK (merged_id <> kept_id)
);
CREATE INDEX alert_merges_kept ON alert_merges (kept_id);

-- identity_passes: each merge pass, with the fingerprint of the identity
-- rules it applied; a pass with the fingerprint of the last one is skipped.
CREATE TABLE identity_passes (
    id               INTEGER PRIMARY KEY,
    fingerprint      TEXT    NOT NULL,
    at               INTEGER NOT NULL,
    listings_rekeyed INTEGER NOT NULL DEFAULT 0,
    listings_merged  INTEGER NOT NULL DEFAULT 0,
    hits_merged      INTEGER NOT NULL DEFAULT 0,
    alerts_rekeyed   INTEGER NOT NULL DEFAULT 0,
    alerts_merged    INTEGER NOT NULL DEFAULT 0
);
