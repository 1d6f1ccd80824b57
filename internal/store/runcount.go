package store

import (
	"context"
	"fmt"
)

// FinishedRuns counts a source's runs that have ended (succeeded, failed or
// interrupted). The query planner rotates through the registry by this
// count, so a restart resumes the rotation instead of searching the first
// window again (with frequent restarts, later marks would never be searched).
func (db *DB) FinishedRuns(ctx context.Context, sourceID string) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM crawl_runs WHERE source_id = ? AND status != 'running'`, sourceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting runs of source %s: %w", sourceID, err)
	}
	return n, nil
}
