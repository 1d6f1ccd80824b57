-- markwatch schema, version 11: an alert's last_seen follows a listing's
-- while that listing's sightings keep raising it (issue 12), as a live
-- hit's does (0010_listing_seen.sql).
--
-- alerts.live_listing = L says every sighting of listing L since it was
-- set alerted this alert's mark, so the alert was last seen no earlier than
-- L was (listing_seen): readers take the later of the two (alertLastSeen in
-- alerts.go), and an unchanged re-sighting of L writes nothing of the
-- alert. A sighting of L that does not alert the mark freezes the alert:
-- last_seen = L's sighting before it, live_listing = NULL. Sightings of the
-- same offer through other listings (another source) move last_seen as
-- before. NULL is always safe, only slower once. No foreign key: merges,
-- the only code that deletes listings, freeze their alerts first.
ALTER TABLE alerts ADD COLUMN live_listing INTEGER;
CREATE INDEX alerts_live ON alerts (live_listing) WHERE live_listing IS NOT NULL;
