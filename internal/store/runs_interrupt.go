package store

import (
	"context"
	"fmt"
)

// InterruptSourceRuns marks the runs of one source still 'running' as
// interrupted. The distributed mode calls it when a crawl job is retried
// after its worker died: at most one run of a source runs at a time (the
// job's lock), so a run still 'running' when the lock is taken again was
// the dead worker's. InterruptRunningRuns, for every source, is only for
// the embedded mode's start, where no other process runs crawls.
func (db *DB) InterruptSourceRuns(ctx context.Context, sourceID, reason string) (int, error) {
	res, err := db.wr.ExecContext(ctx,
		"UPDATE crawl_runs SET status = 'interrupted', finished_at = ?, end_reason = ? WHERE status = 'running' AND source_id = ?",
		toMillis(db.stamp()), reason, sourceID)
	if err != nil {
		return 0, fmt.Errorf("interrupting running crawl runs of %s: %w", sourceID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("interrupting running crawl runs of %s: counting: %w", sourceID, err)
	}
	return int(n), nil
}
