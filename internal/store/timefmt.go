package store

import (
	"database/sql"
	"time"
)

// Times are stored as milliseconds since the epoch (see 0001_init.sql).

func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// stamp is the store's clock truncated to the stored precision, so values
// handed back to callers equal what a later read returns.
func (db *DB) stamp() time.Time { return db.now().UTC().Truncate(time.Millisecond) }
