-- markwatch schema, version 8: listings.saved_change is what the last save
-- of a changed listing changed, as bits: 1 what the index shows (url, title,
-- price, seller, location), 2 what a listing version holds (title, price,
-- seller, image, or the row was version_stale), 4 its seller_id. A save
-- upserts a listing in one statement, and an upsert's RETURNING sees only
-- the new row, so the statement keeps its comparison with the old row here
-- (see qUpsertListing). A new row gets 3.
ALTER TABLE listings ADD COLUMN saved_change INTEGER NOT NULL DEFAULT 0;
