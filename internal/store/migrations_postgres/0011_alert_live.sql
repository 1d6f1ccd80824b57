-- markwatch schema, version 11, PostgreSQL text of migrations/0011_alert_live.sql
-- (an alert's last_seen follows a listing's while its sightings raise it).
ALTER TABLE alerts ADD COLUMN live_listing BIGINT;
CREATE INDEX alerts_live ON alerts (live_listing) WHERE live_listing IS NOT NULL;
