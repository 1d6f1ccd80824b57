-- markwatch schema, version 5: selector health. A run records what its
-- pages' extraction reported (listings per page, empty fields, selectors
-- that matched nothing, pages read by auto-detection) and whether that fell
-- short of the source's recent runs. degraded is a flag beside status, not
-- a status: a degraded run did finish, and the status CHECK of crawl_runs
-- cannot change without rebuilding the table. Columns are added, not the
-- table rebuilt, so runs already recorded keep their ids and rows; their
-- health is NULL (not known), never read as healthy-but-empty.
ALTER TABLE crawl_runs ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0 CHECK (degraded IN (0, 1));
ALTER TABLE crawl_runs ADD COLUMN health TEXT;
