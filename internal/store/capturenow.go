package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/markwatch/markwatch/internal/domain"
)

// RequestCapture queues a capture of one alert's listing page now: a
// Chromium screenshot and MHTML (kind screenshot) or a fresh fetch of the
// page (kind recheck), for a supervisor who wants evidence of the listing as
// it stands. A request while one of that kind is pending is the same
// request: it answers false and queues nothing. The change is audited.
func (db *DB) RequestCapture(ctx context.Context, alertID int64, kind string, actor domain.Actor) (bool, error) {
	if kind != JobScreenshot && kind != JobRecheck {
		return false, domain.Errorf(domain.EINVALID, "capture kind %q: use screenshot or recheck", kind)
	}
	a, err := db.GetAlert(ctx, alertID)
	if err != nil {
		return false, err
	}
	if a.URL == "" {
		return false, domain.Errorf(domain.EINVALID, "alert %d has no listing URL to capture", alertID)
	}
	queued := false
	err = db.inTx(ctx, fmt.Sprintf("requesting a %s of alert %d", kind, alertID), func(tx *sql.Tx) error {
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM capture_jobs WHERE alert_id = ? AND kind = ? AND state = 'pending'`,
			alertID, kind).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return nil
		}
		at := db.stamp()
		if err := insertCaptureJob(ctx, tx, alertID, kind, a.URL, at); err != nil {
			return err
		}
		queued = true
		_, err := db.appendAudit(ctx, tx, domain.AuditEntry{At: at, Actor: actor, Action: domain.AuditCaptureRequest,
			Object: fmt.Sprintf("alert:%d", alertID), MarkID: a.MarkID, Note: kind})
		return err
	})
	return queued, err
}
