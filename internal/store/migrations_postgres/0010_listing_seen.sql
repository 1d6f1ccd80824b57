-- markwatch schema, version 10, PostgreSQL text of migrations/0010_listing_seen.sql
-- (a listing's last_seen in a narrow table; a live hit's derived from it).
-- PostgreSQL writes a new row version for any update, so the narrow table
-- helps here too: a re-sighting's touch no longer copies the wide row.
CREATE TABLE listing_seen (
    listing_id BIGINT PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    last_seen  BIGINT NOT NULL
);
INSERT INTO listing_seen (listing_id, last_seen) SELECT id, last_seen FROM listings;
ALTER TABLE listings DROP COLUMN last_seen;
ALTER TABLE hits ADD COLUMN live SMALLINT NOT NULL DEFAULT 0 CHECK (live IN (0, 1));
