package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Capture job kinds (domain.CaptureJob.Kind).
const (
	JobImage      = "image"
	JobScreenshot = "screenshot"
	JobRecheck    = "recheck"
)

// maxJobErrorRunes bounds a capture job's last error: enough for a
// message, not a page body.
const maxJobErrorRunes = 1000

const captureJobColumns = "id, alert_id, kind, url, attempts, next_at, last_error"

// captureJobs queues the parts of a capture that need the network or a
// browser, in the alert's transaction: the image when image says so and the
// listing has one, a screenshot when the evidence asks for it and the
// listing has a URL to open.
func captureJobs(ctx context.Context, tx querier, alertID int64, l domain.Listing, ev *ListingEvidence, image bool, at time.Time) error {
	if image && l.ImageURL != "" {
		if err := insertCaptureJob(ctx, tx, alertID, JobImage, l.ImageURL, at); err != nil {
			return err
		}
	}
	if ev.Screenshot && l.URL != "" {
		if err := insertCaptureJob(ctx, tx, alertID, JobScreenshot, l.URL, at); err != nil {
			return err
		}
	}
	return nil
}

func insertCaptureJob(ctx context.Context, tx querier, alertID int64, kind, url string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO capture_jobs (alert_id, kind, url, state, attempts, next_at, last_error, created_at)
		VALUES (?, ?, ?, 'pending', 0, ?, '', ?)`, alertID, kind, url, toMillis(at), toMillis(at))
	if err != nil {
		return fmt.Errorf("queueing %s capture of alert %d: %w", kind, alertID, err)
	}
	return nil
}

// DueCaptureJobs returns pending capture jobs due at now, soonest first.
// Limit 0 means DefaultPageSize.
func (db *DB) DueCaptureJobs(ctx context.Context, now time.Time, limit int) ([]domain.CaptureJob, error) {
	limit, err := pageLimit(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("reading due capture jobs: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+captureJobColumns+` FROM capture_jobs
		WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`, toMillis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("reading due capture jobs: %w", err)
	}
	defer rows.Close()
	out := []domain.CaptureJob{}
	for rows.Next() {
		var (
			j    domain.CaptureJob
			next int64
		)
		if err := rows.Scan(&j.ID, &j.AlertID, &j.Kind, &j.URL, &j.Attempts, &next, &j.LastError); err != nil {
			return nil, fmt.Errorf("reading due capture jobs: %w", err)
		}
		j.NextAt = fromMillis(next)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading due capture jobs: %w", err)
	}
	return out, nil
}

// FinishCaptureJob marks a job done (the row stays as history). Finishing a
// job already done is a no-op, so a worker that crashed after its capture
// but before this call can finish it again; an unknown id is
// domain.ENOTFOUND.
func (db *DB) FinishCaptureJob(ctx context.Context, id int64) error {
	return db.inTx(ctx, fmt.Sprintf("finishing capture job %d", id), func(tx *sql.Tx) error {
		state, err := captureJobState(ctx, tx, id)
		if err != nil || state == "done" {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE capture_jobs SET state = 'done', finished_at = ? WHERE id = ?", toMillis(db.stamp()), id)
		return err
	})
}

// RetryCaptureJob records a failed attempt: attempts+1, the error, and
// when to try again. A job already done is domain.ECONFLICT; an unknown id
// domain.ENOTFOUND.
func (db *DB) RetryCaptureJob(ctx context.Context, id int64, next time.Time, errMsg string) error {
	errMsg = strings.ToValidUTF8(errMsg, "\uFFFD")
	if utf8.RuneCountInString(errMsg) > maxJobErrorRunes {
		errMsg = string([]rune(errMsg)[:maxJobErrorRunes]) + "…"
	}
	return db.inTx(ctx, fmt.Sprintf("retrying capture job %d", id), func(tx *sql.Tx) error {
		state, err := captureJobState(ctx, tx, id)
		if err != nil {
			return err
		}
		if state == "done" {
			return domain.Errorf(domain.ECONFLICT, "capture job %d is already done", id)
		}
		_, err = tx.ExecContext(ctx, "UPDATE capture_jobs SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
			toMillis(next), errMsg, id)
		return err
	})
}

func captureJobState(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var state string
	err := tx.QueryRowContext(ctx, "SELECT state FROM capture_jobs WHERE id = ?", id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", domain.Errorf(domain.ENOTFOUND, "capture job %d does not exist", id)
	}
	if err != nil {
		return "", fmt.Errorf("reading: %w", err)
	}
	return state, nil
}

// EnqueueRechecks queues one recheck job, due at now, for every open or
// confirmed alert of the source that has a URL to fetch, whose listing is
// not known to be removed (its latest version) and that has no recheck
// pending already, and says how many it queued.
func (db *DB) EnqueueRechecks(ctx context.Context, sourceID string, now time.Time) (int, error) {
	if strings.TrimSpace(sourceID) == "" {
		return 0, domain.Errorf(domain.EINVALID, "queueing rechecks: source id is empty")
	}
	var n int64
	err := db.inTx(ctx, "queueing rechecks for source "+sourceID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO capture_jobs (alert_id, kind, url, state, attempts, next_at, last_error, created_at)
			SELECT a.id, 'recheck', a.url, 'pending', 0, ?1, '', ?1 FROM alerts a
			WHERE a.source_id = ?2 AND a.status IN ('open', 'confirmed') AND a.url != ''
			AND NOT EXISTS (SELECT 1 FROM capture_jobs j WHERE j.alert_id = a.id AND j.kind = 'recheck' AND j.state = 'pending')
			AND coalesce((SELECT v.removed FROM listing_versions v WHERE v.alert_id = a.id ORDER BY v.version DESC LIMIT 1), 0) = 0
			AND a.id NOT IN (SELECT merged_id FROM alert_merges)
			ORDER BY a.id`, toMillis(now), sourceID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
