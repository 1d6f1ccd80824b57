-- markwatch schema, version 5, PostgreSQL text of migrations/0005_run_health.sql
-- (selector health: a degraded flag and the health JSON, NULL when unknown).
ALTER TABLE crawl_runs ADD COLUMN degraded SMALLINT NOT NULL DEFAULT 0 CHECK (degraded IN (0, 1));
ALTER TABLE crawl_runs ADD COLUMN health TEXT COLLATE "C";
