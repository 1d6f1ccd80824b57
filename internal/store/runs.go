package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// StartRun records a crawl run of sourceID as running, registering the source
// if it is new and stamping its last_run_at for the scheduler.
func (db *DB) StartRun(ctx context.Context, sourceID string) (domain.CrawlRun, error) {
	if strings.TrimSpace(sourceID) == "" {
		return domain.CrawlRun{}, domain.Errorf(domain.EINVALID, "starting crawl run: source id is empty")
	}
	now := db.stamp()
	run := domain.CrawlRun{SourceID: sourceID, Status: domain.RunRunning, StartedAt: now}
	err := db.inTx(ctx, "starting crawl run of "+sourceID, func(tx *sql.Tx) error {
		if err := ensureSource(ctx, tx, sourceID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sources SET last_run_at = ? WHERE id = ?", toMillis(now), sourceID); err != nil {
			return fmt.Errorf("stamping source: %w", err)
		}
		return tx.QueryRowContext(ctx,
			"INSERT INTO crawl_runs (source_id, status, started_at) VALUES (?, 'running', ?) RETURNING id",
			sourceID, toMillis(now)).Scan(&run.ID)
	})
	if err != nil {
		return domain.CrawlRun{}, err
	}
	return run, nil
}

// FinishRun records how a running run ended: its status (not running), the
// counters, errors by kind and end reason. FinishedAt nil means now. The
// source's consecutive_errors is reset on success and counted up on failure,
// so the scheduler can back off a failing marketplace. A run that is not
// running any more is domain.ECONFLICT; an unknown one domain.ENOTFOUND.
func (db *DB) FinishRun(ctx context.Context, run domain.CrawlRun) error {
	switch run.Status {
	case domain.RunSucceeded, domain.RunFailed, domain.RunInterrupted:
	default:
		return domain.Errorf(domain.EINVALID,
			"finishing crawl run %d: status %q must be one of succeeded, failed, interrupted", run.ID, run.Status)
	}
	finished := db.stamp()
	if run.FinishedAt != nil {
		finished = *run.FinishedAt
	}
	errs := run.Errors
	if errs == nil {
		errs = map[string]int{}
	}
	errJSON, err := json.Marshal(errs)
	if err != nil {
		return fmt.Errorf("finishing crawl run %d: encoding errors: %w", run.ID, err)
	}
	health, err := encodeHealth(run.Health)
	if err != nil {
		return fmt.Errorf("finishing crawl run %d: %w", run.ID, err)
	}
	degraded := run.Degraded && run.Status == domain.RunSucceeded
	return db.inTx(ctx, fmt.Sprintf("finishing crawl run %d", run.ID), func(tx *sql.Tx) error {
		var sourceID string
		err := tx.QueryRowContext(ctx, `UPDATE crawl_runs SET status = ?, finished_at = ?, pages = ?, listings = ?,
			hits = ?, alerts = ?, errors = ?, end_reason = ?, degraded = ?, health = ?
			WHERE id = ? AND status = 'running' RETURNING source_id`,
			string(run.Status), toMillis(finished), run.Pages, run.Listings, run.Hits, run.Alerts,
			string(errJSON), run.EndReason, degraded, health, run.ID).Scan(&sourceID)
		if errors.Is(err, sql.ErrNoRows) {
			var status string
			err := tx.QueryRowContext(ctx, "SELECT status FROM crawl_runs WHERE id = ?", run.ID).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Errorf(domain.ENOTFOUND, "crawl run %d does not exist", run.ID)
			}
			if err != nil {
				return fmt.Errorf("reading run status: %w", err)
			}
			return domain.Errorf(domain.ECONFLICT, "crawl run %d is already %s", run.ID, status)
		}
		if err != nil {
			return fmt.Errorf("updating run: %w", err)
		}
		switch run.Status {
		case domain.RunSucceeded:
			_, err = tx.ExecContext(ctx, "UPDATE sources SET consecutive_errors = 0 WHERE id = ?", sourceID)
		case domain.RunFailed:
			_, err = tx.ExecContext(ctx, "UPDATE sources SET consecutive_errors = consecutive_errors + 1 WHERE id = ?", sourceID)
		}
		if err != nil {
			return fmt.Errorf("updating source %s error count: %w", sourceID, err)
		}
		if degraded {
			auditID, err := db.auditDegraded(ctx, tx, run, sourceID)
			if err != nil {
				return err
			}
			ev := domain.AlertEvent{Kind: domain.EventDegraded, SourceID: sourceID, RunID: run.ID,
				AuditID: auditID, At: finished}
			if run.Health != nil {
				ev.Reasons = run.Health.Reasons
			}
			return db.route(ctx, tx, []domain.AlertEvent{ev})
		}
		return nil
	})
}

// InterruptRunningRuns marks every run still 'running' as interrupted with
// the given reason. Called at startup: such runs were cut short by a crash,
// since a clean shutdown finishes its runs.
func (db *DB) InterruptRunningRuns(ctx context.Context, reason string) (int, error) {
	res, err := db.wr.ExecContext(ctx,
		"UPDATE crawl_runs SET status = 'interrupted', finished_at = ?, end_reason = ? WHERE status = 'running'",
		toMillis(db.stamp()), reason)
	if err != nil {
		return 0, fmt.Errorf("interrupting running crawl runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("interrupting running crawl runs: counting: %w", err)
	}
	return int(n), nil
}

// ListRuns returns the newest runs of sourceID ("" for all sources).
// limit 0 means DefaultPageSize.
func (db *DB) ListRuns(ctx context.Context, sourceID string, limit int) ([]domain.CrawlRun, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("listing crawl runs: %w", err)
	}
	const cols = `SELECT id, source_id, status, started_at, finished_at, pages, listings, hits, alerts,
		errors, end_reason, degraded, health FROM crawl_runs`
	var rows *sql.Rows
	if sourceID == "" {
		rows, err = db.sql.QueryContext(ctx, cols+" ORDER BY id DESC LIMIT ?", limit)
	} else {
		rows, err = db.sql.QueryContext(ctx, cols+" WHERE source_id = ? ORDER BY id DESC LIMIT ?", sourceID, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("listing crawl runs: %w", err)
	}
	defer rows.Close()
	runs := []domain.CrawlRun{}
	for rows.Next() {
		var (
			r         domain.CrawlRun
			status    string
			errJSON   string
			started   int64
			finishedN sql.NullInt64
			degraded  bool
			health    sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.SourceID, &status, &started, &finishedN, &r.Pages, &r.Listings,
			&r.Hits, &r.Alerts, &errJSON, &r.EndReason, &degraded, &health); err != nil {
			return nil, fmt.Errorf("listing crawl runs: %w", err)
		}
		r.Status = domain.RunStatus(status)
		r.StartedAt = fromMillis(started)
		r.FinishedAt = fromNullMillis(finishedN)
		if err := json.Unmarshal([]byte(errJSON), &r.Errors); err != nil {
			return nil, fmt.Errorf("listing crawl runs: run %d errors %q: %w", r.ID, errJSON, err)
		}
		if len(r.Errors) == 0 {
			r.Errors = nil
		}
		if err := decodeHealth(&r, degraded, health); err != nil {
			return nil, fmt.Errorf("listing crawl runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing crawl runs: %w", err)
	}
	return runs, nil
}
