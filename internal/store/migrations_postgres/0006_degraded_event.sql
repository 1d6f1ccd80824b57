-- markwatch schema, version 6, PostgreSQL text of migrations/0006_degraded_event.sql
-- (degraded-source notifications). SQLite rebuilds the table because it
-- cannot change a CHECK or a NOT NULL in place; PostgreSQL alters it, which
-- keeps rows, ids, the identity, indexes and foreign keys as they are, and
-- gives the same columns in the same order (source_id, reasons last).
ALTER TABLE notifications ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN ('alert', 'status', 'degraded'));
ALTER TABLE notifications ADD COLUMN source_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN reasons TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE notifications ADD CONSTRAINT notifications_degraded_check CHECK ((event = 'degraded') = (alert_id IS NULL));
