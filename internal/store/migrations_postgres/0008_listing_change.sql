-- markwatch schema, version 8, PostgreSQL text of migrations/0008_listing_change.sql
-- (listings.saved_change: the bits of what the last save changed, 0..7).
ALTER TABLE listings ADD COLUMN saved_change INTEGER NOT NULL DEFAULT 0;
