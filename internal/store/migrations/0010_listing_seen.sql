-- markwatch schema, version 10: last_seen of a listing in a narrow table of
-- its own, and a hit's derived from it while the hit is live (issue 12).
--
-- SQLite rewrites a whole record to change one column, so a re-crawl that
-- changes nothing spent most of its store time moving last_seen on wide
-- listing and hit rows (1.5 µs a row, against 0.4 on a two-column table).
-- Now a re-sighting writes one narrow row a listing:
--   - listing_seen.last_seen is the listing's latest sighting;
--   - hits.live = 1 says the listing's latest sighting gave the hit's mark,
--     so the hit was last seen when its listing was: its last_seen column
--     is then a lower bound, and readers take listing_seen's (hitLastSeen in
--     hits.go). A sighting that drops the mark freezes the hit: live = 0,
--     last_seen = the listing's sighting before it, the last one with the
--     mark. live = 0 is always safe, only slower once: the next sighting
--     with the mark makes it live again.
-- Rows written before this version are frozen (live = 0) with their
-- last_seen as it stood; their next sighting takes the slow path once.
CREATE TABLE listing_seen (
    listing_id INTEGER PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    last_seen  INTEGER NOT NULL
);
INSERT INTO listing_seen (listing_id, last_seen) SELECT id, last_seen FROM listings;
ALTER TABLE listings DROP COLUMN last_seen;
ALTER TABLE hits ADD COLUMN live INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1));
