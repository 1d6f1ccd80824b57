-- markwatch schema, version 9, PostgreSQL text of migrations/0009_fingerprints.sql
-- (fingerprints for re-sightings). SQLite's INTEGER is 64 bits and a
-- fingerprint is a full int64 (fingerprint.go), so BIGINT; NULL matches
-- nothing, as there.
ALTER TABLE listings ADD COLUMN fp BIGINT;
ALTER TABLE hits ADD COLUMN fp BIGINT;
