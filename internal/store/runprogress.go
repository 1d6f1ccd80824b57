package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// qRunProgress writes a running run's counts. It leaves a run that has
// ended alone: FinishRun's counts are final, and a late progress write must
// not undo them.
const qRunProgress = `UPDATE crawl_runs SET pages = ?, listings = ?, hits = ?, alerts = ?, errors = ?
	WHERE id = ? AND status = 'running'`

// RecordRunProgress records what a running run has done so far (its Pages,
// Listings, Hits, Alerts and Errors; the rest of run is ignored), so a run
// killed mid-way keeps its counts up to this write: InterruptRunningRuns
// changes only its status. A run that is not running any more is left as
// it is, without error.
func (db *DB) RecordRunProgress(ctx context.Context, run domain.CrawlRun) error {
	errJSON, err := encodeRunErrors(run.Errors)
	if err != nil {
		return fmt.Errorf("recording progress of crawl run %d: %w", run.ID, err)
	}
	if _, err := db.wr.ExecContext(ctx, qRunProgress, run.Pages, run.Listings, run.Hits, run.Alerts, errJSON, run.ID); err != nil {
		return fmt.Errorf("recording progress of crawl run %d: %w", run.ID, err)
	}
	return nil
}

// SaveListingsWithProgress is SaveListings recording the running run's
// progress in the same transaction, so the counts a crash leaves are those
// of the listings it left. run holds the run's counts apart from this
// batch; the store adds the batch's own (its listings, their hits and new
// alerts) before writing them, as RecordRunProgress would.
func (db *DB) SaveListingsWithProgress(ctx context.Context, batch []ListingMatches, run domain.CrawlRun) ([]SaveResult, error) {
	errJSON, err := encodeRunErrors(run.Errors)
	if err != nil {
		return nil, fmt.Errorf("saving %d listings: progress of crawl run %d: %w", len(batch), run.ID, err)
	}
	return db.saveListings(ctx, batch, func(tx *writeTx, results []SaveResult) error {
		hits, alerts := run.Hits, run.Alerts
		for _, r := range results {
			hits += len(r.Hits)
			alerts += len(r.NewAlerts)
		}
		if _, err := tx.ExecContext(ctx, qRunProgress, run.Pages, run.Listings+len(batch), hits, alerts, errJSON, run.ID); err != nil {
			return fmt.Errorf("recording progress of crawl run %d: %w", run.ID, err)
		}
		return nil
	})
}

// encodeRunErrors is the errors column's form: a JSON object, {} for none.
func encodeRunErrors(errs map[string]int) (string, error) {
	if errs == nil {
		return "{}", nil
	}
	b, err := json.Marshal(errs)
	if err != nil {
		return "", fmt.Errorf("encoding errors by kind: %w", err)
	}
	return string(b), nil
}
