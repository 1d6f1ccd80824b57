-- markwatch schema, version 9: fingerprints for re-sightings (issue 12).
-- listings.fp is a hash of what a re-sighting compares and sets on the row
-- (url, title, price, seller, location, image_url, seller_id, platform,
-- query); hits.fp of its mark and verdict (mark_id, score, alert,
-- reasons). See fingerprint.go. A batch then finds its unchanged rows by
-- comparing one integer instead of every field. NULL matches nothing:
-- rows written before this version take the slow path once, which gives
-- them theirs.
--
-- From this version a save that changes nothing on a listing row writes
-- saved_change = 0, as an upsert that finds nothing changed does, so a
-- listing the fast path misses (a NULL fp) is stored exactly as touching
-- it would have stored it.
ALTER TABLE listings ADD COLUMN fp INTEGER;
ALTER TABLE hits ADD COLUMN fp INTEGER;
